// Config → the real implementations of every port. Clients are made once per process and shared;
// the logger belongs to the caller (one per invocation under the host, one per command in the CLI).
import type { TokenCredential } from '@azure/core-auth';
import { combineSourceImageReaders } from '../arm/combinedSourceImageReader';
import { createGalleryVersionReader } from '../arm/galleryVersionReader';
import { createResourceGraphGalleryReader } from '../arm/resourceGraphGalleryReader';
import { createResourceGraphSourceImageReader } from '../arm/resourceGraphSourceImageReader';
import { createSourceImageReader } from '../arm/sourceImageReader';
import { createGalleryCopies } from '../arm/galleryCopies';
import { createAlerter } from '../alerts/alerter';
import { createCredential } from '../auth/createCredential';
import type { Config } from '../config';
import { type Clock, systemClock } from '../domain';
import { createDeviceImageApi } from '../graph/deviceImageApi';
import { type GraphRetrySettings, createGraphClient } from '../graph/createGraphClient';
import { createSharedRetryAfterGate } from '../graph/retryAfterGate';
import { createWindowsReleaseCatalogue } from '../graph/windowsReleaseCatalogue';
import type { Logger } from '../log';
import { createJobQueues } from '../queue/jobQueues';
import { createImageSlots } from '../state/imageSlots';
import { createPolicyRollouts } from '../state/policyRollouts';
import { createRingRollouts } from '../state/ringRollouts';
import { createLedger } from '../state/ledgerTable';
import { checkedLedger } from '../steps/checkedLedger';
import { createSharedThrottle } from '../state/sharedThrottle';
import { createTenantSlotCounts } from '../state/tenantSlotCounts';
import { type StorageClients, createStorageClients } from '../storage/storageClients';
import type {
  DeviceImageApi,
  GalleryCopies,
  ImageSlots,
  PolicyRollouts,
  JobQueues,
  Ledger,
  RingRollouts,
  SourceImageReader,
  SyncDeps,
  TenantSlotCounts,
  WindowsReleaseCatalogue,
} from '../ports';

export interface SharedClients {
  readonly credential: TokenCredential;
  readonly storage: StorageClients;
  readonly sourceImages: SourceImageReader;
  readonly deviceImages: DeviceImageApi;
  readonly ledger: Ledger;
  readonly slots: ImageSlots;
  readonly rollouts: PolicyRollouts;
  readonly rings: RingRollouts;
  readonly queues: JobQueues;
  readonly windowsReleases: WindowsReleaseCatalogue;
  readonly slotCounts: TenantSlotCounts;
  /** IMAGE_SYNC_GALLERY_SOURCES=copy only (DESIGN §17). */
  readonly galleryCopies: GalleryCopies | null;
}

export interface SharedClientOptions {
  /** Faster retries for the local emulator and tests; production uses the defaults. */
  readonly graphRetry?: GraphRetrySettings;
  readonly armRetry?: { maxRetries?: number; retryDelayInMs?: number };
  /** How often the SDK's pollers ask after ARM's long-running operations (gallery copies); the SDK's default when absent. */
  readonly armPollIntervalMs?: number;
  readonly secondPassDelayMs?: number;
  /** How often the Graph throttle shared by every instance is read at most (default 1 s). */
  readonly graphThrottleRefreshMs?: number;
  /** The command's credential when it is not the app's own: a person signed in with `image-sync login`. */
  readonly credential?: TokenCredential;
}

/**
 * IMAGE_SYNC_DISCOVERY: ARM lists each subscription's images (the default); Resource Graph finds the
 * tagged ones in one paged query. Reads of one image go to ARM either way (Resource Graph lags writes).
 * With IMAGE_SYNC_GALLERY_SOURCES on, gallery image versions are listed beside them, the same way.
 */
function createSourceImages(config: Config, credential: TokenCredential, log: Logger, options: SharedClientOptions): SourceImageReader {
  const shared = {
    credential,
    log,
    ...(options.armRetry === undefined ? {} : { retry: options.armRetry }),
    ...(options.secondPassDelayMs === undefined ? {} : { secondPassDelayMs: options.secondPassDelayMs }),
  };
  const arm = createSourceImageReader({ config, ...shared });
  // IMAGE_SYNC_GALLERY_SOURCES=off: no gallery reader at all, so not one gallery request (DESIGN §17).
  const armGallery = config.gallery.mode === 'off' ? null : createGalleryVersionReader({ config, ...shared });
  if (config.discovery !== 'resource-graph') return combineSourceImageReaders(arm, armGallery);
  return combineSourceImageReaders(
    createResourceGraphSourceImageReader({ config, ...shared, perImage: arm }),
    armGallery === null ? null : createResourceGraphGalleryReader({ config, ...shared, perImage: armGallery }),
  );
}

export function createSharedClients(config: Config, log: Logger, options: SharedClientOptions = {}): SharedClients {
  const credential = options.credential ?? createCredential(config);
  const storage = createStorageClients(config.storage, options.credential === undefined ? {} : { credential: options.credential });
  // One Retry-After gate per process, sharing its holds with every instance through the ledger's table.
  const gate = createSharedRetryAfterGate(createSharedThrottle(storage.table(config.table)), {
    log,
    ...(options.graphThrottleRefreshMs === undefined ? {} : { refreshMs: options.graphThrottleRefreshMs }),
  });
  const graph = createGraphClient(credential, config, gate, options.graphRetry);
  return {
    credential,
    storage,
    sourceImages: createSourceImages(config, credential, log, options),
    deviceImages: createDeviceImageApi({
      client: graph,
      gate,
      betaSourceImages: config.gallery.mode !== 'off',
      ...(options.graphRetry === undefined ? {} : { retry: options.graphRetry }),
    }),
    // Every state a handler writes is checked against the lifecycle first (src/rules/lifecycle.ts).
    ledger: checkedLedger(createLedger(storage.table(config.table), { endpoints: storage.endpoints, log })),
    slots: createImageSlots(storage.table(config.table), storage.endpoints),
    rollouts: createPolicyRollouts(storage.table(config.table), storage.endpoints),
    rings: createRingRollouts(storage.table(config.table), storage.endpoints),
    queues: createJobQueues(storage, { registerQueue: config.registerQueue, statusQueue: config.statusQueue }, log),
    windowsReleases: createWindowsReleaseCatalogue({ client: graph }),
    slotCounts: createTenantSlotCounts(storage.table(config.table), storage.endpoints),
    galleryCopies:
      config.gallery.mode === 'copy'
        ? createGalleryCopies({
            config,
            credential,
            log,
            ...(options.armRetry === undefined ? {} : { retry: options.armRetry }),
            ...(options.armPollIntervalMs === undefined ? {} : { pollIntervalMs: options.armPollIntervalMs }),
          })
        : null,
  };
}

export function createSyncDeps(config: Config, clients: SharedClients, log: Logger, clock: Clock = systemClock): SyncDeps {
  return {
    config,
    clock,
    log,
    sourceImages: clients.sourceImages,
    deviceImages: clients.deviceImages,
    ledger: clients.ledger,
    slots: clients.slots,
    rollouts: clients.rollouts,
    rings: clients.rings,
    queues: clients.queues,
    windowsReleases: clients.windowsReleases,
    slotCounts: clients.slotCounts,
    galleryCopies: clients.galleryCopies,
    alerts: createAlerter({ log, webhookUrl: config.alertWebhookUrl, rebuildWebhookUrl: config.rebuildWebhookUrl, clock }),
  };
}
