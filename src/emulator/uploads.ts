// How an upload of a source image ends, and when. Decided when the upload starts (a create or a
// retryUpload); the status is then read off the clock.
import type { ManagedImageSpec, ReportedOs } from './estateSchema';

export type UploadOutcome = 'ready' | 'failed' | 'warning';

export interface UploadAttempt {
  readonly startedAt: Date;
  readonly settlesAt: Date;
  readonly outcome: UploadOutcome;
  readonly errorCode: string | null;
  readonly reportedOs: ReportedOs;
  readonly sizeInGB: number | null;
  /** The source image's build when the upload started (what content it took); null when the estate gives none. */
  readonly sourceBuild: string | null;
}

export interface UploadSource {
  /** The source image, when the estate holds it. */
  readonly spec: ManagedImageSpec | undefined;
  /** Whether the Windows 365 service principal can read its subscription. */
  readonly windows365CanRead: boolean;
}

const DEFAULT_OS: ReportedOs = { operatingSystem: 'Windows 11 Enterprise', osBuildNumber: '22631', osVersionNumber: '10.0.22631.4317' };

export function startUpload(source: UploadSource, defaultSeconds: number, attempt: 'first' | 'retry', now: Date): UploadAttempt {
  const { spec } = source;
  const plan = spec?.upload;
  const seconds = (attempt === 'retry' ? (plan?.retrySeconds ?? plan?.seconds) : plan?.seconds) ?? defaultSeconds;
  const base = {
    startedAt: now,
    settlesAt: new Date(now.getTime() + seconds * 1000),
    reportedOs: spec?.reportedOs ?? DEFAULT_OS,
    sizeInGB: spec?.osDiskSizeGB ?? null,
    sourceBuild: spec?.build ?? null,
  };
  if (spec === undefined || !source.windows365CanRead) return { ...base, outcome: 'failed', errorCode: 'sourceImageNotFound' };
  if (plan === undefined) {
    const errorCode = requirementNotMet(spec);
    return { ...base, outcome: errorCode === null ? 'ready' : 'failed', errorCode };
  }
  const outcome = attempt === 'retry' ? (plan.retryOutcome ?? plan.outcome) : plan.outcome;
  const failureCode = attempt === 'retry' ? (plan.retryErrorCode ?? plan.errorCode) : plan.errorCode;
  return { ...base, outcome, errorCode: outcome === 'failed' ? (failureCode ?? 'internalServerError') : null };
}

/**
 * The errorCode Windows 365 gives an image that breaks its source-image requirements; null when none.
 * Data disks and a disk encryption set get beta's own codes: a v1.0 answer reads them as
 * `sourceImageInvalid` (deviceImageEnums.ts).
 */
function requirementNotMet(spec: ManagedImageSpec): string | null {
  const same = (value: string | null, expected: string) => value?.toLowerCase() === expected.toLowerCase();
  if (!same(spec.osType, 'Windows')) return 'osVersionNotSupported';
  if (!same(spec.osState, 'Generalized')) return 'sourceImageNotGeneralized';
  if (!same(spec.provisioningState, 'Succeeded')) return 'sourceImageNotFound';
  if (!same(spec.hyperVGeneration, 'V2')) return 'sourceImageInvalid';
  if (spec.dataDisks > 0) return 'sourceImageWithDataDiskNotSupported';
  if (spec.diskEncryptionSet !== null) return 'sourceImageWithDiskEncryptionSetNotSupported';
  return null;
}

export type UploadStatus = 'pending' | UploadOutcome;

export function uploadStatus(upload: UploadAttempt, now: Date): UploadStatus {
  return now.getTime() < upload.settlesAt.getTime() ? 'pending' : upload.outcome;
}
