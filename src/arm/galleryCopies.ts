// IMAGE_SYNC_GALLERY_SOURCES=copy (DESIGN §17): a gallery version's managed-image copy in the
// staging group — a managed disk made from the version, then a generalized V2 managed image made
// from the disk — found again by its name (galleryCopyName) and its tag. ARM's long-running
// operations are waited for through the SDK's pollers; its retries are the SDK pipeline's.
import type { ComputeManagementClient, Disk, Image } from '@azure/arm-compute';
import type { TokenCredential } from '@azure/core-auth';
import { type HttpClient, createDefaultHttpClient, createPipelineRequest } from '@azure/core-rest-pipeline';
import type { GallerySourceSettings, StagingResourceGroup } from '../config';
import { type SourceImage, regionKey } from '../domain';
import { ForbiddenError, PermanentError, TransientError } from '../errors';
import type { Logger } from '../log';
import type { GalleryCopies, GalleryCopyResource } from '../ports';
import { type GalleryCopyIds, galleryCopyIds } from '../rules/galleryCopyName';
import { classifyArmError } from './classifyArmError';
import { createComputeClient } from './createComputeClient';

/** The tag on both resources of a copy: the gallery version it copies (DESIGN §17). */
export const COPY_OF_TAG = 'cloudpc-sync-copy-of';
const RESOURCE_GROUP_API_VERSION = '2021-04-01';

export interface GalleryCopiesOptions {
  readonly config: GallerySourceSettings;
  readonly credential: TokenCredential;
  readonly log: Logger;
  readonly retry?: { maxRetries?: number; retryDelayInMs?: number };
  /** How often the SDK's pollers ask after a long-running operation (the SDK's default when absent). */
  readonly pollIntervalMs?: number;
}

/** classifyArmError, with 401/403 as ForbiddenError (the identity may not write the staging group). */
function classify(error: unknown, what: string): PermanentError | TransientError {
  const classified = classifyArmError(error, what);
  if (classified instanceof PermanentError && (classified.status === 401 || classified.status === 403))
    return new ForbiddenError({ message: classified.message, status: classified.status, code: classified.code, cause: error });
  return classified;
}

function copyOf(tags: Record<string, string> | undefined): string | null {
  if (tags === undefined) return null;
  const entry = Object.entries(tags).find(([key]) => key.toLowerCase() === COPY_OF_TAG);
  return entry === undefined ? null : entry[1];
}

function copies(resource: { tags?: Record<string, string> }, galleryVersionId: string): boolean {
  return copyOf(resource.tags)?.toLowerCase() === galleryVersionId.toLowerCase();
}

export function createGalleryCopies(options: GalleryCopiesOptions): GalleryCopies {
  const { config, credential, log } = options;
  const staging: StagingResourceGroup | null = config.gallery.stagingResourceGroup;
  if (staging === null) throw new Error('createGalleryCopies needs IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP (copy mode)');
  const httpClient: HttpClient = createDefaultHttpClient();
  const client: ComputeManagementClient = createComputeClient(credential, config, staging.subscriptionId, {
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    httpClient,
  });
  const group = staging.name;
  const poll = options.pollIntervalMs === undefined ? {} : { updateIntervalInMs: options.pollIntervalMs };

  /** The resource, or null when ARM answers 404. */
  async function orNull<T>(read: () => Promise<T>, what: string): Promise<T | null> {
    try {
      return await read();
    } catch (error) {
      const classified = error instanceof PermanentError || error instanceof TransientError ? error : classify(error, what);
      if (classified instanceof PermanentError && classified.status === 404) return null;
      throw classified;
    }
  }

  async function act<T>(run: () => PromiseLike<T>, what: string): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw classify(error, what);
    }
  }

  async function stagingRegion(): Promise<string | null> {
    const url = `${config.armEndpoint}/subscriptions/${staging!.subscriptionId}/resourcegroups/${encodeURIComponent(group)}?api-version=${RESOURCE_GROUP_API_VERSION}`;
    let response;
    try {
      response = await client.pipeline.sendRequest(httpClient, createPipelineRequest({ url, method: 'GET' }));
    } catch (error) {
      throw classify(error, `reading resource group ${staging!.id}`);
    }
    if (response.status === 404) return null;
    if (response.status === 401 || response.status === 403)
      throw new ForbiddenError({ message: `reading resource group ${staging!.id}: ${response.status}`, status: response.status });
    if (response.status >= 400) {
      const what = `reading resource group ${staging!.id}: ${response.status}`;
      throw response.status >= 500 || response.status === 429
        ? new TransientError({ message: what, status: response.status })
        : new PermanentError({ message: what, status: response.status });
    }
    const body = JSON.parse(response.bodyAsText ?? '{}') as { location?: unknown };
    if (typeof body.location !== 'string')
      throw new PermanentError({ message: `resource group ${staging!.id} came back without a location`, status: response.status });
    return regionKey(body.location);
  }

  /**
   * Deletes the copy's image or disk, read first (DESIGN §15): absent is done, and one of the copy's
   * name that does not carry this version's tag is not the app's: it is left alone, and said so.
   */
  async function removeOwn(kind: 'image' | 'disk', ids: GalleryCopyIds, galleryVersionId: string): Promise<void> {
    const id = kind === 'image' ? ids.imageId : ids.diskId;
    const operations = kind === 'image' ? client.images : client.disks;
    const found = await orNull(() => operations.get(group, ids.name), `reading ${kind} ${id}`);
    if (found === null) return;
    if (!copies(found, galleryVersionId)) {
      log.warn('GalleryCopyLeftAlone', { id, reason: `not tagged ${COPY_OF_TAG}=${galleryVersionId}` });
      return;
    }
    await orNull(() => act(() => operations.delete(group, ids.name, poll), `deleting ${kind} ${id}`), `deleting ${kind} ${id}`);
  }

  function idsOf(galleryVersionId: string): GalleryCopyIds {
    const ids = galleryCopyIds(galleryVersionId, staging!);
    if (ids === null)
      throw new PermanentError({
        message: `"${galleryVersionId}" is not a gallery image version id`,
        status: null,
        code: 'InvalidResourceId',
      });
    return ids;
  }

  /** A resource of the copy's name that is not this version's copy is never touched: a problem with the fix. */
  function notOurs(kind: string, id: string, galleryVersionId: string): PermanentError {
    return new PermanentError({
      message: `${kind} ${id} exists but is not tagged ${COPY_OF_TAG}=${galleryVersionId}; the app leaves it alone: delete or rename it so the copy can be made`,
      status: 409,
      code: 'CopyNameTaken',
    });
  }

  async function ensureDisk(version: SourceImage, ids: GalleryCopyIds, location: string): Promise<void> {
    let disk: Disk | null = await orNull(() => client.disks.get(group, ids.name), `reading disk ${ids.diskId}`);
    if (disk !== null && !copies(disk, version.id)) throw notOurs('disk', ids.diskId, version.id);
    if (disk?.provisioningState === 'Failed') {
      log.warn('GalleryCopyDiskRedone', { sourceImageResourceId: version.id, diskId: ids.diskId });
      await removeOwn('disk', ids, version.id);
      disk = null;
    }
    if (disk?.provisioningState === 'Succeeded') return;
    // Absent, or half made by an earlier attempt: the PUT is idempotent and the poller waits for it.
    const made = await act(
      () =>
        client.disks.createOrUpdate(
          group,
          ids.name,
          {
            location,
            tags: { [COPY_OF_TAG]: version.id },
            osType: 'Windows',
            hyperVGeneration: 'V2',
            creationData: { createOption: 'FromImage', galleryImageReference: { id: version.id } },
          },
          poll,
        ),
      `creating disk ${ids.diskId} from ${version.id}`,
    );
    if (made.provisioningState !== undefined && made.provisioningState !== 'Succeeded')
      throw new TransientError({ message: `disk ${ids.diskId} ended ${made.provisioningState}; it is made again on the next try` });
  }

  async function makeImage(version: SourceImage, ids: GalleryCopyIds, location: string): Promise<void> {
    try {
      await act(
        () =>
          client.images.createOrUpdate(
            group,
            ids.name,
            {
              location,
              tags: { [COPY_OF_TAG]: version.id },
              hyperVGeneration: 'V2',
              storageProfile: { osDisk: { osType: 'Windows', osState: 'Generalized', managedDisk: { id: ids.diskId } } },
            },
            poll,
          ),
        `creating image ${ids.imageId} from ${ids.diskId}`,
      );
    } catch (error) {
      // The identity may make disks but not images: the disk it made is not left behind.
      if (error instanceof ForbiddenError) await removeOwn('disk', ids, version.id).catch(() => undefined);
      throw error;
    }
  }

  return {
    stagingRegion,

    async ensureCopy(version: SourceImage): Promise<string> {
      const ids = idsOf(version.id);
      const image: Image | null = await orNull(() => client.images.get(group, ids.name), `reading image ${ids.imageId}`);
      if (image !== null && !copies(image, version.id)) throw notOurs('image', ids.imageId, version.id);
      if (image?.provisioningState === 'Succeeded') return ids.imageId;
      const location = await stagingRegion();
      if (location === null)
        throw new PermanentError({ message: `resource group ${staging.id} does not exist`, status: 404, code: 'ResourceGroupNotFound' });
      if (image !== null) await removeOwn('image', ids, version.id);
      await ensureDisk(version, ids, location);
      await makeImage(version, ids, location);
      return ids.imageId;
    },

    async list(): Promise<GalleryCopyResource[]> {
      const found: GalleryCopyResource[] = [];
      const collect = async (kind: 'disk' | 'image', pages: AsyncIterable<Disk | Image>): Promise<void> => {
        for await (const resource of pages) {
          const of = copyOf(resource.tags);
          if (of !== null && resource.id !== undefined)
            found.push({ id: resource.id, kind, copyOf: of, provisioningState: resource.provisioningState ?? null });
        }
      };
      try {
        await collect('image', client.images.listByResourceGroup(group));
        await collect('disk', client.disks.listByResourceGroup(group));
      } catch (error) {
        const classified = classify(error, `listing copies in ${staging.id}`);
        if (classified instanceof PermanentError && classified.status === 404) return [];
        throw classified;
      }
      return found;
    },

    async remove(galleryVersionId: string): Promise<void> {
      const ids = idsOf(galleryVersionId);
      await removeOwn('image', ids, galleryVersionId);
      await removeOwn('disk', ids, galleryVersionId);
    },
  };
}
