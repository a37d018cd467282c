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
}

/** Upload states of a Cloud PC device image; Graph may add values (`unknownFutureValue`, beta `warning`). */
export type DeviceImageStatus = 'pending' | 'ready' | 'failed' | 'warning' | (string & {});

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
}

/** What the app asks Graph to create. */
export interface DeviceImageRequest {
  readonly displayName: string;
  readonly version: string;
  readonly sourceImageResourceId: string;
  readonly operatingSystem?: string;
  readonly osBuildNumber?: string;
}

export type LedgerState = 'queued' | 'creating' | 'pending' | 'ready' | 'failed' | 'skipped';

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
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** One row of the ledger: the app's memory of one source image. */
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
  readonly retryUploads: number;
  /** Status checks done for the current upload. */
  readonly statusChecks: number;
  /** When the current upload started (first seen pending). */
  readonly pendingSince: string | null;
  /** When the next status check is due; null when none is scheduled. */
  readonly nextCheckAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Set once the failure of the current attempt has been alerted. */
  readonly alertedAt: string | null;
}

/** A ledger row as stored, with the ETag that guards its next change. */
export interface LedgerRow extends LedgerEntry {
  readonly etag: string;
}

export type ProblemKind =
  | 'poison-message'
  | 'invalid-message'
  | 'subscription-unreadable'
  | 'image-unreadable'
  | 'alert-undelivered'
  | (string & {});

export interface Problem {
  readonly kind: ProblemKind;
  readonly detail: string;
  /** ISO-8601 time it was (last) seen. */
  readonly at: string;
  /** What it is about (a subscription id, a source image id, a queue name); recurring problems with the same kind and subject are one problem. */
  readonly subject: string | null;
}

export type RegisterTrigger = 'reconcile' | 'event' | 'manual';

/** The `image-register` queue message (contract: shared/contract/messages.schema.json). */
export interface RegisterJob {
  readonly v: 1;
  readonly sourceImageResourceId: string;
  readonly displayName: string;
  readonly version: string;
  readonly operatingSystem?: string;
  readonly osBuildNumber?: string;
  readonly trigger: RegisterTrigger;
  readonly enqueuedAt: string;
}

/** The `image-status` queue message. */
export interface StatusCheck {
  readonly v: 1;
  readonly sourceImageResourceId: string;
  readonly deviceImageId: string;
  readonly check: number;
  readonly since: string;
  readonly retryUploads: number;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** The comparison key of an ARM resource id: ARM and Graph return different casings. */
export function sourceImageKey(sourceImageResourceId: string): string {
  return sourceImageResourceId.toLowerCase();
}
