// IMAGE_SYNC_GALLERY_SOURCES=copy|direct: every gallery image version in the scanned subscriptions
// (IMAGE_SYNC_RESOURCE_GROUPS narrows by the gallery's group), read through ARM: galleries, then
// each gallery's image definitions, then each definition's versions, every list paged by the SDK.
// A subscription is reported as the managed-image reader reports it: 401/403/404 unreadable, a
// transient failure unavailable (tried again in a second pass, then next reconcile).
import type { ComputeManagementClient, Gallery, GalleryImage } from '@azure/arm-compute';
import type { TokenCredential } from '@azure/core-auth';
import { createDefaultHttpClient } from '@azure/core-rest-pipeline';
import type { ArmDiscoverySettings } from '../config';
import type { SourceImage } from '../domain';
import { PermanentError } from '../errors';
import type { Logger } from '../log';
import { mapConcurrently } from '../mapConcurrently';
import type { SourceImageReader, SubscriptionListing } from '../ports';
import { classifyArmError } from './classifyArmError';
import { createComputeClient } from './createComputeClient';
import { parseGalleryVersionId } from '../parse/galleryVersionId';
import { listingFailure } from './inTwoPasses';
import { type SubscriptionOutcome, listEverySubscription } from './subscriptionListing';
import { gallerySourceImageOf } from './toGallerySourceImage';

export interface GalleryVersionReaderOptions {
  readonly config: ArmDiscoverySettings;
  readonly credential: TokenCredential;
  readonly log: Logger;
  readonly secondPassDelayMs?: number;
  readonly retry?: { maxRetries?: number; retryDelayInMs?: number };
}

/** Definitions whose versions are listed at once, within one subscription. */
const DEFINITIONS_AT_ONCE = 4;

const RESOURCE_GROUP_OF = /\/resourceGroups\/([^/]+)\//i;

async function collect<T>(pages: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of pages) items.push(item);
  return items;
}

function isNotFound(error: unknown, what: string): boolean {
  const classified = classifyArmError(error, what);
  return classified instanceof PermanentError && classified.status === 404;
}

export function createGalleryVersionReader(options: GalleryVersionReaderOptions): SourceImageReader {
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
  const listGalleries = async (client: ComputeManagementClient, subscriptionId: string): Promise<Gallery[]> => {
    if (config.resourceGroups === null) return collect(client.galleries.list());
    const galleries: Gallery[] = [];
    for (const group of config.resourceGroups) {
      try {
        galleries.push(...(await collect(client.galleries.listByResourceGroup(group))));
      } catch (error) {
        const classified = classifyArmError(error, `listing galleries of resource group ${group}`);
        if (!(classified instanceof PermanentError && classified.code === 'ResourceGroupNotFound')) throw error;
        log.debug('ResourceGroupAbsent', { subscriptionId, resourceGroup: group });
      }
    }
    return galleries;
  };

  // A gallery or definition deleted between two lists has nothing to list: not an error.
  const versionsOf = async (client: ComputeManagementClient, group: string, gallery: string, definition: GalleryImage) => {
    const definitionName = definition.name ?? '';
    try {
      const versions = await collect(client.galleryImageVersions.listByGalleryImage(group, gallery, definitionName));
      return versions.map((version) => gallerySourceImageOf(version, definition)).filter((image) => image !== null);
    } catch (error) {
      if (isNotFound(error, 'listing versions')) return [];
      throw error;
    }
  };

  const listGallery = async (client: ComputeManagementClient, gallery: Gallery): Promise<SourceImage[]> => {
    const group = RESOURCE_GROUP_OF.exec(gallery.id ?? '')?.[1];
    const name = gallery.name;
    if (group === undefined || name === undefined) return [];
    let definitions: GalleryImage[];
    try {
      definitions = await collect(client.galleryImages.listByGallery(group, name));
    } catch (error) {
      if (isNotFound(error, 'listing image definitions')) return [];
      throw error;
    }
    const named = definitions.filter((definition) => typeof definition.name === 'string');
    return (await mapConcurrently(named, DEFINITIONS_AT_ONCE, (definition) => versionsOf(client, group, name, definition))).flat();
  };

  const listSubscription = async (subscriptionId: string): Promise<SubscriptionOutcome> => {
    const client = clientFor(subscriptionId);
    try {
      const images: SourceImage[] = [];
      for (const gallery of await listGalleries(client, subscriptionId)) images.push(...(await listGallery(client, gallery)));
      // Every version listed is kept (scope is the planner's, on the merged tags): listed is all of them.
      return { kind: 'listed', images, listed: images.length };
    } catch (error) {
      const classified = classifyArmError(error, `listing gallery image versions of subscription ${subscriptionId}`);
      return listingFailure(classified);
    }
  };

  return {
    listAll: (): Promise<SubscriptionListing> =>
      listEverySubscription(config.subscriptionIds, listSubscription, {
        concurrency: config.subscriptionConcurrency,
        secondPassDelayMs: options.secondPassDelayMs ?? 5_000,
        log,
        events: 'GalleryListing',
      }),

    async get(sourceImageResourceId: string): Promise<SourceImage | null> {
      const id = parseGalleryVersionId(sourceImageResourceId);
      if (id === null)
        throw new PermanentError({
          message: `"${sourceImageResourceId}" is not a gallery image version id (/subscriptions/{guid}/resourceGroups/{group}/providers/Microsoft.Compute/galleries/{gallery}/images/{definition}/versions/{version})`,
          status: null,
          code: 'InvalidResourceId',
        });
      const client = clientFor(id.subscriptionId);
      try {
        const [version, definition] = await Promise.all([
          client.galleryImageVersions.get(id.resourceGroup, id.galleryName, id.definitionName, id.versionName),
          client.galleryImages.get(id.resourceGroup, id.galleryName, id.definitionName),
        ]);
        return gallerySourceImageOf(version, definition);
      } catch (error) {
        const classified = classifyArmError(error, `reading gallery image version ${sourceImageResourceId}`);
        if (classified instanceof PermanentError && classified.status === 404) return null;
        throw classified;
      }
    },
  };
}
