// What the handlers need from the outside world. Each port has one real implementation (src/arm,
// src/graph, src/state, src/queue, src/alerts); tests use the real ones against Azurite and the emulator.
import type { Config } from './config';
import type {
  Clock,
  CloudPc,
  DeviceImage,
  DeviceImageRequest,
  LedgerEntry,
  LedgerRow,
  PolicyRollout,
  Problem,
  RingRollout,
  ProvisioningPolicy,
  RegisterJob,
  SourceImage,
  StatusCheck,
  WarningCode,
  WindowsRelease,
} from './domain';
import type { Logger } from './log';

export interface SubscriptionListing {
  /** The images in scope (config.scope): the readers let the others go page by page. */
  readonly images: readonly SourceImage[];
  /** Source images read, in scope or not. */
  readonly listed: number;
  /** Subscriptions that answered 401/403/404: permanent, recorded as problems. */
  readonly unreadable: readonly { readonly subscriptionId: string; readonly detail: string }[];
  /** Subscriptions that failed transiently after the retries: tried again next reconcile, not a problem. */
  readonly unavailable: readonly { readonly subscriptionId: string; readonly detail: string }[];
}

export interface SourceImageReader {
  /**
   * Every managed image in scope in the configured subscriptions (and resource groups), all pages; with
   * IMAGE_SYNC_GALLERY_SOURCES on, every gallery image version too (DESIGN §17, `SourceImage.gallery`).
   */
  listAll(): Promise<SubscriptionListing>;
  /** One managed image or gallery image version by id; null when it does not exist (404). */
  get(sourceImageResourceId: string): Promise<SourceImage | null>;
}

/** One resource of a gallery copy in the staging group (DESIGN §17), found by its tag. */
export interface GalleryCopyResource {
  readonly id: string;
  readonly kind: 'disk' | 'image';
  /** The `cloudpc-sync-copy-of` tag: the gallery version it copies. */
  readonly copyOf: string;
  /** ARM's provisioningState (`Succeeded`, `Creating`, `Failed`, …); null when absent. */
  readonly provisioningState: string | null;
}

/**
 * IMAGE_SYNC_GALLERY_SOURCES=copy: managed-image copies of gallery versions in the staging resource
 * group (DESIGN §17). Every call is idempotent; long-running operations are waited for through the
 * SDK's pollers. A 403 is a ForbiddenError, a missing staging group a PermanentError.
 */
export interface GalleryCopies {
  /** The staging group's region (`regionKey`); null when the group does not exist (404). */
  stagingRegion(): Promise<string | null>;
  /**
   * The copy of `version` (disk, then generalized V2 managed image, both named by `galleryCopyName`
   * and tagged `cloudpc-sync-copy-of`), made if absent, finished if half made; returns the managed image's id.
   */
  ensureCopy(version: SourceImage): Promise<string>;
  /** Every disk and managed image in the staging group tagged `cloudpc-sync-copy-of`. */
  list(): Promise<GalleryCopyResource[]>;
  /** Deletes the copy of `galleryVersionId`: the managed image, then the disk; already gone is fine. */
  remove(galleryVersionId: string): Promise<void>;
}

export interface DeviceImageApi {
  /** Every device image in the tenant, all pages. */
  list(): Promise<DeviceImage[]>;
  /** null when Graph answers 404. */
  get(deviceImageId: string): Promise<DeviceImage | null>;
  /** Resent only after a 429 (never processed). Throws AmbiguousOutcomeError when it may have been created. */
  create(request: DeviceImageRequest): Promise<DeviceImage>;
  /** beta `retryUpload`. */
  retryUpload(deviceImageId: string): Promise<void>;
  /**
   * Deletes a device image: 'deleted', or 'absent' when Graph no longer has it (deleted already).
   * Throws DeviceImageInUseError when Graph refuses because a provisioning policy uses it.
   */
  delete(deviceImageId: string): Promise<'deleted' | 'absent'>;
  /**
   * `getSourceImages`: the resource ids of the managed images (and, gallery sources on, the gallery
   * versions) Windows 365 itself can read; with `wanted`, only the ids it accepts are kept (the others
   * go with their page: the answer lists every image Windows 365 can read, tagged or not).
   */
  listSourceImageIds(wanted?: (resourceId: string) => boolean): Promise<string[]>;
  /** Every provisioning policy of the tenant, all pages. */
  listProvisioningPolicies(): Promise<ProvisioningPolicy[]>;
  /** One provisioning policy as it is now (read right before a PATCH); null when Graph answers 404. */
  getProvisioningPolicy(policyId: string): Promise<ProvisioningPolicy | null>;
  /** PATCHes the image a provisioning policy gives new Cloud PCs (existing Cloud PCs keep theirs). */
  pointPolicyAt(policyId: string, image: PolicyImage): Promise<void>;
  /** beta `cloudPCs` of one provisioning policy, all pages (the rollout gate's evidence, DESIGN §18). */
  listCloudPcs(policyId: string): Promise<CloudPc[]>;
}

/** Intune's Windows release catalogue (beta `managedDeviceWindowsOSImages`, DESIGN §16). */
export interface WindowsReleaseCatalogue {
  /** Every release, all pages. Throws ForbiddenError without DeviceManagementConfiguration.Read.All. */
  list(): Promise<WindowsRelease[]>;
}

/** The tenant's custom-image slots as the last reconcile counted them, for `image-sync report` (DESIGN §16). */
export interface TenantSlotCount {
  /** Device images Graph listed plus creates in flight. */
  readonly inUse: number;
  /** IMAGE_SYNC_TENANT_IMAGE_LIMIT then. */
  readonly limit: number;
  /** IMAGE_SYNC_KEEP_VERSIONS then. */
  readonly keepVersions: number;
  readonly at: string;
}

export interface TenantSlotCounts {
  /** Replaces the last count (best effort: a failure is the caller's to log). */
  record(count: TenantSlotCount): Promise<void>;
  /** The last count; null before the first reconcile (read-only: a missing table reads as null). */
  latest(): Promise<TenantSlotCount | null>;
}

/** The image a provisioning policy is pointed at. */
export interface PolicyImage {
  readonly imageId: string;
  readonly imageDisplayName: string | null;
  /** `custom` for a device image; `gallery` when a rollback restores a gallery image. */
  readonly imageType: string;
}

/** A policy's last rollout as stored, with the ETag that guards its next change. */
export interface PolicyRolloutRow extends PolicyRollout {
  readonly etag: string;
}

/** The app's rollouts, one row per provisioning policy (ledger partition `rollout`). */
export interface PolicyRollouts {
  /** null when the app never rolled out to the policy. */
  get(policyId: string): Promise<PolicyRolloutRow | null>;
  /** Inserts (expected null) or replaces (expected: the row read); throws LedgerConflictError when another writer was first. */
  save(rollout: PolicyRollout, expected: PolicyRolloutRow | null): Promise<PolicyRolloutRow>;
  /** Every recorded rollout (read-only: a missing table is an empty list). */
  list(): Promise<PolicyRolloutRow[]>;
  /** Removes the row when it is still as read (a rollout Graph refused, to a policy the app never rolled out to before). */
  discard(row: PolicyRolloutRow): Promise<void>;
}

/** A registration's ring rollout as stored, with the ETag that guards its next change. */
export interface RingRolloutRow extends RingRollout {
  readonly etag: string;
}

/** Which ring of which rollout a policy was patched in: the Cloud PCs it had then are not evidence. */
export interface RingPolicyRef extends RegistrationRef {
  readonly ring: number;
  readonly policyId: string;
}

/** The ring rollouts (ledger partition `ring`) and the Cloud PC ids seen at each PATCH (partition `ringseen`). */
export interface RingRollouts {
  /** null when the registration never started a ring rollout. */
  get(ref: RegistrationRef): Promise<RingRolloutRow | null>;
  /** Every ring rollout (read-only: a missing table is an empty list). */
  list(): Promise<RingRolloutRow[]>;
  /** Inserts (expected null) or replaces (expected: the row read); throws LedgerConflictError when another writer was first. */
  save(rollout: RingRollout, expected: RingRolloutRow | null): Promise<RingRolloutRow>;
  /** Records the ids of the Cloud PCs a policy had right before its PATCH (replacing an earlier record of the same ring). */
  saveSeen(ref: RingPolicyRef, cloudPcIds: readonly string[]): Promise<void>;
  /** The ids recorded for the policy's PATCH in that ring (lower-cased); null when none was recorded. */
  seen(ref: RingPolicyRef): Promise<Set<string> | null>;
}

export interface JobQueues {
  sendRegisterJob(job: RegisterJob, delaySeconds?: number): Promise<void>;
  sendStatusCheck(check: StatusCheck, delaySeconds: number): Promise<void>;
}

/** Fields a transition may change; the ledger stamps updatedAt itself. */
export type ImageState = Pick<LedgerRow, 'sourceImageResourceId' | 'state'>;

/** A row as written the first time: createdAt and updatedAt are stamped by the ledger. */
export type NewLedgerEntry = Omit<LedgerEntry, 'createdAt' | 'updatedAt'>;

/** The source and version are the row's key: a change never moves a row to another registration. */
export type LedgerChange = Partial<Omit<LedgerEntry, 'sourceImageResourceId' | 'version' | 'createdAt' | 'updatedAt'>>;

/** A problem as the ledger keeps it: one row per open kind + subject, however often it recurs. */
export interface RecordedProblem extends Problem {
  /** How many times it was recorded; `at` is the last time, firstSeenAt the first. */
  readonly count: number;
  readonly firstSeenAt: string;
}

/** Which row: a source image at a version (null: the row of a source with no usable version). */
export interface RegistrationRef {
  readonly sourceImageResourceId: string;
  readonly version: string | null;
}

export interface Ledger {
  /**
   * The registration's row, or null. A row an earlier release wrote (one per source image) is
   * carried over to its registration's key the first time it is read this way.
   */
  get(ref: RegistrationRef): Promise<LedgerRow | null>;
  /**
   * The row as this process last wrote or read it, without a read; undefined when it has none.
   * Another instance may have written since: a remembered row is good for an ETag-guarded write
   * (from a stale one it fails with LedgerConflictError), and a decision to do nothing is taken
   * on a get().
   */
  remembered(ref: RegistrationRef): LedgerRow | undefined;
  /** Every image row, all pages, ordered by sourceImageResourceId (case-insensitively), then version. */
  list(): Promise<LedgerRow[]>;
  /**
   * Moves the listed rows an earlier release wrote (`legacy`: one per source image, keyed by the
   * source alone) to their registration's key, and returns the list as it is then. Nothing is
   * posted; safe with several instances at once.
   */
  carryOver(rows: readonly LedgerRow[]): Promise<LedgerRow[]>;
  /** Every image's id and state only: a fraction of list()'s data, for watching progress. */
  listStates(): Promise<ImageState[]>;
  /** Inserts a new row; throws LedgerConflictError if one exists already. */
  insert(entry: NewLedgerEntry, now: Date): Promise<LedgerRow>;
  /**
   * Inserts many new rows in as few requests as storage allows (entity-group transactions of up to
   * 100 rows). Returns each entry's row, or null where a row existed already; the order is the entries'.
   */
  insertMany(entries: readonly NewLedgerEntry[], now: Date): Promise<(LedgerRow | null)[]>;
  /** ETag-guarded update; throws LedgerConflictError when the row changed (or was removed) since it was read. */
  update(row: LedgerRow, change: LedgerChange, now: Date): Promise<LedgerRow>;
  /** ETag-guarded delete (a skipped row that no longer describes its source); throws LedgerConflictError when it changed. */
  remove(row: LedgerRow): Promise<void>;
  /** Records a problem; a problem with the same kind and subject as an open one is updated, not added (isNew false). */
  recordProblem(problem: Problem): Promise<{ readonly isNew: boolean }>;
  /** Every recorded problem, most recently seen first. */
  listProblems(): Promise<RecordedProblem[]>;
  /** Removes every recorded problem (an administrator acknowledged them); returns how many. */
  clearProblems(): Promise<number>;
}

export interface FailureAlert {
  readonly sourceImageResourceId: string | null;
  readonly displayName: string | null;
  readonly version: string | null;
  readonly errorCode: string;
  readonly detail: string;
}

export interface WarningAlert {
  readonly sourceImageResourceId: string;
  readonly displayName: string | null;
  readonly version: string | null;
  readonly warning: WarningCode;
  readonly detail: string;
}

/** The JSON an image pipeline receives on IMAGE_SYNC_REBUILD_WEBHOOK_URL, besides `event` and `at` (DESIGN §16). */
export interface RebuildNeeded {
  readonly displayName: string | null;
  readonly version: string | null;
  readonly sourceImageResourceId: string;
  readonly osVersionNumber: string;
  readonly latestBuild: string;
  readonly patchLag: number;
}

export interface Alerter {
  /** Logs `ImageSyncFailure` at error level and POSTs the webhook when configured. Never throws. */
  raise(alert: FailureAlert): Promise<void>;
  /** Logs `ImageSyncWarning` at warning level and POSTs the webhook (`"severity": "warning"`). Never throws. */
  warn(alert: WarningAlert): Promise<void>;
  /** Logs `ImageSyncRebuildNeeded` and POSTs IMAGE_SYNC_REBUILD_WEBHOOK_URL when set. Never throws. */
  rebuildNeeded(request: RebuildNeeded): Promise<void>;
}

/**
 * The tenant's custom-image slots (DESIGN §13): creates in flight are reserved in the storage
 * account, so planners in several instances never queue past the limit together.
 */
export interface ImageSlots {
  /**
   * Reserves a slot for each wanted registration key (in order) while the tenant's images (by
   * registration key, from a Graph listing) and the open reservations leave room under `limit`.
   * A key reserved already keeps its slot. Returns the keys that have a slot. `imagesInTenant`: how
   * many device images the listing holds (default: one per key); each counts against the limit.
   */
  reserve(
    wanted: readonly string[],
    inTenant: ReadonlySet<string>,
    limit: number,
    now: Date,
    imagesInTenant?: number,
  ): Promise<Set<string>>;
  /** Gives a slot back (the registration ended without a device image). */
  release(key: string): Promise<void>;
  /** The open reservations at `now`, as `slotName`s of their keys (read-only: never creates the table). */
  reserved(now: Date): Promise<Set<string>>;
}

export interface SyncDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly log: Logger;
  readonly sourceImages: SourceImageReader;
  readonly deviceImages: DeviceImageApi;
  readonly ledger: Ledger;
  readonly queues: JobQueues;
  readonly alerts: Alerter;
  readonly slots: ImageSlots;
  readonly rollouts: PolicyRollouts;
  readonly windowsReleases: WindowsReleaseCatalogue;
  readonly slotCounts: TenantSlotCounts;
  readonly rings: RingRollouts;
  /** Set exactly when IMAGE_SYNC_GALLERY_SOURCES is `copy`. */
  readonly galleryCopies: GalleryCopies | null;
}
