import { listingFailure } from './inTwoPasses';
import { type SubscriptionOutcome, listEverySubscription } from './subscriptionListing';
import type { ComputeManagementClient, Image } from '@azure/arm-compute';
import type { TokenCredential } from '@azure/core-auth';
import { createDefaultHttpClient } from '@azure/core-rest-pipeline';
import type { ArmImageDiscoverySettings, ImageScope } from '../config';
import type { SourceImage } from '../domain';
import { PermanentError } from '../errors';
import type { Logger } from '../log';
import type { SourceImageReader, SubscriptionListing } from '../ports';
import { isInScope } from '../rules/scope';
import { classifyArmError } from './classifyArmError';
import { createComputeClient } from './createComputeClient';
import { parseManagedImageId } from '../parse/managedImageId';
import { toSourceImage } from './toSourceImage';

/** The in-scope images of a listing, and how many it read in all. */
interface Kept {
  readonly images: SourceImage[];
  listed: number;
}

export interface SourceImageReaderOptions {
  readonly config: ArmImageDiscoverySettings;
  readonly credential: TokenCredential;
  readonly log: Logger;
  /** Pause before a subscription that failed transiently is listed again in the same run. */
  readonly secondPassDelayMs?: number;
  readonly retry?: { maxRetries?: number; retryDelayInMs?: number };
}

/**
 * Keeps the images in scope as the pages arrive; the others are counted and let go with their page,
 * so memory follows the images the app acts on, not the estate (most images carry no opt-in tag).
 */
async function collectInScope(pages: AsyncIterable<Image>, scope: ImageScope, into: Kept): Promise<void> {
  for await (const image of pages) {
    const sourceImage = toSourceImage(image);
    if (sourceImage === null) continue;
    into.listed += 1;
    if (isInScope(sourceImage, scope)) into.images.push(sourceImage);
  }
}

export function createSourceImageReader(options: SourceImageReaderOptions): SourceImageReader {
  const { config, credential, log } = options;
  const httpClient = createDefaultHttpClient();
  const newClient = (subscriptionId: string): ComputeManagementClient =>
    createComputeClient(credential, config, subscriptionId, {
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      httpClient,
    });
  // Reads of one image (events, the register command) touch few subscriptions: their clients are kept.
  const clients = new Map<string, ComputeManagementClient>();
  const clientFor = (subscriptionId: string): ComputeManagementClient => {
    const key = subscriptionId.toLowerCase();
    let client = clients.get(key);
    if (client === undefined) {
      client = newClient(subscriptionId);
      clients.set(key, client);
    }
    return client;
  };

  // The configured groups apply to every subscription; one that a subscription lacks is not an error.
  const listGroup = async (client: ComputeManagementClient, subscriptionId: string, group: string, into: Kept): Promise<void> => {
    try {
      await collectInScope(client.images.listByResourceGroup(group), config.scope, into);
    } catch (error) {
      const classified = classifyArmError(error, `listing images of resource group ${group}`);
      if (classified instanceof PermanentError && classified.code === 'ResourceGroupNotFound') {
        log.debug('ResourceGroupAbsent', { subscriptionId, resourceGroup: group });
        return;
      }
      throw error;
    }
  };

  // A listing's client (about 50 kB) is let go with it: an estate of a thousand subscriptions would keep 50 MB.
  const listSubscription = async (subscriptionId: string): Promise<SubscriptionOutcome> => {
    const client = clients.get(subscriptionId.toLowerCase()) ?? newClient(subscriptionId);
    const kept: Kept = { images: [], listed: 0 };
    try {
      if (config.resourceGroups === null) await collectInScope(client.images.list(), config.scope, kept);
      else for (const group of config.resourceGroups) await listGroup(client, subscriptionId, group, kept);
      return { kind: 'listed', ...kept };
    } catch (error) {
      const classified = classifyArmError(error, `listing images of subscription ${subscriptionId}`);
      return listingFailure(classified);
    }
  };

  return {
    listAll: (): Promise<SubscriptionListing> =>
      listEverySubscription(config.subscriptionIds, listSubscription, {
        concurrency: config.subscriptionConcurrency,
        secondPassDelayMs: options.secondPassDelayMs ?? 5_000,
        log,
        events: 'SubscriptionListing',
      }),

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
