import { inTwoPasses } from './inTwoPasses';
import type { ComputeManagementClient, Image } from '@azure/arm-compute';
import type { TokenCredential } from '@azure/core-auth';
import { createDefaultHttpClient } from '@azure/core-rest-pipeline';
import type { Config } from '../config';
import type { SourceImage } from '../domain';
import { PermanentError } from '../errors';
import type { Logger } from '../log';
import type { SourceImageReader, SubscriptionListing } from '../ports';
import { classifyArmError } from './classifyArmError';
import { createComputeClient } from './createComputeClient';
import { parseManagedImageId } from '../parse/managedImageId';
import { toSourceImage } from './toSourceImage';

type ListingOutcome =
  | { readonly kind: 'listed'; readonly images: SourceImage[] }
  | { readonly kind: 'unreadable'; readonly detail: string }
  /** retryAfterMs: what the last answer asked to wait (429/503 with Retry-After), if anything. */
  | { readonly kind: 'unavailable'; readonly detail: string; readonly retryAfterMs: number | null };

export interface SourceImageReaderOptions {
  readonly config: Pick<Config, 'armEndpoint' | 'subscriptionIds' | 'resourceGroups' | 'subscriptionConcurrency'>;
  readonly credential: TokenCredential;
  readonly log: Logger;
  /** Pause before a subscription that failed transiently is listed again in the same run. */
  readonly secondPassDelayMs?: number;
  readonly retry?: { maxRetries?: number; retryDelayInMs?: number };
}

async function collect(pages: AsyncIterable<Image>): Promise<SourceImage[]> {
  const images: SourceImage[] = [];
  for await (const image of pages) {
    const sourceImage = toSourceImage(image);
    if (sourceImage !== null) images.push(sourceImage);
  }
  return images;
}

/** A Retry-After longer than this is not waited for in this run: the next reconcile lists those subscriptions. */

function toListing(subscriptions: readonly string[], outcomes: readonly (ListingOutcome | undefined)[]): SubscriptionListing {
  const listing: {
    images: SourceImage[];
    unreadable: { subscriptionId: string; detail: string }[];
    unavailable: { subscriptionId: string; detail: string }[];
  } = { images: [], unreadable: [], unavailable: [] };
  subscriptions.forEach((subscriptionId, index) => {
    const outcome = outcomes[index];
    if (outcome === undefined) return;
    if (outcome.kind === 'listed') listing.images.push(...outcome.images);
    else listing[outcome.kind].push({ subscriptionId, detail: outcome.detail });
  });
  return listing;
}

export function createSourceImageReader(options: SourceImageReaderOptions): SourceImageReader {
  const { config, credential, log } = options;
  const clients = new Map<string, ComputeManagementClient>();
  const httpClient = createDefaultHttpClient();
  const clientFor = (subscriptionId: string): ComputeManagementClient => {
    const key = subscriptionId.toLowerCase();
    let client = clients.get(key);
    if (client === undefined) {
      client = createComputeClient(credential, config, subscriptionId, {
        ...(options.retry === undefined ? {} : { retry: options.retry }),
        httpClient,
      });
      clients.set(key, client);
    }
    return client;
  };

  // The configured groups apply to every subscription; one that a subscription lacks is not an error.
  const listGroup = async (client: ComputeManagementClient, subscriptionId: string, group: string): Promise<SourceImage[]> => {
    try {
      return await collect(client.images.listByResourceGroup(group));
    } catch (error) {
      const classified = classifyArmError(error, `listing images of resource group ${group}`);
      if (classified instanceof PermanentError && classified.code === 'ResourceGroupNotFound') {
        log.debug('ResourceGroupAbsent', { subscriptionId, resourceGroup: group });
        return [];
      }
      throw error;
    }
  };

  const listSubscription = async (subscriptionId: string): Promise<ListingOutcome> => {
    const client = clientFor(subscriptionId);
    try {
      if (config.resourceGroups === null) return { kind: 'listed', images: await collect(client.images.list()) };
      const images: SourceImage[] = [];
      for (const group of config.resourceGroups) images.push(...(await listGroup(client, subscriptionId, group)));
      return { kind: 'listed', images };
    } catch (error) {
      const classified = classifyArmError(error, `listing images of subscription ${subscriptionId}`);
      if (classified instanceof PermanentError) return { kind: 'unreadable', detail: classified.message };
      return { kind: 'unavailable', detail: classified.message, retryAfterMs: classified.retryAfterMs };
    }
  };

  return {
    async listAll(): Promise<SubscriptionListing> {
      const subscriptions = config.subscriptionIds;
      const outcomes = await inTwoPasses(subscriptions, listSubscription, {
        concurrency: config.subscriptionConcurrency,
        secondPassDelayMs: options.secondPassDelayMs ?? 5_000,
        onDeferred: (count, retryAfterMs) => log.warn('SubscriptionListingDeferred', { subscriptions: count, retryAfterMs }),
        onRetried: (count, delayMs) => log.warn('SubscriptionListingRetried', { subscriptions: count, delayMs }),
      });
      return toListing(subscriptions, outcomes);
    },

    async get(sourceImageResourceId: string): Promise<SourceImage | null> {
      const id = parseManagedImageId(sourceImageResourceId);
      if (id === null)
        throw new PermanentError({
          message: `"${sourceImageResourceId}" is not a managed image id (/subscriptions/{guid}/resourceGroups/{group}/providers/Microsoft.Compute/images/{name})`,
          status: null,
          code: 'InvalidResourceId',
        });
      try {
        return toSourceImage(await clientFor(id.subscriptionId).images.get(id.resourceGroup, id.name));
      } catch (error) {
        const classified = classifyArmError(error, `reading image ${sourceImageResourceId}`);
        if (classified instanceof PermanentError && classified.status === 404) return null;
        throw classified;
      }
    },
  };
}
