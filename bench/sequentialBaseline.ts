// The plain script an administrator would compare the app with: list the managed images (through
// ARM, one subscription after another), list the device images, then one call at a time: post each
// new eligible image, and poll each upload until it settles. It uses the same SDK clients the app
// does (so the same auth, paging and retry middleware) and the app's eligibility rules, and handles
// faults the way a careful script would: wait out a Retry-After, back off otherwise, look an
// ambiguous create up before posting again, retry a transiently failed upload twice. No queues, no
// ledger, no concurrency.
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../src/config';
import { type DeviceImage, registrationKey } from '../src/domain';
import { AmbiguousOutcomeError, PermanentError, TransientError } from '../src/errors';
import { silentLogger } from '../src/log';
import { createDeviceImageApi } from '../src/graph/deviceImageApi';
import { createGraphClient } from '../src/graph/createGraphClient';
import { createRetryAfterGate } from '../src/graph/retryAfterGate';
import { createSharedClients } from '../src/runtime/createSyncDeps';
import { checkEligibility } from '../src/rules/eligibility';
import { deviceImageKey } from '../src/rules/plan';
import { isInScope } from '../src/rules/scope';

export interface BaselineResult {
  readonly wallMs: number;
  /** Where the time went: listing, posting, following the uploads. */
  readonly phasesMs: { readonly listing: number; readonly creates: number; readonly polls: number };
  readonly ready: number;
  readonly failed: number;
}

const POLL_MS = 1_000;
const MAX_RETRY_UPLOADS = 2;

/** Until it succeeds: a Retry-After is waited out, anything else transient backs off (0.5 s doubling to 8 s). */
async function persist<T>(call: () => Promise<T>): Promise<T> {
  for (let pauseMs = 500; ; pauseMs = Math.min(2 * pauseMs, 8_000)) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof TransientError)) throw error;
      await sleep(error.retryAfterMs ?? pauseMs);
    }
  }
}

/**
 * `settings` are the run's: the client lists the subscriptions it names one at a time through ARM,
 * whatever discovery and concurrency the app was given (`subscriptionIds`: the estate's, for a run
 * whose app reads every subscription Resource Graph returns).
 */
export async function runSequentialBaseline(
  settings: Readonly<Record<string, string>>,
  subscriptionIds: readonly string[],
): Promise<BaselineResult> {
  const config = loadConfig({
    ...settings,
    IMAGE_SYNC_DISCOVERY: 'arm',
    IMAGE_SYNC_SUBSCRIPTION_CONCURRENCY: '1',
    IMAGE_SYNC_SUBSCRIPTION_IDS: subscriptionIds.join(','),
  });
  // The same client options as the CLI against a loopback emulator; the Graph client with a gate of
  // its own process only (a script has no storage account to share a throttle through).
  const graphRetry = { delaySeconds: 1, maxRetries: 6 };
  const shared = createSharedClients(config, silentLogger, {
    graphRetry,
    armRetry: { maxRetries: 6, retryDelayInMs: 200 },
    secondPassDelayMs: 1_000,
  });
  const gate = createRetryAfterGate();
  const clients = {
    sourceImages: shared.sourceImages,
    deviceImages: createDeviceImageApi({ client: createGraphClient(shared.credential, config, gate, graphRetry), gate }),
  };
  const started = Date.now();
  const listing = await persist(() => clients.sourceImages.listAll());
  const existing = await persist(() => clients.deviceImages.list());
  const known = new Set(existing.map(deviceImageKey));
  const listed = Date.now();

  const uploads: { id: string; retries: number }[] = [];
  let failed = 0;
  for (const image of listing.images) {
    if (!isInScope(image, config.scope)) continue;
    const eligibility = checkEligibility(image);
    if (!eligibility.eligible || known.has(registrationKey(image.id, eligibility.version))) continue;
    const request = { displayName: eligibility.displayName, version: eligibility.version, sourceImageResourceId: image.id };
    for (let pauseMs = 500; ; pauseMs = Math.min(2 * pauseMs, 8_000)) {
      try {
        uploads.push({ id: (await clients.deviceImages.create(request)).id, retries: 0 });
        break;
      } catch (error) {
        if (error instanceof AmbiguousOutcomeError) {
          const key = registrationKey(image.id, eligibility.version);
          const landed: DeviceImage | undefined = (await persist(() => clients.deviceImages.list())).find(
            (deviceImage) => deviceImageKey(deviceImage) === key,
          );
          if (landed !== undefined) {
            uploads.push({ id: landed.id, retries: 0 });
            break;
          }
        } else if (error instanceof PermanentError) {
          failed += 1;
          break;
        } else if (!(error instanceof TransientError)) throw error;
        await sleep(error instanceof TransientError ? (error.retryAfterMs ?? pauseMs) : pauseMs);
      }
    }
  }

  const posted = Date.now();
  let ready = 0;
  while (uploads.length > 0) {
    await sleep(POLL_MS);
    for (const upload of [...uploads]) {
      const image = await persist(() => clients.deviceImages.get(upload.id));
      const status = image?.status.toLowerCase() ?? 'gone';
      if (status === 'pending') continue;
      if (status === 'failed' && image?.errorCode?.toLowerCase() === 'internalservererror' && upload.retries < MAX_RETRY_UPLOADS) {
        await persist(() => clients.deviceImages.retryUpload(upload.id));
        upload.retries += 1;
        continue;
      }
      uploads.splice(uploads.indexOf(upload), 1);
      if (status === 'ready' || status === 'warning') ready += 1;
      else failed += 1;
    }
  }
  const ended = Date.now();
  return {
    wallMs: ended - started,
    phasesMs: { listing: listed - started, creates: posted - listed, polls: ended - posted },
    ready,
    failed,
  };
}
