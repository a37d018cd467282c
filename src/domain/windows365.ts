// What Graph tells of the tenant's Windows 365: device images, provisioning policies, Cloud PCs,
// the Windows release catalogue, and the device image the app asks to create.

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
