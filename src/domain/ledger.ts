// The ledger: the app's memory of each registration (a source image at a version), its states, skips,
// warnings and problems.
import type { RolloutOutcome } from './rollouts';

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
