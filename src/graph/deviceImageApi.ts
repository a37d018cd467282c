import { type Client, RetryHandlerOptions } from '@microsoft/microsoft-graph-client';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseManagedImageId } from '../arm/managedImageId';
import type { DeviceImage, DeviceImageRequest, ProvisioningPolicy } from '../domain';
import type { PolicyImage } from '../sync/ports';
import { PermanentError, TransientError } from '../errors';
import type { DeviceImageApi } from '../sync/ports';
import { classifyGraphError, type GraphOperation } from './classifyGraphError';
import { isDeviceImageId } from './deviceImageId';
import { DEFAULT_GRAPH_RETRY, type GraphRetrySettings } from './createGraphClient';
import { middlewareHonoursRetryAfter } from './middlewareRetryAfter';
import type { RetryAfterGate } from './retryAfterGate';
import { unansweredRetryStrategy } from './unansweredRetryStrategy';
import { toDeviceImage } from './toDeviceImage';
import { toPage } from './toPage';
import { toProvisioningPolicy } from './toProvisioningPolicy';
import { toSourceImageResourceId } from './toSourceImageResourceId';

const DEVICE_IMAGES = '/deviceManagement/virtualEndpoint/deviceImages';
const SOURCE_IMAGES = `${DEVICE_IMAGES}/getSourceImages`;
const PROVISIONING_POLICIES = '/deviceManagement/virtualEndpoint/provisioningPolicies';
/** Without it, enum values newer than the client's schema come back as unknownFutureValue. */
const HEADERS = { Prefer: 'include-unknown-enum-members' };

/** The longest a create may take, retries on 429 included; a claim of the ledger outlasts it. */
export const CREATE_TIMEOUT_MS = 60_000;
/**
 * The longest a create waits for an earlier Retry-After before it is sent; a longer wait fails the
 * call unsent (a TransientError carrying the wait), so a create always goes out within
 * CREATE_WAIT_LIMIT_MS + CREATE_TIMEOUT_MS of its claim.
 */
export const CREATE_WAIT_LIMIT_MS = 20_000;

export interface DeviceImageApiOptions {
  readonly client: Client;
  /** The gate the client's middleware holds (createGraphClient): one per process, shared with every instance. */
  readonly gate: RetryAfterGate;
  /** Per call, retries included (the create: CREATE_TIMEOUT_MS at most), from when it is sent. */
  readonly timeoutMs?: number;
  readonly retry?: GraphRetrySettings;
}

function imagePath(deviceImageId: string): string {
  if (!isDeviceImageId(deviceImageId)) {
    throw new PermanentError(`"${deviceImageId}" is not a device image id`, null, 'InvalidDeviceImageId');
  }
  return `${DEVICE_IMAGES}/${encodeURIComponent(deviceImageId)}`;
}

export function createDeviceImageApi(options: DeviceImageApiOptions): DeviceImageApi {
  const { client, gate } = options;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const retry = options.retry ?? DEFAULT_GRAPH_RETRY;
  const unanswered = unansweredRetryStrategy(retry);

  const waitForRetryAfter = async (what: string, resendable: boolean): Promise<void> => {
    // A hold another instance published counts too, before a create decides whether it may wait.
    await gate.refresh();
    const wait = gate.remainingMs();
    if (wait <= 0) return;
    if (!resendable && wait > CREATE_WAIT_LIMIT_MS) {
      throw new TransientError(`${what}: not sent, Graph asked to wait ${Math.ceil(wait / 1000)} s more (Retry-After)`, 429, wait);
    }
    await gate.passed();
  };

  // For a call with a side effect: the middleware would resend on 503/504 too, which can repeat
  // what took effect; only a 429 (never processed) is safe to resend.
  const onlyThrottling = () =>
    new RetryHandlerOptions(retry.delaySeconds, retry.maxRetries, (_delay, _attempt, _request, _options, response) => response.status === 429 && middlewareHonoursRetryAfter(response));

  /**
   * One call: waits out an earlier Retry-After, sends within the timeout, classifies a failure once.
   * A resendable call (a read, retryUpload, delete) that got no answer or a 500/502 is sent again with
   * backoff; the create (not resendable) never is: its unknown outcome is the caller's to settle.
   * `operation` names the calls whose refusals classify as something more specific.
   */
  const call = async <T>(what: string, send: (signal: AbortSignal) => Promise<T>, resendable: boolean, operation?: GraphOperation): Promise<T> => {
    const budgetMs = resendable ? timeoutMs : Math.min(timeoutMs, CREATE_TIMEOUT_MS);
    let deadline: number | null = null;
    for (let attempt = 0; ; attempt++) {
      await waitForRetryAfter(what, resendable);
      deadline ??= Date.now() + budgetMs;
      try {
        return await send(AbortSignal.timeout(Math.max(1, deadline - Date.now())));
      } catch (error) {
        const classified = classifyGraphError(error, what, { sideEffect: !resendable, ...(operation === undefined ? {} : { operation }) });
        // Retry-After that outlived the middleware's retries holds back every later call of this process.
        if (classified instanceof TransientError && classified.retryAfterMs !== null) gate.holdFor(classified.retryAfterMs);
        const next = resendable ? unanswered.retry({ attempt, error: classified }) : null;
        if (next === null || Date.now() + Math.max(next.retryAfterMs, gate.remainingMs()) >= deadline) throw classified;
        await sleep(next.retryAfterMs);
      }
    }
  };

  /**
   * Every item of a collection, all pages (following `@odata.nextLink`), each converted. Pages are
   * read here, not by the SDK's PageIterator: it takes a page without a `value` list for the end of
   * the collection, or fails on it with a TypeError that would read as a network failure.
   */
  const listAll = <T>(what: string, path: string, convert: (item: unknown) => T): Promise<T[]> =>
    call(what, async (signal) => {
      const items: T[] = [];
      for (let next: string | null = path; next !== null; ) {
        const page = toPage(await client.api(next).headers(HEADERS).option('signal', signal).get(), 'a collection page');
        items.push(...page.items.map(convert));
        next = page.nextLink;
      }
      return items;
    }, true);

  return {
    async list(): Promise<DeviceImage[]> {
      return listAll('listing device images', DEVICE_IMAGES, toDeviceImage);
    },

    // v1.0 has no `warning` status: it reads unknownFutureValue there. Such an image is read again on
    // beta, where the value exists, so that an upload that ended `warning` is not taken for pending.
    async get(deviceImageId: string): Promise<DeviceImage | null> {
      const path = imagePath(deviceImageId);
      const read = (version: 'default' | 'beta') =>
        call(`reading device image ${deviceImageId}`, async (signal) => {
          const request = client.api(path).headers(HEADERS).option('signal', signal);
          return toDeviceImage(await (version === 'beta' ? request.version('beta') : request).get());
        }, true);
      try {
        const image = await read('default');
        return image.status === 'unknown' ? await read('beta') : image;
      } catch (error) {
        if (error instanceof PermanentError && error.status === 404) return null;
        throw error;
      }
    },

    async create(request: DeviceImageRequest): Promise<DeviceImage> {
      if (parseManagedImageId(request.sourceImageResourceId) === null) {
        throw new PermanentError(`"${request.sourceImageResourceId}" is not a managed image id`, null, 'InvalidResourceId');
      }
      return call(
        `creating the device image for ${request.sourceImageResourceId}`,
        async (signal) => toDeviceImage(await client.api(DEVICE_IMAGES).headers(HEADERS).middlewareOptions([onlyThrottling()]).option('signal', signal).post(request)),
        false,
        'createDeviceImage',
      );
    },

    // Sent again after a lost answer: Graph refuses a retry of an upload that is running again, and
    // the status poller reads that refusal as done when the image is no longer failed.
    async retryUpload(deviceImageId: string): Promise<void> {
      const path = `${imagePath(deviceImageId)}/retryUpload`;
      await call(`retrying the upload of device image ${deviceImageId}`, (signal) => client.api(path).version('beta').headers(HEADERS).option('signal', signal).post(undefined), true);
    },

    // Idempotent, so sent again after a lost answer: a delete that took effect the first time then
    // finds the image gone, which is the same outcome.
    async delete(deviceImageId: string): Promise<'deleted' | 'absent'> {
      const path = imagePath(deviceImageId);
      try {
        await call(`deleting device image ${deviceImageId}`, (signal) => client.api(path).headers(HEADERS).option('signal', signal).delete(), true, 'deleteDeviceImage');
        return 'deleted';
      } catch (error) {
        if (error instanceof PermanentError && error.status === 404) return 'absent';
        throw error;
      }
    },

    async listSourceImageIds(): Promise<string[]> {
      return listAll('listing the source images Windows 365 can read', SOURCE_IMAGES, toSourceImageResourceId);
    },

    async listProvisioningPolicies(): Promise<ProvisioningPolicy[]> {
      return listAll('listing provisioning policies', PROVISIONING_POLICIES, toProvisioningPolicy);
    },

    // Not sent again here after a lost answer (only a 429, never processed, is): the caller looks the
    // policy up first, so each rollout PATCHes a policy once (DESIGN §8).
    async pointPolicyAt(policyId: string, image: PolicyImage): Promise<void> {
      const path = `${PROVISIONING_POLICIES}/${encodeURIComponent(policyId)}`;
      const body = { '@odata.type': '#microsoft.graph.cloudPcProvisioningPolicy', imageId: image.imageId, imageDisplayName: image.imageDisplayName, imageType: image.imageType };
      await call(
        `pointing provisioning policy ${policyId} at image ${image.imageId}`,
        (signal) => client.api(path).headers(HEADERS).middlewareOptions([onlyThrottling()]).option('signal', signal).patch(body),
        false,
      );
    },
  };
}
