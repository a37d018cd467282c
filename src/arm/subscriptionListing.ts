// The ARM listing of every configured subscription, one at a time up to IMAGE_SYNC_SUBSCRIPTION_CONCURRENCY,
// in two passes (inTwoPasses.ts), for both readers: managed images and gallery image versions.
import type { Logger } from '../log';
import type { SourceImage } from '../domain';
import type { SubscriptionListing } from '../ports';
import { type ListingFailure, inTwoPasses } from './inTwoPasses';

/** One subscription's answer: the sources kept (in scope) and how many were read, or why it could not be listed. */
export type SubscriptionOutcome =
  { readonly kind: 'listed'; readonly images: readonly SourceImage[]; readonly listed: number } | ListingFailure;

export function toSubscriptionListing(
  subscriptions: readonly string[],
  outcomes: readonly (SubscriptionOutcome | undefined)[],
): SubscriptionListing {
  const listing: {
    images: SourceImage[];
    listed: number;
    unreadable: { subscriptionId: string; detail: string }[];
    unavailable: { subscriptionId: string; detail: string }[];
  } = { images: [], listed: 0, unreadable: [], unavailable: [] };
  subscriptions.forEach((subscriptionId, index) => {
    const outcome = outcomes[index];
    if (outcome === undefined) return;
    if (outcome.kind === 'listed') {
      for (const image of outcome.images) listing.images.push(image);
      listing.listed += outcome.listed;
    } else listing[outcome.kind].push({ subscriptionId, detail: outcome.detail });
  });
  return listing;
}

export interface SubscriptionListingOptions {
  readonly concurrency: number;
  readonly secondPassDelayMs: number;
  readonly log: Logger;
  /** Log event prefix: `${events}Deferred` / `${events}Retried`. */
  readonly events: 'SubscriptionListing' | 'GalleryListing';
}

export async function listEverySubscription(
  subscriptions: readonly string[],
  listOne: (subscriptionId: string) => Promise<SubscriptionOutcome>,
  options: SubscriptionListingOptions,
): Promise<SubscriptionListing> {
  const { log, events } = options;
  const outcomes = await inTwoPasses(subscriptions, listOne, {
    concurrency: options.concurrency,
    secondPassDelayMs: options.secondPassDelayMs,
    onDeferred: (count, retryAfterMs) => log.warn(`${events}Deferred`, { subscriptions: count, retryAfterMs }),
    onRetried: (count, delayMs) => log.warn(`${events}Retried`, { subscriptions: count, delayMs }),
  });
  return toSubscriptionListing(subscriptions, outcomes);
}
