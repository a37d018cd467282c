// IMAGE_SYNC_DISCOVERY=resource-graph with IMAGE_SYNC_GALLERY_SOURCES on: the gallery image versions
// of the subscriptions in two paged Resource Graph queries (definitions, versions), joined in memory
// (a version's definition is its id without `/versions/{name}`) and kept when the merged tags opt in.
// A query that fails leaves its subscriptions unreadable or unavailable, as the managed-image query
// does; which listed subscriptions Resource Graph cannot see at all, that query reports. Reads of one
// version (an event, the register command) stay on ARM: Resource Graph lags writes.
import type { ResourceGraphClient } from '@azure/arm-resourcegraph';
import type { TokenCredential } from '@azure/core-auth';
import type { ResourceGraphDiscoverySettings } from '../config';
import type { SourceImage } from '../domain';
import { PermanentError, TransientError } from '../errors';
import { inChunks } from '../inChunks';
import type { Logger } from '../log';
import type { SourceImageReader, SubscriptionListing } from '../ports';
import { isInScope } from '../rules/scope';
import { classifyArmError } from './classifyArmError';
import { definitionIdOf } from '../parse/galleryVersionId';
import { galleryDefinitionsQuery, galleryVersionsQuery } from './galleryResourceGraphQuery';
import { type ListingFailure, inTwoPasses, listingFailure } from './inTwoPasses';
import { allResourceGraphRows, resourceGraphAccess } from './resourceGraphPages';
import { EVERY_SUBSCRIPTION, SUBSCRIPTIONS_PER_QUERY } from './resourceGraphSourceImageReader';
import { flattenProperties, gallerySourceImageOf } from './toGallerySourceImage';

export interface ResourceGraphGalleryReaderOptions {
  readonly config: ResourceGraphDiscoverySettings;
  readonly credential: TokenCredential;
  readonly log: Logger;
  /** Reads of one version: ARM's (createGalleryVersionReader), which sees a write at once. */
  readonly perImage: Pick<SourceImageReader, 'get'>;
  readonly secondPassDelayMs?: number;
  readonly retry?: { maxRetries?: number; retryDelayInMs?: number };
  readonly pageSize?: number;
  readonly client?: Pick<ResourceGraphClient, 'resources'>;
}

const QUERIES_AT_ONCE = 2;

type Batch = readonly string[] | null;

type QueryOutcome = { readonly kind: 'answered'; readonly images: readonly SourceImage[] } | ListingFailure;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Versions joined to their definitions; a version whose definition is not in the answer has no OS facts and is left out (logged). */
export function joinGalleryRows(
  definitionRows: readonly unknown[],
  versionRows: readonly unknown[],
): { readonly images: SourceImage[]; readonly orphans: string[] } {
  const definitions = new Map<string, Record<string, unknown>>();
  for (const row of definitionRows) {
    if (isRecord(row) && typeof row['id'] === 'string') definitions.set(row['id'].toLowerCase(), flattenProperties(row));
  }
  const images: SourceImage[] = [];
  const orphans: string[] = [];
  for (const row of versionRows) {
    if (!isRecord(row) || typeof row['id'] !== 'string') continue;
    const definition = definitions.get(definitionIdOf(row['id']).toLowerCase());
    if (definition === undefined) {
      orphans.push(row['id']);
      continue;
    }
    const image = gallerySourceImageOf(flattenProperties(row), definition);
    if (image !== null) images.push(image);
  }
  return { images, orphans };
}

export function createResourceGraphGalleryReader(options: ResourceGraphGalleryReaderOptions): SourceImageReader {
  const { config, log } = options;
  const { clientOf, pageSize } = resourceGraphAccess(options.credential, config, options);

  const queryBatch = async (batch: Batch): Promise<QueryOutcome> => {
    const subjects = batch === null ? 'every readable subscription' : `${batch.length} subscription(s)`;
    const what = `querying Resource Graph for the gallery image versions of ${subjects}`;
    try {
      const definitions = await allResourceGraphRows(clientOf(), {
        subscriptions: batch,
        query: galleryDefinitionsQuery(config.resourceGroups),
        pageSize,
        what,
      });
      const versions = await allResourceGraphRows(clientOf(), {
        subscriptions: batch,
        query: galleryVersionsQuery(config.resourceGroups),
        pageSize,
        what,
      });
      const joined = joinGalleryRows(definitions.rows, versions.rows);
      // A definition written after the definitions query was answered: the next reconcile sees both.
      if (joined.orphans.length > 0) log.warn('GalleryVersionsWithoutDefinition', { versions: joined.orphans.slice(0, 20) });
      const images = joined.images.filter((image) => isInScope(image, config.scope));
      log.debug('ResourceGraphGalleryQueried', { subscriptions: batch?.length ?? EVERY_SUBSCRIPTION, versions: images.length });
      return { kind: 'answered', images };
    } catch (error) {
      const classified = error instanceof PermanentError || error instanceof TransientError ? error : classifyArmError(error, what);
      return listingFailure(classified);
    }
  };

  return {
    async listAll(): Promise<SubscriptionListing> {
      const batches: Batch[] = config.allSubscriptions ? [null] : [...inChunks(config.subscriptionIds, SUBSCRIPTIONS_PER_QUERY)];
      const outcomes = await inTwoPasses(batches, queryBatch, {
        concurrency: QUERIES_AT_ONCE,
        secondPassDelayMs: options.secondPassDelayMs ?? 5_000,
        onDeferred: (count, retryAfterMs) => log.warn('ResourceGraphGalleryQueryDeferred', { queries: count, retryAfterMs }),
        onRetried: (count, delayMs) => log.warn('ResourceGraphGalleryQueryRetried', { queries: count, delayMs }),
      });
      const images: SourceImage[] = [];
      const unreadable: { subscriptionId: string; detail: string }[] = [];
      const unavailable: { subscriptionId: string; detail: string }[] = [];
      batches.forEach((batch, index) => {
        const outcome = outcomes[index];
        if (outcome === undefined) return;
        if (outcome.kind === 'answered') images.push(...outcome.images);
        else
          for (const subscriptionId of batch ?? [EVERY_SUBSCRIPTION])
            (outcome.kind === 'unreadable' ? unreadable : unavailable).push({ subscriptionId, detail: outcome.detail });
      });
      // The versions in scope (the queries cannot filter on the merged tags, so they are filtered here).
      return { images, listed: images.length, unreadable, unavailable };
    },

    get: (sourceImageResourceId) => options.perImage.get(sourceImageResourceId),
  };
}
