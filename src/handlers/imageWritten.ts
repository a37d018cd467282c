// The fast path: an image written seconds ago is re-read and planned alone, exactly as the timer
// would plan it. A missed or duplicated event changes nothing: the next reconcile finds the image.
import { parseGalleryVersionId } from '../arm/galleryVersionId';
import { parseManagedImageId } from '../arm/managedImageId';
import { parseImageEvent } from '../events/parseImageEvent';
import type { AppliedPlan } from '../steps/applyPlan';
import { holdForRetryAfter } from '../steps/holdForRetryAfter';
import { planOneSource } from '../steps/planOneSource';
import type { SyncDeps } from '../ports';

function isConfiguredScope(deps: SyncDeps, sourceImageResourceId: string): boolean {
  const id = parseManagedImageId(sourceImageResourceId) ?? parseGalleryVersionId(sourceImageResourceId);
  if (id === null) return false;
  const subscriptions = deps.config.subscriptionIds.map((subscriptionId) => subscriptionId.toLowerCase());
  const groups = deps.config.resourceGroups?.map((group) => group.toLowerCase()) ?? null;
  // IMAGE_SYNC_SUBSCRIPTION_IDS=* (resource-graph discovery): every subscription the identity can read is in scope.
  const inSubscription = deps.config.allSubscriptions || subscriptions.includes(id.subscriptionId.toLowerCase());
  return inSubscription && (groups === null || groups.includes(id.resourceGroup.toLowerCase()));
}

export async function handleImageEvent(deps: SyncDeps, event: unknown): Promise<AppliedPlan | null> {
  const parsed = parseImageEvent(event, { galleryVersions: deps.config.gallery.mode !== 'off' });
  if (parsed.kind === 'ignored') {
    deps.log.debug('ImageEventIgnored', { eventId: parsed.eventId, why: parsed.why });
    return null;
  }
  const { sourceImageResourceId } = parsed;
  if (!isConfiguredScope(deps, sourceImageResourceId)) {
    deps.log.debug('ImageEventIgnored', {
      eventId: parsed.eventId,
      why: 'outside IMAGE_SYNC_SUBSCRIPTION_IDS / IMAGE_SYNC_RESOURCE_GROUPS',
      sourceImageResourceId,
    });
    return null;
  }
  // Event Grid delivers a failed event again on its own schedule: not before a Retry-After has passed.
  return holdForRetryAfter(deps, sourceImageResourceId, async () => {
    const image = await deps.sourceImages.get(sourceImageResourceId);
    if (image === null) {
      deps.log.debug('ImageEventIgnored', { eventId: parsed.eventId, why: 'the image no longer exists', sourceImageResourceId });
      return null;
    }
    const applied = await planOneSource(deps, image, 'event');
    if (applied === null) return null;
    deps.log.info('ImageEventHandled', { eventId: parsed.eventId, sourceImageResourceId, ...applied });
    return applied;
  });
}
