// IMAGE_SYNC_DISCOVERY=resource-graph: every tagged managed image in one paged Azure Resource
// Graph query across the subscriptions (or every subscription the identity can read), behind the
// same port as the ARM reader, so the planner cannot tell the two apart. What ARM mode reports per
// subscription, this one reports too: a listed subscription Resource Graph has no record of is
// unreadable (a problem), a query that failed transiently after the SDK's retries leaves its
// subscriptions unavailable (tried again in a second pass, then next reconcile). Reads of one image
// (an event, the register command) stay on ARM: Resource Graph lags writes by seconds to minutes.
import { type ListingFailure, inTwoPasses, listingFailure } from './inTwoPasses';
import type { ResourceGraphClient } from '@azure/arm-resourcegraph';
import type { TokenCredential } from '@azure/core-auth';
import type { ResourceGraphDiscoverySettings } from '../config';
import type { SourceImage } from '../domain';
import { PermanentError, TransientError } from '../errors';
import { inChunks } from '../inChunks';
import type { Logger } from '../log';
import type { SourceImageReader, SubscriptionListing } from '../ports';
import { classifyArmError } from './classifyArmError';
import { discoveryQuery } from './resourceGraphQuery';
import { toResourceGraphRow } from './resourceGraphRow';
import { forEachResourceGraphPage, resourceGraphAccess } from './resourceGraphPages';

export interface ResourceGraphReaderOptions {
  readonly config: ResourceGraphDiscoverySettings;
  readonly credential: TokenCredential;
  readonly log: Logger;
  /** Reads of one image: ARM's, which sees a write at once. */
  readonly perImage: Pick<SourceImageReader, 'get'>;
  /** Pause before a query that failed transiently is sent again in the same run. */
  readonly secondPassDelayMs?: number;
  readonly retry?: { maxRetries?: number; retryDelayInMs?: number };
  /** Rows per page (`$top`); at most and by default 1,000, Resource Graph's largest page. */
  readonly pageSize?: number;
  /** A client of one's own (tests); by default one made from the credential and config. */
  readonly client?: Pick<ResourceGraphClient, 'resources'>;
}

/** Subscriptions named in one request; more are split over several queries (as the Azure CLI does). */
export const SUBSCRIPTIONS_PER_QUERY = 1_000;
/** Queries in flight at once: Resource Graph's quota is 15 queries per 5 seconds per user. */
const QUERIES_AT_ONCE = 3;
/** A Retry-After longer than this is not waited for in this run: the next reconcile queries again. */
/** `IMAGE_SYNC_SUBSCRIPTION_IDS=*` has no subscription to name in a listing's unreadable/unavailable: it is this. */
export const EVERY_SUBSCRIPTION = '*';

type QueryOutcome =
  | { readonly kind: 'answered'; readonly images: readonly SourceImage[]; readonly readable: ReadonlySet<string>; readonly pages: number }
  | ListingFailure;

/** null: every subscription the identity can read. */
type Batch = readonly string[] | null;

function unreadableDetail(subscriptionId: string): string {
  return `Resource Graph has no record of subscription ${subscriptionId}: the identity cannot read it (it needs Reader on the subscription) or it does not exist`;
}

function toListing(batches: readonly Batch[], outcomes: readonly (QueryOutcome | undefined)[]): SubscriptionListing {
  const images = new Map<string, SourceImage>();
  const unreadable: { subscriptionId: string; detail: string }[] = [];
  const unavailable: { subscriptionId: string; detail: string }[] = [];
  batches.forEach((batch, index) => {
    const outcome = outcomes[index];
    if (outcome === undefined) return;
    const subjects = batch ?? [EVERY_SUBSCRIPTION];
    if (outcome.kind === 'answered') {
      for (const image of outcome.images) images.set(image.id.toLowerCase(), image);
      for (const subscriptionId of batch ?? []) {
        if (!outcome.readable.has(subscriptionId.toLowerCase()))
          unreadable.push({ subscriptionId, detail: unreadableDetail(subscriptionId) });
      }
      return;
    }
    const target = outcome.kind === 'unreadable' ? unreadable : unavailable;
    for (const subscriptionId of subjects) target.push({ subscriptionId, detail: outcome.detail });
  });
  // The query returns the images in scope only (the tag is filtered on the server): each is counted once, as kept.
  return { images: [...images.values()], listed: images.size, unreadable, unavailable };
}

export function createResourceGraphSourceImageReader(options: ResourceGraphReaderOptions): SourceImageReader {
  const { config, log } = options;
  const { clientOf, pageSize } = resourceGraphAccess(options.credential, config, options);

  const queryBatch = async (batch: Batch): Promise<QueryOutcome> => {
    const query = discoveryQuery({ scope: config.scope, resourceGroups: config.resourceGroups, withSubscriptionRows: batch !== null });
    const what =
      batch === null
        ? 'querying Resource Graph for the managed images of every readable subscription'
        : `querying Resource Graph for the managed images of ${batch.length} subscription(s)`;
    const images: SourceImage[] = [];
    const readable = new Set<string>();
    let pages = 0;
    try {
      pages = await forEachResourceGraphPage(clientOf(), { subscriptions: batch, query, pageSize, what }, (page) => {
        for (const value of page) {
          const row = toResourceGraphRow(value);
          if (row.kind === 'image') images.push(row.image);
          else if (row.kind === 'subscription') readable.add(row.subscriptionId.toLowerCase());
        }
      });
    } catch (error) {
      const classified = error instanceof PermanentError || error instanceof TransientError ? error : classifyArmError(error, what);
      return listingFailure(classified);
    }
    log.debug('ResourceGraphQueried', {
      subscriptions: batch?.length ?? EVERY_SUBSCRIPTION,
      pages,
      images: images.length,
      readable: readable.size,
    });
    return { kind: 'answered', images, readable, pages };
  };

  return {
    async listAll(): Promise<SubscriptionListing> {
      const batches: Batch[] = config.allSubscriptions ? [null] : [...inChunks(config.subscriptionIds, SUBSCRIPTIONS_PER_QUERY)];
      const outcomes = await inTwoPasses(batches, queryBatch, {
        concurrency: QUERIES_AT_ONCE,
        secondPassDelayMs: options.secondPassDelayMs ?? 5_000,
        onDeferred: (count, retryAfterMs) => log.warn('ResourceGraphQueryDeferred', { queries: count, retryAfterMs }),
        onRetried: (count, delayMs) => log.warn('ResourceGraphQueryRetried', { queries: count, delayMs }),
      });
      return toListing(batches, outcomes);
    },

    get: (sourceImageResourceId) => options.perImage.get(sourceImageResourceId),
  };
}
