// The one SourceImageReader the app uses (DESIGN §17): managed images, and with
// IMAGE_SYNC_GALLERY_SOURCES on, gallery image versions beside them. Both listings run at once and
// merge; a subscription either of them could not read is reported once (both details when both
// failed), so the planner and the problems see one entry per subscription. Reads of one source go
// to the reader of its kind, told from the id.
import { sourceKindOf } from '../domain';
import type { SourceImageReader, SubscriptionListing } from '../ports';

type Failure = { readonly subscriptionId: string; readonly detail: string };

function mergeFailures(first: readonly Failure[], second: readonly Failure[]): Failure[] {
  const merged = new Map<string, Failure>();
  for (const failure of [...first, ...second]) {
    const key = failure.subscriptionId.toLowerCase();
    const earlier = merged.get(key);
    merged.set(
      key,
      earlier === undefined ? failure : { subscriptionId: earlier.subscriptionId, detail: `${earlier.detail}; ${failure.detail}` },
    );
  }
  return [...merged.values()];
}

export function mergeListings(managed: SubscriptionListing, gallery: SubscriptionListing): SubscriptionListing {
  const unreadable = mergeFailures(managed.unreadable, gallery.unreadable);
  const unreadableKeys = new Set(unreadable.map((failure) => failure.subscriptionId.toLowerCase()));
  // Unreadable (a problem) outranks unavailable (tried again) for one subscription.
  const unavailable = mergeFailures(managed.unavailable, gallery.unavailable).filter(
    (failure) => !unreadableKeys.has(failure.subscriptionId.toLowerCase()),
  );
  return { images: [...managed.images, ...gallery.images], listed: managed.listed + gallery.listed, unreadable, unavailable };
}

/** `gallery` null (IMAGE_SYNC_GALLERY_SOURCES=off): the managed-image reader alone, no gallery request ever. */
export function combineSourceImageReaders(managed: SourceImageReader, gallery: SourceImageReader | null): SourceImageReader {
  if (gallery === null) return managed;
  return {
    async listAll(): Promise<SubscriptionListing> {
      const [managedListing, galleryListing] = await Promise.all([managed.listAll(), gallery.listAll()]);
      return mergeListings(managedListing, galleryListing);
    },
    get: (sourceImageResourceId) =>
      sourceKindOf(sourceImageResourceId) === 'galleryImageVersion'
        ? gallery.get(sourceImageResourceId)
        : managed.get(sourceImageResourceId),
  };
}
