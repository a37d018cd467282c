// What startEmulator gives a caller: its options, the settings the app needs, and the Emulator's
// programmatic surface (docs/emulator.md, "Programmatic API").
import type { Clock } from '../domain';
import type { TlsCertificate } from './certificate';
import type { CloudPcControls } from './cloudPcControls';
import type { EmulatedDeviceImage } from './deviceImageRecord';
import type { DuplicateSource } from './deviceImageStore';
import type { DeviceImageSeedInput, EstateInput, ManagedImageInput, ProvisioningPolicyInput, SubscriptionAccess } from './estateSchema';
import type { FaultRule } from './faultRules';
import type { GalleryControls } from './galleryControls';
import type { ManagedImageRebuild } from './managedImageCatalogue';
import type { EmulatedProvisioningPolicy } from './provisioningPolicyStore';
import type { EarlyRetry, EarlyRetryOptions, RecordedRequest } from './requestLog';
import type { TimedEdit } from './timedChanges';

export interface EmulatorOptions {
  /** The estate: builder output, parsed JSON, or an already parsed Estate. */
  readonly estate: EstateInput;
  /** 0 (default): a free port. */
  readonly port?: number;
  /** A certificate to serve; without one, a fresh self-signed one is made. */
  readonly tls?: TlsCertificate & { readonly certPath?: string };
  /** Seed of the fault and id randomness (default 1): the same seed replays the same faults. */
  readonly seed?: number;
  /** The clock uploads settle on (default: system time). Faults and the log use real time. */
  readonly clock?: Clock;
  /** Fault rules active from the start, after the estate's own. */
  readonly faults?: readonly FaultRule[];
  /** The bearer token every request must carry (overrides the estate's); default: any token. */
  readonly token?: string;
}

/** Settings the app needs to talk to this emulator (names of docs/DESIGN §3). */
export interface EmulatorSettings {
  readonly GRAPH_ENDPOINT: string;
  readonly ARM_ENDPOINT: string;
  readonly IMAGE_SYNC_STATIC_TOKEN: string;
  readonly IMAGE_SYNC_SUBSCRIPTION_IDS: string;
  readonly NODE_EXTRA_CA_CERTS: string;
}

export interface Emulator extends CloudPcControls, GalleryControls {
  /** `https://127.0.0.1:PORT`, no trailing slash: both GRAPH_ENDPOINT and ARM_ENDPOINT. */
  readonly url: string;
  /** `127.0.0.1`: what the Graph client's `customHosts` needs (a host name, no port). */
  readonly host: string;
  readonly port: number;
  /** PEM file of the certificate, for NODE_EXTRA_CA_CERTS. */
  readonly caCertificatePath: string;
  /** The token clients should send (the required one, or a fixed placeholder when any is accepted). */
  readonly token: string;
  /** Every request so far, in arrival order (live). */
  readonly requests: readonly RecordedRequest[];
  counts(): Record<string, number>;
  count(kind: string): number;
  earlyRetries(options?: EarlyRetryOptions): EarlyRetry[];
  clearRequests(): void;
  /** Replaces the run-time fault rules (the estate's and the start options' included). */
  setFaults(...rules: FaultRule[]): void;
  clearFaults(): void;
  deviceImages(options?: { readonly includeDeleted?: boolean }): EmulatedDeviceImage[];
  /** Registrations (source image, case-insensitively, and version) with more than one device image; deleted ones count unless excluded. */
  duplicateDeviceImages(options?: { readonly includeDeleted?: boolean }): DuplicateSource[];
  setSubscriptionAccess(subscriptionId: string, access: SubscriptionAccess): void;
  setWindows365CanRead(subscriptionId: string, canRead: boolean): void;
  /** Adds or replaces a managed image; returns its resource id. */
  putManagedImage(subscriptionId: string, resourceGroup: string, image: ManagedImageInput): string;
  removeManagedImage(resourceId: string): boolean;
  /**
   * Rebuilds a managed image in place, as Azure Image Builder does: the same resource id, a new build
   * (in its OS disk and source VM ids) and, when given, new tags replacing the old ones whole.
   * Throws when there is no such image. Uploads started afterwards see the rebuilt image.
   */
  rebuildManagedImage(resourceId: string, changes: ManagedImageRebuild): void;
  provisioningPolicies(): EmulatedProvisioningPolicy[];
  /** Adds a provisioning policy, or replaces the one with its id; returns its id. Not checked against the device images. */
  putProvisioningPolicy(input: ProvisioningPolicyInput): string;
  /**
   * An administrator uploads a device image by hand (the Intune admin center): added as the seed
   * says (ready by default), created now; returns its id. Throws when its displayName+version is taken.
   */
  putDeviceImage(input: DeviceImageSeedInput): string;
  /**
   * An administrator deletes a device image by hand; false when the tenant has no such image.
   * Throws, as Graph refuses, when a provisioning policy uses it.
   */
  deleteDeviceImage(deviceImageId: string): boolean;
  /** Deletes a provisioning policy (any casing of its id): Graph answers 404 for it from then on; false when there was none. */
  removeProvisioningPolicy(policyId: string): boolean;
  /**
   * Runs `edit` once, when the next request of `kind` (or a `prefix*`) arrives, before it is served
   * (and before the fault knobs): the request sees the change. An edit may be async; it is awaited.
   */
  beforeNext(kind: string, edit: TimedEdit): void;
  /** Runs `edit` once, right after the next request of `kind` is answered: its answer shows the tenant as it was. */
  afterNext(kind: string, edit: TimedEdit): void;
  settings(): EmulatorSettings;
  /** Closes the server and every open connection. */
  stop(): Promise<void>;
}
