// The words of the product, as types. Everything here is plain data: no I/O, no SDK types.

/** A managed image (`Microsoft.Compute/images`) as the app needs it, read from ARM. */
export interface SourceImage {
  /** The ARM id with the casing ARM returned; compare through `sourceImageKey`. */
  readonly id: string;
  readonly name: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string | null;
  /** Tag names as ARM returned them; look names up case-insensitively. */
  readonly tags: Readonly<Record<string, string>>;
  readonly provisioningState: string | null;
  readonly hyperVGeneration: string | null;
  /** False when ARM returned no storageProfile or no osDisk. */
  readonly hasStorageProfile: boolean;
  readonly osType: string | null;
  readonly osState: string | null;
  readonly osDiskSizeGB: number | null;
  readonly dataDiskCount: number;
  readonly hasDiskEncryptionSet: boolean;
  /**
   * What the image was captured from (its source VM, OS disk, snapshot or blob, lower-cased): an
   * image rebuilt in place gets a new one. Null when ARM shows none of them.
   */
  readonly contentFingerprint: string | null;
  /**
   * Set when the source is an Azure Compute Gallery image version (DESIGN §17), absent for a managed
   * image. Then `id` is the version's id, `name` the version's name (its `MAJOR.MINOR.PATCH`),
   * `tags` the definition's tags overlaid by the version's (the version's win), osType / osState /
   * hyperVGeneration the definition's, provisioningState / dataDiskCount / hasDiskEncryptionSet
   * (a customer-managed key) the version's, and contentFingerprint the version's publishedDate.
   */
  readonly gallery?: GalleryVersionFacts;
}

/** What a gallery image version adds to a source (DESIGN §17). */
export interface GalleryVersionFacts {
  readonly galleryName: string;
  /** The image definition's name: the displayName when no `cloudpc-display-name` tag is set. */
  readonly definitionName: string;
  /** The regions the version is replicated to, as `regionKey` gives them (`West Europe` → `westeurope`). */
  readonly targetRegions: readonly string[];
}

/** Azure names a region `West Europe` in some answers and `westeurope` in others: compare without case and spaces. */
export function regionKey(region: string): string {
  return region.replace(/\s+/g, '').toLowerCase();
}

/** The contract's `sourceKind`. */
export type SourceKind = 'managedImage' | 'galleryImageVersion';

const GALLERY_VERSION_ID = /\/providers\/microsoft\.compute\/galleries\/[^/]+\/images\/[^/]+\/versions\/[^/]+$/i;

/** A source's kind, told from its ARM id (a registration's source, a queue message's, a ledger row's). */
export function sourceKindOf(sourceImageResourceId: string): SourceKind {
  return GALLERY_VERSION_ID.test(sourceImageResourceId) ? 'galleryImageVersion' : 'managedImage';
}

/**
 * Upload states of a Cloud PC device image, read at the edge (src/graph/toDeviceImage.ts): Graph's
 * values in any casing; beta's `warning`; `unknown` for v1.0's `unknownFutureValue` and any value
 * Graph adds later, so nothing past the edge compares Graph's open string.
 */
export const DEVICE_IMAGE_STATUSES = ['pending', 'ready', 'failed', 'warning', 'unknown'] as const;
export type DeviceImageStatus = (typeof DEVICE_IMAGE_STATUSES)[number];

/** An upload that ended usable: `ready`, or beta's `warning` (usable, with something Windows 365 flags). */
export function isUsable(status: DeviceImageStatus): boolean {
  return status === 'ready' || status === 'warning';
}

/** A Cloud PC device image (`cloudPcDeviceImage`) as Graph returned it. */
export interface DeviceImage {
  readonly id: string;
  readonly displayName: string;
  readonly version: string;
  readonly sourceImageResourceId: string;
  readonly status: DeviceImageStatus;
  /** `errorCode`, or the older `statusDetails`, exactly as received. */
  readonly errorCode: string | null;
  readonly operatingSystem: string | null;
  readonly osBuildNumber: string | null;
  readonly lastModifiedDateTime: string | null;
  /** `supported`, `supportedWithWarning`, `unknown`, …; null before the upload is ready. */
  readonly osStatus: string | null;
  /** `YYYY-MM-DD`: the date the image's OS stops being usable; null when Graph gives none. */
  readonly expirationDate: string | null;
  /** The full OS build, e.g. `10.0.26100.4652` (v1.0 since March 2026); null before the upload is ready or when Graph gives none. */
  readonly osVersionNumber: string | null;
}

/**
 * One Windows release of Intune's OS catalogue (beta `managedDeviceWindowsOSImages`, DESIGN §16), as
 * Graph wrote it: values the app cannot use (a malformed buildVersion, a month of 13) are kept here
 * and judged by src/rules/osCurrency.ts, so one odd entry never makes the whole catalogue unreadable.
 */
export interface WindowsRelease {
  /** Such as `Windows 11 24H2`. */
  readonly id: string;
  readonly editions: readonly { readonly editionType: string; readonly supportEndDate: string | null }[];
  /** The last three Patch Tuesdays' quality updates. */
  readonly updates: readonly WindowsUpdate[];
}

export interface WindowsUpdate {
  /** Undocumented format: `26100.4946` and `10.0.26100.4946` are both plausible. */
  readonly buildVersion: string;
  readonly releaseYear: number | null;
  readonly releaseMonth: number | null;
}

/** A Cloud PC provisioning policy as far as the app reads it: which image new Cloud PCs get. */
export interface ProvisioningPolicy {
  readonly id: string;
  readonly displayName: string;
  /** For a custom image, the device image's id; for a gallery image, the gallery image's id. */
  readonly imageId: string | null;
  readonly imageDisplayName: string | null;
  /** `custom`, `gallery`, or a value Graph adds later. */
  readonly imageType: string | null;
}

/** What the app asks Graph to create. */
export interface DeviceImageRequest {
  readonly displayName: string;
  readonly version: string;
  readonly sourceImageResourceId: string;
  readonly operatingSystem?: string;
  readonly osBuildNumber?: string;
}

/** `retired`: deleted from Windows 365 by retention (the row stays, so the version is never posted again). */
export type LedgerState = 'queued' | 'creating' | 'pending' | 'ready' | 'failed' | 'skipped' | 'retired';

export const SKIP_REASONS = [
  'not-succeeded',
  'not-windows',
  'not-generalized',
  'gen1',
  'has-data-disks',
  'disk-encryption-set',
  'malformed',
  'no-version',
  'invalid-version',
  'name-version-taken',
  'tenant-image-limit',
  'not-visible-to-windows365',
  // The source moved on (rebuilt at another version, or deleted) before this version was posted (DESIGN §15).
  'superseded',
  // A gallery version not replicated to the staging resource group's region (IMAGE_SYNC_GALLERY_SOURCES=copy, DESIGN §17).
  'gallery-region',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** Skips that need an administrator (they alert once and make the exit code 2), not a tag fix. */
export const ATTENTION_SKIP_REASONS: readonly SkipReason[] = ['tenant-image-limit', 'not-visible-to-windows365', 'gallery-region'];

/**
 * Things to act on that do not block (DESIGN §13): each is alerted once per registration as an
 * `ImageSyncWarning`, shown by `status`, and leaves the exit code as it is.
 */
export const WARNING_CODES = [
  'version-unchanged',
  'display-name-changed',
  'os-support-warning',
  'os-support-ending',
  'os-support-ended',
  'upload-warning',
  'os-update-behind',
  'edition-support-ending',
] as const;
export type WarningCode = (typeof WARNING_CODES)[number];

export interface ImageWarning {
  readonly code: WarningCode;
  /** What was found and what to do, in words. */
  readonly text: string;
}

/**
 * How a registration got its device image (DESIGN §15): `created` by this registration's own POST
 * (its answer, or a look-up while the row was still `creating` after that POST's outcome was unknown
 * or its worker died); `adopted` any other way (already in the tenant, uploaded by hand). Retention
 * deletes only `created` images. null: no device image yet, or a row an earlier release wrote (it
 * kept no origin): never deleted by retention.
 */
export const DEVICE_IMAGE_ORIGINS = ['created', 'adopted'] as const;
export type DeviceImageOrigin = (typeof DEVICE_IMAGE_ORIGINS)[number];

/**
 * One row of the ledger: the app's memory of one registration, a source image at one version
 * (DESIGN §4, §7). A skipped source image with no usable version has one row with version null.
 */
export interface LedgerEntry {
  readonly sourceImageResourceId: string;
  readonly displayName: string | null;
  readonly version: string | null;
  readonly state: LedgerState;
  readonly deviceImageId: string | null;
  /** Graph's errorCode (or `uploadTimedOut`, `createRejected`, `poisonMessage`) when failed. */
  readonly errorCode: string | null;
  /** Skipped: the SkipReason code. Failed: a one-line explanation. */
  readonly reason: string | null;
  /** Skipped: what the administrator should do, in words (as the plan said it). */
  readonly fix?: string | null;
  /** Create attempts (claims) so far. */
  readonly attempts: number;
  /** How the row got its device image; null when unknown (see DeviceImageOrigin). */
  readonly origin: DeviceImageOrigin | null;
  /**
   * When retention decided to delete the device image: written before the DELETE, cleared when Graph
   * refuses it. The state changes to `retired` only once Graph says the image is gone (DESIGN §15).
   */
  readonly retiringAt: string | null;
  readonly retryUploads: number;
  /** Status checks done for the current upload. */
  readonly statusChecks: number;
  /** When the current upload started (first seen pending). */
  readonly pendingSince: string | null;
  /** When the next status check is due; null when none is scheduled. */
  readonly nextCheckAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Set once the failure of the current attempt (or an attention skip) has been alerted. */
  readonly alertedAt: string | null;
  /** The source's `contentFingerprint` when this version was registered. */
  readonly contentFingerprint: string | null;
  /** Graph's status of the device image once usable: `ready`, or beta's `warning` (its meaning is undocumented). */
  readonly uploadStatus: string | null;
  /** Graph's `osStatus` and `expirationDate` of the device image, as last read. */
  readonly osStatus: string | null;
  readonly expirationDate: string | null;
  /** Warnings found by comparing the source image with this registration (version-unchanged, display-name-changed). */
  readonly sourceWarnings: readonly ImageWarning[];
  /** Warning codes already alerted for this registration: each condition is alerted once. */
  readonly alertedWarnings: readonly WarningCode[];
  /** Display names of the provisioning policies that use the device image, as last read from Graph. */
  readonly policies: readonly string[];
  /** The source's `cloudpc-provisioning-policies` tag when this version was planned: policy names or ids (DESIGN §13 Rollout). */
  readonly rolloutPolicies: readonly string[];
  /** What became of each of those targets, once this version was ready and IMAGE_SYNC_ROLLOUT on. */
  readonly rollouts: readonly RolloutOutcome[];
  /**
   * When the device image was created (the create's answer, or its adoption while uploading): the
   * start of the upload `image-sync report` measures. Absent on rows of earlier releases (DESIGN §16).
   */
  readonly imageCreatedAt?: string | null;
  /** When the upload was first seen ready (markReady); recovered from Graph for rows of earlier releases. */
  readonly readyAt?: string | null;
  /** Graph's `osVersionNumber` and `operatingSystem` of the device image, as last read. */
  readonly osVersionNumber?: string | null;
  readonly operatingSystem?: string | null;
  /**
   * IMAGE_SYNC_GALLERY_SOURCES=copy (DESIGN §17): the managed image copied from the gallery version
   * (`sourceImageResourceId`) in the staging group, the id that was (or will be) posted to Graph.
   * Absent or null for a managed-image source and in `direct` mode.
   */
  readonly copyId?: string | null;
  /** Image currency (DESIGN §16), as the last reconcile judged it: the newest quality update of the image's Windows release. */
  readonly latestBuild?: string | null;
  /** Release months of quality updates newer than the image's build; null when not judged. */
  readonly patchLag?: number | null;
  /** The currency warnings found by the last reconcile (os-update-behind, edition-support-ending). */
  readonly currencyWarnings?: readonly ImageWarning[];
  /** Currency alerts sent, as `code@latestBuild`: each once per registration and latest build. */
  readonly alertedCurrency?: readonly string[];
}

/**
 * One target of a registration's rollout. `rolled-out`: the app pointed the policy at this version;
 * `already-used`: the policy used it already; `superseded`: a newer version of the source was ready
 * first; `rolled-back`: the policy was rolled back from this version (`image-sync rollback`), so the
 * app never points it here again. The others are problems with a fix, looked at again by every reconcile.
 */
export const ROLLOUT_OUTCOMES = [
  'rolled-out',
  'already-used',
  'superseded',
  'rolled-back',
  'no-such-policy',
  'gallery-image',
  'refused',
] as const;
export type RolloutOutcomeCode = (typeof ROLLOUT_OUTCOMES)[number];

export interface RolloutOutcome {
  /** The tag's entry, as written (a policy display name or id). */
  readonly target: string;
  /** The policy it named, when one did: an outcome with a policy is the policy's, whatever the tag calls it now. */
  readonly policyId: string | null;
  readonly outcome: RolloutOutcomeCode;
  readonly at: string;
}

/**
 * The app's last rollout to one provisioning policy (ledger partition `rollout`, one row per policy):
 * the image it pointed the policy at and the one the policy used before, for `image-sync rollback`.
 * `pointing` is written before the PATCH, so a rollout whose answer was lost is finished, not redone;
 * `rolling-back` is written before a rollback's PATCH (so a rollback is never lost: the app already
 * treats the policy as rolled back from `deviceImageId`, and retention keeps `previousImageId`), and
 * `rolled-back` after it.
 */
export interface PolicyRollout {
  readonly policyId: string;
  readonly policyDisplayName: string;
  readonly state: 'pointing' | 'rolled-out' | 'rolling-back' | 'rolled-back';
  readonly deviceImageId: string;
  readonly deviceImageDisplayName: string | null;
  readonly sourceImageResourceId: string;
  readonly version: string;
  readonly previousImageId: string | null;
  readonly previousImageDisplayName: string | null;
  readonly previousImageType: string | null;
  /**
   * Device images the policy was rolled back from before this rollout (`rolled-back` rows of earlier
   * versions), so a rollback outlives the rollout of a newer version: the app never points the
   * policy at any of them again (DESIGN §15).
   */
  readonly rolledBackFrom: readonly string[];
  readonly updatedAt: string;
}

/**
 * A Cloud PC as the rollout gate judges it (DESIGN §18), from beta's `status`: `provisioned` and
 * `provisionedWithWarnings` are provisioned, `failed` failed, every other value still in progress.
 */
export type CloudPcOutcome = 'provisioned' | 'failed' | 'in-progress';

export interface CloudPc {
  readonly id: string;
  readonly displayName: string | null;
  /** beta `status` exactly as received. */
  readonly status: string;
  readonly outcome: CloudPcOutcome;
  /** beta `statusDetail` (or `statusDetails`) in words: its code and message; null when Graph gives none. */
  readonly statusDetail: string | null;
}

/**
 * A rollout's life (DESIGN §18): `soaking` while its current ring is patched and watched; `complete`
 * when its last ring's soak ended without a halt; `halted` when a gate failed (the ring was rolled
 * back); `rolled-back` when an administrator's `rollback` stopped it; `superseded` when a newer
 * version of the same display name started its own rollout.
 */
export const RING_ROLLOUT_STATES = ['soaking', 'complete', 'halted', 'rolled-back', 'superseded'] as const;
export type RingRolloutState = (typeof RING_ROLLOUT_STATES)[number];

/** A Cloud PC that failed to provision on the new version, as the gate saw it. */
export interface FailedCloudPc {
  readonly id: string;
  readonly displayName: string | null;
  readonly statusDetail: string | null;
}

/** One registration's ring rollout (ledger partition `ring`, one row per registration). */
export interface RingRollout {
  readonly sourceImageResourceId: string;
  readonly displayName: string;
  readonly version: string;
  readonly deviceImageId: string;
  /** The tag's targets (policy names or ids) per ring, as they were when the rollout started. */
  readonly rings: readonly (readonly string[])[];
  /** The current ring, 1-based. */
  readonly ring: number;
  readonly state: RingRolloutState;
  /** When the current ring's PATCHes began. */
  readonly ringStartedAt: string;
  /** When every policy of the current ring used the version: its soak started. null while it is being patched. */
  readonly since: string | null;
  /** The current ring's policies (ids), as resolved when its PATCHes were done. */
  readonly policyIds: readonly string[];
  /** The current ring's evidence at the gate's last read: new Cloud PCs provisioned and failed. */
  readonly provisioned: number;
  readonly failed: number;
  /** The failed Cloud PCs (the first few), named in the halt's alert. */
  readonly failures: readonly FailedCloudPc[];
  /** When the rollout stopped being `soaking`; null while it soaks. */
  readonly endedAt: string | null;
  readonly updatedAt: string;
}

/** A ledger row as stored, with the ETag that guards its next change. */
export interface LedgerRow extends LedgerEntry {
  readonly etag: string;
  /** Stored by the previous release under its source's key alone; `Ledger.carryOver` moves it. */
  readonly legacy?: true;
}

export type ProblemKind =
  'poison-message' | 'invalid-message' | 'subscription-unreadable' | 'image-unreadable' | 'alert-undelivered' | (string & {});

export interface Problem {
  readonly kind: ProblemKind;
  readonly detail: string;
  /** ISO-8601 time it was (last) seen. */
  readonly at: string;
  /** What it is about (a subscription id, a source image id, a queue name); recurring problems with the same kind and subject are one problem. */
  readonly subject: string | null;
}

export type RegisterTrigger = 'reconcile' | 'event' | 'manual';

/**
 * A job sent again after a transient failure (throttling, 5xx, resets, an outage) outlived the
 * in-process retries: how often, since when, and the last error. Not in the contract's required
 * fields (its schema allows added ones); absent on a first delivery.
 */
export interface TransientRetry {
  readonly attempt: number;
  /** When the first transient failure of this job happened (ISO-8601). */
  readonly since: string;
  readonly lastError: string;
}

/** The `image-register` queue message (contract: contract/messages.schema.json, the repository's copy of the shared contract). */
export interface RegisterJob {
  readonly v: 1;
  readonly sourceImageResourceId: string;
  readonly displayName: string;
  readonly version: string;
  readonly operatingSystem?: string;
  readonly osBuildNumber?: string;
  readonly trigger: RegisterTrigger;
  readonly enqueuedAt: string;
  readonly retry?: TransientRetry;
  /** The source's content fingerprint the job was planned from (DESIGN §15); absent when ARM showed none. */
  readonly fingerprint?: string;
  /** Sent by `image-sync register` unplanned (its caller may hold only enqueue rights): the function app plans it before posting. */
  readonly requested?: true;
  /**
   * A request of `image-sync register`, and the job planned from it: true when the caller gave
   * `--version`, which then stands for the source's tags up to the POST (DESIGN §15); false when
   * the version was read from the tags or the name, so a source rebuilt as another version since
   * supersedes it. Absent on requests of earlier releases, which are taken as the caller's.
   */
  readonly versionFromCaller?: boolean;
  /** The contract's sourceKind: set for a gallery image version's job (DESIGN §17). */
  readonly sourceKind?: SourceKind;
}

/** The `image-status` queue message. */
export interface StatusCheck {
  readonly v: 1;
  readonly sourceImageResourceId: string;
  readonly deviceImageId: string;
  readonly check: number;
  readonly since: string;
  readonly retryUploads: number;
  /** The registration's version (added by this release; absent from checks the previous release queued). */
  readonly version?: string;
  readonly retry?: TransientRetry;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** The comparison key of an ARM resource id: ARM and Graph return different casings. */
export function sourceImageKey(sourceImageResourceId: string): string {
  return sourceImageResourceId.toLowerCase();
}

/**
 * The comparison key of a registration: a source image at a version (DESIGN §4). Versions are
 * canonical `MAJOR.MINOR.PATCH` by the time they get here; null (no usable version) is its own key.
 */
export function registrationKey(sourceImageResourceId: string, version: string | null): string {
  return `${sourceImageKey(sourceImageResourceId)}|${version ?? ''}`;
}
