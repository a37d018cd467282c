// One Cloud PC device image as the emulated tenant holds it, and how Graph renders it. Its status
// is read off the clock at each render, from its latest upload.
import type { DeviceImage } from '../domain';
import { readErrorCode, readStatus, type EnumReader } from './deviceImageEnums';
import type { GraphVersion } from './graphVersion';
import { uploadStatus, type UploadAttempt, type UploadStatus } from './uploads';

export interface DeviceImageRecord {
  readonly id: string;
  displayName: string;
  version: string;
  readonly sourceImageResourceId: string;
  readonly createdAt: Date;
  /** Every upload so far; the last is the current one. */
  readonly uploads: UploadAttempt[];
  usedByProvisioningPolicy: boolean;
  /** Last PATCH, if any. */
  modifiedAt: Date | null;
  deletedAt: Date | null;
}

export type FailureField = 'errorCode' | 'statusDetails' | 'both';

export interface RenderOptions extends EnumReader {
  readonly failureField: FailureField;
}

const V1_PROPERTIES = [
  'id',
  'displayName',
  'version',
  'sourceImageResourceId',
  'status',
  'osStatus',
  'expirationDate',
  'lastModifiedDateTime',
  'operatingSystem',
  'osBuildNumber',
  // In v1.0 since March 2026 (Microsoft's published v1.0 metadata lists both on cloudPcDeviceImage).
  'osVersionNumber',
  'sizeInGB',
];
const BETA_ONLY_PROPERTIES = ['scopeIds'];

/** The properties a cloudPcDeviceImage has in a version, with the failure field(s) the estate names. */
export function deviceImageProperties(version: GraphVersion, failureField: FailureField): string[] {
  const failure = failureField === 'both' ? ['errorCode', 'statusDetails'] : [failureField];
  return [...V1_PROPERTIES, ...failure, ...(version === 'beta' ? BETA_ONLY_PROPERTIES : [])];
}

export function currentUpload(record: DeviceImageRecord): UploadAttempt {
  const upload = record.uploads[record.uploads.length - 1];
  if (upload === undefined) throw new Error(`device image ${record.id} has no upload`);
  return upload;
}

export function deviceImageStatus(record: DeviceImageRecord, now: Date): string {
  return uploadStatus(currentUpload(record), now);
}

export function renderDeviceImage(record: DeviceImageRecord, now: Date, options: RenderOptions): Record<string, unknown> {
  const upload = currentUpload(record);
  const status = uploadStatus(upload, now);
  const usable = status === 'ready' || status === 'warning';
  const settledAt = status === 'pending' ? upload.startedAt : upload.settlesAt;
  const modified = record.modifiedAt !== null && record.modifiedAt > settledAt ? record.modifiedAt : settledAt;
  const errorCode = readErrorCode(status === 'failed' ? upload.errorCode : null, options);
  const image: Record<string, unknown> = {
    id: record.id,
    displayName: record.displayName,
    version: record.version,
    sourceImageResourceId: record.sourceImageResourceId,
    status: readStatus(status, options),
  };
  if (options.failureField !== 'statusDetails') image['errorCode'] = errorCode;
  if (options.failureField !== 'errorCode') image['statusDetails'] = errorCode;
  const v1Image = {
    ...image,
    ...osSupportOf(upload, status),
    lastModifiedDateTime: modified.toISOString(),
    operatingSystem: usable ? upload.reportedOs.operatingSystem : null,
    osBuildNumber: usable ? upload.reportedOs.osBuildNumber : null,
    osVersionNumber: usable ? upload.reportedOs.osVersionNumber : null,
    sizeInGB: usable ? upload.sizeInGB : null,
  };
  if (options.version === 'v1.0') return v1Image;
  return {
    ...v1Image,
    // The default scope tag: the emulator knows no other.
    scopeIds: ['0'],
  };
}

/** What Graph says of a usable image's OS: the estate's words, else `unknown`, usable until two years after the upload. */
function osSupportOf(upload: UploadAttempt, status: UploadStatus): { osStatus: string | null; expirationDate: string | null } {
  if (status !== 'ready' && status !== 'warning') return { osStatus: null, expirationDate: null };
  return {
    osStatus: upload.reportedOs.osStatus ?? 'unknown',
    expirationDate: upload.reportedOs.expirationDate ?? dateOnly(new Date(upload.settlesAt.getTime() + 2 * 365 * 24 * 3600_000)),
  };
}

function dateOnly(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** A device image as the emulator holds it, with what Graph does not show. */
export interface EmulatedDeviceImage extends DeviceImage {
  /** Uploads started: 1, plus one per retryUpload. */
  readonly uploads: number;
  readonly createdAt: string;
  readonly deleted: boolean;
  /** The source image's build its current upload took (see rebuildManagedImage); null when the estate gives none. */
  readonly sourceBuild: string | null;
}

export function describeDeviceImage(record: DeviceImageRecord, now: Date): EmulatedDeviceImage {
  const upload = currentUpload(record);
  const status = uploadStatus(upload, now);
  const usable = status === 'ready' || status === 'warning';
  const rendered = renderDeviceImage(record, now, { version: 'beta', failureField: 'errorCode', includeUnknownEnumMembers: true });
  const lastModified = rendered['lastModifiedDateTime'];
  return {
    id: record.id,
    displayName: record.displayName,
    version: record.version,
    sourceImageResourceId: record.sourceImageResourceId,
    status,
    errorCode: status === 'failed' ? upload.errorCode : null,
    operatingSystem: usable ? upload.reportedOs.operatingSystem : null,
    osBuildNumber: usable ? upload.reportedOs.osBuildNumber : null,
    osVersionNumber: usable ? upload.reportedOs.osVersionNumber : null,
    lastModifiedDateTime: typeof lastModified === 'string' ? lastModified : null,
    ...osSupportOf(upload, status),
    uploads: record.uploads.length,
    createdAt: record.createdAt.toISOString(),
    deleted: record.deletedAt !== null,
    sourceBuild: upload.sourceBuild,
  };
}
