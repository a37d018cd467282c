import { type Client, PageIterator, type PageCollection, RetryHandlerOptions } from '@microsoft/microsoft-graph-client';
import { parseManagedImageId } from '../arm/managedImageId';
import type { DeviceImage, DeviceImageRequest } from '../domain';
import { PermanentError, TransientError } from '../errors';
import type { DeviceImageApi } from '../sync/ports';
import { classifyGraphError } from './classifyGraphError';
import { DEFAULT_GRAPH_RETRY, type GraphRetrySettings } from './createGraphClient';
import { toDeviceImage } from './toDeviceImage';

const DEVICE_IMAGES = '/deviceManagement/virtualEndpoint/deviceImages';
/** Without it, enum values newer than the client's schema come back as unknownFutureValue. */
const HEADERS = { Prefer: 'include-unknown-enum-members' };
const DEVICE_IMAGE_ID = /^[0-9A-Za-z-]{1,128}$/;

/** The longest a create may take, retries on 429 included; a claim of the ledger outlasts it. */
export const CREATE_TIMEOUT_MS = 60_000;

export interface DeviceImageApiOptions {
  readonly client: Client;
  /** Per call, retries included (the create: CREATE_TIMEOUT_MS at most). */
  readonly timeoutMs?: number;
  readonly retry?: GraphRetrySettings;
}

function imagePath(deviceImageId: string): string {
  if (!DEVICE_IMAGE_ID.test(deviceImageId)) {
    throw new PermanentError(`"${deviceImageId}" is not a device image id`, null, 'InvalidDeviceImageId');
  }
  return `${DEVICE_IMAGES}/${encodeURIComponent(deviceImageId)}`;
}

export function createDeviceImageApi(options: DeviceImageApiOptions): DeviceImageApi {
  const { client } = options;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const retry = options.retry ?? DEFAULT_GRAPH_RETRY;
  // Retry-After that outlived the middleware's retries holds back every later call of this process.
  let notBefore = 0;

  const call = async <T>(what: string, send: (signal: AbortSignal) => Promise<T>, sideEffect = false): Promise<T> => {
    const wait = notBefore - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    try {
      return await send(AbortSignal.timeout(sideEffect ? Math.min(timeoutMs, CREATE_TIMEOUT_MS) : timeoutMs));
    } catch (error) {
      const classified = classifyGraphError(error, what, { sideEffect });
      if (classified instanceof TransientError && classified.retryAfterMs !== null) {
        notBefore = Math.max(notBefore, Date.now() + classified.retryAfterMs);
      }
      throw classified;
    }
  };

  return {
    async list(): Promise<DeviceImage[]> {
      return call('listing device images', async (signal) => {
        const images: DeviceImage[] = [];
        const firstPage = (await client.api(DEVICE_IMAGES).headers(HEADERS).option('signal', signal).get()) as PageCollection;
        const pages = new PageIterator(client, firstPage, (item: unknown) => (images.push(toDeviceImage(item)), true), { headers: HEADERS, options: { signal } });
        await pages.iterate();
        return images;
      });
    },

    async get(deviceImageId: string): Promise<DeviceImage | null> {
      const path = imagePath(deviceImageId);
      try {
        return await call(`reading device image ${deviceImageId}`, async (signal) => toDeviceImage(await client.api(path).headers(HEADERS).option('signal', signal).get()));
      } catch (error) {
        if (error instanceof PermanentError && error.status === 404) return null;
        throw error;
      }
    },

    async create(request: DeviceImageRequest): Promise<DeviceImage> {
      if (parseManagedImageId(request.sourceImageResourceId) === null) {
        throw new PermanentError(`"${request.sourceImageResourceId}" is not a managed image id`, null, 'InvalidResourceId');
      }
      // The middleware would resend on 503/504 too, which can create a second image; only a 429
      // (never processed) is safe to resend.
      const onlyThrottling = new RetryHandlerOptions(retry.delaySeconds, retry.maxRetries, (_delay, _attempt, _request, _options, response) => response.status === 429);
      return call(
        `creating the device image for ${request.sourceImageResourceId}`,
        async (signal) => toDeviceImage(await client.api(DEVICE_IMAGES).headers(HEADERS).middlewareOptions([onlyThrottling]).option('signal', signal).post(request)),
        true,
      );
    },

    async retryUpload(deviceImageId: string): Promise<void> {
      const path = `${imagePath(deviceImageId)}/retryUpload`;
      await call(`retrying the upload of device image ${deviceImageId}`, (signal) => client.api(path).version('beta').headers(HEADERS).option('signal', signal).post(undefined));
    },
  };
}
