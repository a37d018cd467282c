import type { Client, GraphRequest } from '@microsoft/microsoft-graph-client';
import { parseManagedImageId } from '../parse/managedImageId';
import { isGalleryVersionId } from '../parse/galleryVersionId';
import type { CloudPc, DeviceImage, DeviceImageRequest, ProvisioningPolicy } from '../domain';
import type { PolicyImage } from '../ports';
import { PermanentError, TransientError } from '../errors';
import { CREATE_TIMEOUT_MS, CREATE_WAIT_LIMIT_MS } from '../rules/times';
import type { DeviceImageApi } from '../ports';
import { classifyGraphError, type GraphOperation } from './classifyGraphError';
import { isDeviceImageId } from '../parse/deviceImageId';
import { GraphCallOptions } from './graphRetryPolicy';
import type { RetryAfterGate } from './retryAfterGate';
import { toCloudPc } from './toCloudPc';
import { toDeviceImage } from './toDeviceImage';
import { toPage } from './toPage';
import { toProvisioningPolicy } from './toProvisioningPolicy';
import { toSourceImageResourceId } from './toSourceImageResourceId';

const DEVICE_IMAGES = '/deviceManagement/virtualEndpoint/deviceImages';
const SOURCE_IMAGES = `${DEVICE_IMAGES}/getSourceImages`;
/** What `listSourceImageIds` reads of each getSourceImages entry (toSourceImageResourceId), and beta's `category`. */
const SOURCE_IMAGE_SELECT = ['resourceId'] as const;
const SOURCE_IMAGE_SELECT_BETA = ['resourceId', 'category'] as const;
const PROVISIONING_POLICIES = '/deviceManagement/virtualEndpoint/provisioningPolicies';
const CLOUD_PCS = '/deviceManagement/virtualEndpoint/cloudPCs';
/** Without it, enum values newer than the client's schema come back as unknownFutureValue. */
const HEADERS = { Prefer: 'include-unknown-enum-members' };

export interface DeviceImageApiOptions {
  readonly client: Client;
  /** The gate the client's middleware holds (createGraphClient): one per process, shared with every instance. */
  readonly gate: RetryAfterGate;
  /** Per call, retries included (the create: CREATE_TIMEOUT_MS at most), from when it is sent. */
  readonly timeoutMs?: number;
  /**
   * IMAGE_SYNC_GALLERY_SOURCES on (DESIGN §17): getSourceImages is read from beta, which lists gallery
   * versions too (`category` azureComputeGallery), whatever GRAPH_API_VERSION says.
   */
  readonly betaSourceImages?: boolean;
}

function imagePath(deviceImageId: string): string {
  if (!isDeviceImageId(deviceImageId)) {
    throw new PermanentError({ message: `"${deviceImageId}" is not a device image id`, status: null, code: 'InvalidDeviceImageId' });
  }
  return `${DEVICE_IMAGES}/${encodeURIComponent(deviceImageId)}`;
}

export function createDeviceImageApi(options: DeviceImageApiOptions): DeviceImageApi {
  const { client, gate } = options;
  const timeoutMs = options.timeoutMs ?? 120_000;

  /** A create is not sent into a long Retry-After: it fails unsent, so its claim's lease outlasts it. */
  const refuseLongWait = async (what: string): Promise<void> => {
    // A hold another instance published counts too, before a create decides whether it may wait.
    await gate.refresh();
    const wait = gate.remainingMs();
    if (wait > CREATE_WAIT_LIMIT_MS)
      throw new TransientError({
        message: `${what}: not sent, Graph asked to wait ${Math.ceil(wait / 1000)} s more (Retry-After)`,
        status: 429,
        retryAfterMs: wait,
      });
  };

  /**
   * One call, within its time budget; the client's retry policy (graphRetryPolicy.ts) decides every
   * resend, and a failure is classified once. A call with a side effect (the create, a policy PATCH)
   * is resent only after a 429: its unknown outcome is the caller's to settle.
   * `operation` names the calls whose refusals classify as something more specific.
   */
  const call = async <T>(
    what: string,
    send: (request: (path: string) => GraphRequest) => Promise<T>,
    sideEffect: boolean,
    operation?: GraphOperation,
  ): Promise<T> => {
    if (sideEffect) await refuseLongWait(what);
    const budgetMs = sideEffect ? Math.min(timeoutMs, CREATE_TIMEOUT_MS) : timeoutMs;
    const deadline = Date.now() + budgetMs;
    const signal = AbortSignal.timeout(budgetMs);
    const request = (path: string) =>
      client
        .api(path)
        .headers(HEADERS)
        .middlewareOptions([new GraphCallOptions(sideEffect, deadline)])
        .option('signal', signal);
    try {
      return await send(request);
    } catch (error) {
      throw classifyGraphError(error, what, { sideEffect, ...(operation === undefined ? {} : { operation }) });
    }
  };

  /**
   * Every item of a collection, all pages (following `@odata.nextLink`), each converted, and of those
   * only the ones `keep` accepts (all without it). Pages are read here, not by the SDK's PageIterator:
   * it takes a page without a `value` list for the end of the collection, or fails on it with a
   * TypeError that would read as a network failure.
   */
  const listAll = <T>(
    what: string,
    path: string,
    convert: (item: unknown) => T,
    first?: (request: GraphRequest) => GraphRequest,
    keep?: (item: T) => boolean,
  ): Promise<T[]> =>
    call(
      what,
      async (request) => {
        const items: T[] = [];
        for (let next: string | null = path; next !== null;) {
          // The next link is absolute (its version and query included); the first request is shaped by `first`.
          const page = toPage(
            await (next === path && first !== undefined ? first(request(next)) : request(next)).get(),
            'a collection page',
          );
          // One at a time: push(...items) spreads them as arguments, past the stack on a page of ~125,000.
          for (const item of page.items) {
            const converted = convert(item);
            if (keep === undefined || keep(converted)) items.push(converted);
          }
          next = page.nextLink;
        }
        return items;
      },
      false,
    );

  return {
    async list(): Promise<DeviceImage[]> {
      return listAll('listing device images', DEVICE_IMAGES, toDeviceImage);
    },

    // v1.0 has no `warning` status: it reads unknownFutureValue there. Such an image is read again on
    // beta, where the value exists, so that an upload that ended `warning` is not taken for pending.
    async get(deviceImageId: string): Promise<DeviceImage | null> {
      const path = imagePath(deviceImageId);
      const read = (version: 'default' | 'beta') =>
        call(
          `reading device image ${deviceImageId}`,
          async (request) => {
            const get = request(path);
            return toDeviceImage(await (version === 'beta' ? get.version('beta') : get).get());
          },
          false,
        );
      try {
        const image = await read('default');
        return image.status === 'unknown' ? await read('beta') : image;
      } catch (error) {
        if (error instanceof PermanentError && error.status === 404) return null;
        throw error;
      }
    },

    async create(request: DeviceImageRequest): Promise<DeviceImage> {
      // A managed image, or (DESIGN §17, direct mode) a gallery image version.
      if (parseManagedImageId(request.sourceImageResourceId) === null && !isGalleryVersionId(request.sourceImageResourceId)) {
        throw new PermanentError({
          message: `"${request.sourceImageResourceId}" is not a managed image or gallery image version id`,
          status: null,
          code: 'InvalidResourceId',
        });
      }
      return call(
        `creating the device image for ${request.sourceImageResourceId}`,
        async (graph) => toDeviceImage(await graph(DEVICE_IMAGES).post(request)),
        true,
        'createDeviceImage',
      );
    },

    // Sent again after a lost answer: Graph refuses a retry of an upload that is running again, and
    // the status poller reads that refusal as done when the image is no longer failed.
    async retryUpload(deviceImageId: string): Promise<void> {
      const path = `${imagePath(deviceImageId)}/retryUpload`;
      await call(`retrying the upload of device image ${deviceImageId}`, (request) => request(path).version('beta').post(undefined), false);
    },

    // Idempotent, so sent again after a lost answer: a delete that took effect the first time then
    // finds the image gone, which is the same outcome.
    async delete(deviceImageId: string): Promise<'deleted' | 'absent'> {
      const path = imagePath(deviceImageId);
      try {
        await call(`deleting device image ${deviceImageId}`, (request) => request(path).delete(), false, 'deleteDeviceImage');
        return 'deleted';
      } catch (error) {
        if (error instanceof PermanentError && error.status === 404) return 'absent';
        throw error;
      }
    },

    // Only the ids are read, so only they are asked for: a tenant's answer lists every managed image
    // Windows 365 can read, tagged or not (50 MB at 100,000 images with every property). Graph may
    // ignore `$select` on a function, and the entries are read the same either way; should it refuse
    // it (400), the list is read again without. Beta (gallery sources on) is asked for `category` too.
    async listSourceImageIds(wanted?: (resourceId: string) => boolean): Promise<string[]> {
      const what = 'listing the source images Windows 365 can read';
      const beta = options.betaSourceImages === true;
      const versioned = (request: GraphRequest) => (beta ? request.version('beta') : request);
      const read = (select: readonly string[] | null) =>
        listAll(
          what,
          SOURCE_IMAGES,
          toSourceImageResourceId,
          (request) => (select === null ? versioned(request) : versioned(request).select([...select])),
          wanted,
        );
      try {
        return await read(beta ? SOURCE_IMAGE_SELECT_BETA : SOURCE_IMAGE_SELECT);
      } catch (error) {
        if (!(error instanceof PermanentError && error.status === 400)) throw error;
        return read(null);
      }
    },

    async listProvisioningPolicies(): Promise<ProvisioningPolicy[]> {
      return listAll('listing provisioning policies', PROVISIONING_POLICIES, toProvisioningPolicy);
    },

    async getProvisioningPolicy(policyId: string): Promise<ProvisioningPolicy | null> {
      const path = `${PROVISIONING_POLICIES}/${encodeURIComponent(policyId)}`;
      try {
        return await call(
          `reading provisioning policy ${policyId}`,
          async (request) => toProvisioningPolicy(await request(path).get()),
          false,
        );
      } catch (error) {
        if (error instanceof PermanentError && error.status === 404) return null;
        throw error;
      }
    },

    // Not sent again here after a lost answer (only a 429, never processed, is): the caller looks the
    // policy up first, so each rollout PATCHes a policy once (DESIGN §8).
    async pointPolicyAt(policyId: string, image: PolicyImage): Promise<void> {
      const path = `${PROVISIONING_POLICIES}/${encodeURIComponent(policyId)}`;
      const body = {
        '@odata.type': '#microsoft.graph.cloudPcProvisioningPolicy',
        imageId: image.imageId,
        imageDisplayName: image.imageDisplayName,
        imageType: image.imageType,
      };
      await call(`pointing provisioning policy ${policyId} at image ${image.imageId}`, (request) => request(path).patch(body), true);
    },

    // Beta whatever GRAPH_API_VERSION says: `status` of a Cloud PC is beta-only (DESIGN §3, §18).
    async listCloudPcs(policyId: string): Promise<CloudPc[]> {
      const filter = `provisioningPolicyId eq '${policyId.replace(/'/g, "''")}'`;
      return listAll(`listing the Cloud PCs of provisioning policy ${policyId}`, CLOUD_PCS, toCloudPc, (request) =>
        request.version('beta').filter(filter),
      );
    },
  };
}
