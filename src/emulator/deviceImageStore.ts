// The tenant's Cloud PC device images: create, update, delete and retryUpload with the rules the
// service enforces (displayName+version unique, a tenant limit counting every status, no delete
// while a provisioning policy uses the image, retry only a failed upload).
import type { Clock } from '../domain';
import type { DeviceImageSeed } from './estateSchema';
import { deviceImageStatus, type DeviceImageRecord } from './deviceImageRecord';
import { Refusal } from './replies';
import { startUpload, type UploadSource } from './uploads';

export interface DeviceImageStoreOptions {
  readonly clock: Clock;
  /** Makes the id of a new device image. */
  readonly newId: () => string;
  /** What the upload of a source image will see (looked up when each upload starts). */
  readonly uploadSourceOf: (sourceImageResourceId: string) => UploadSource;
  readonly uploadSeconds: number;
  readonly maxDeviceImages: number;
  readonly duplicateStatus: 400 | 409;
  /** Display names of the provisioning policies whose imageId is this device image's id. */
  readonly policiesUsing: (deviceImageId: string) => readonly string[];
}

export interface NewDeviceImage {
  readonly displayName: string;
  readonly version: string;
  readonly sourceImageResourceId: string;
}

export interface DeviceImageChanges {
  readonly displayName?: string;
  readonly version?: string;
}

/**
 * A registration (a source image at a version) that ended up with more than one device image. A
 * source rebuilt in place with a new version is a new registration, not a duplicate.
 */
export interface DuplicateSource {
  readonly sourceImageResourceId: string;
  readonly version: string;
  readonly deviceImageIds: readonly string[];
}

export class DeviceImageStore {
  private readonly records: DeviceImageRecord[] = [];

  constructor(private readonly options: DeviceImageStoreOptions) {}

  seed(seed: DeviceImageSeed): DeviceImageRecord {
    const now = this.options.clock.now();
    const settledAt = seed.lastModifiedDateTime === undefined ? now : new Date(seed.lastModifiedDateTime);
    const upload =
      seed.status === 'pending'
        ? startUpload(this.options.uploadSourceOf(seed.sourceImageResourceId), this.options.uploadSeconds, 'first', now)
        : {
            startedAt: settledAt,
            settlesAt: settledAt,
            outcome: seed.status,
            errorCode: seed.status === 'failed' ? (seed.errorCode ?? 'internalServerError') : null,
            reportedOs: seed.reportedOs,
            sizeInGB: seed.sizeInGB,
            sourceBuild: null,
          };
    const record: DeviceImageRecord = {
      id: seed.id ?? this.options.newId(),
      displayName: seed.displayName,
      version: seed.version,
      sourceImageResourceId: seed.sourceImageResourceId,
      createdAt: settledAt,
      uploads: [upload],
      usedByProvisioningPolicy: seed.usedByProvisioningPolicy,
      modifiedAt: null,
      deletedAt: null,
    };
    this.records.push(record);
    return record;
  }

  /** An administrator's upload by hand: refused like a create when its displayName+version is taken. */
  upload(seed: DeviceImageSeed): DeviceImageRecord {
    this.requireUniquePair(seed.displayName, seed.version, null);
    return this.seed(seed);
  }

  /** The device images the tenant holds now, oldest first. */
  list(): DeviceImageRecord[] {
    return this.records.filter((record) => record.deletedAt === null);
  }

  get(id: string): DeviceImageRecord | undefined {
    const key = id.toLowerCase();
    return this.list().find((record) => record.id.toLowerCase() === key);
  }

  require(id: string): DeviceImageRecord {
    const record = this.get(id);
    if (record === undefined)
      throw new Refusal(404, 'ResourceNotFound', `The requested resource cloudPcDeviceImage '${id}' does not exist.`);
    return record;
  }

  create(request: NewDeviceImage): DeviceImageRecord {
    this.requireUniquePair(request.displayName, request.version, null);
    if (this.list().length >= this.options.maxDeviceImages) {
      throw new Refusal(
        400,
        'BadRequest',
        `The tenant already holds the maximum of ${this.options.maxDeviceImages} custom images; delete one first.`,
      );
    }
    const now = this.options.clock.now();
    const record: DeviceImageRecord = {
      id: this.options.newId(),
      displayName: request.displayName,
      version: request.version,
      sourceImageResourceId: request.sourceImageResourceId,
      createdAt: now,
      uploads: [startUpload(this.options.uploadSourceOf(request.sourceImageResourceId), this.options.uploadSeconds, 'first', now)],
      usedByProvisioningPolicy: false,
      modifiedAt: null,
      deletedAt: null,
    };
    this.records.push(record);
    return record;
  }

  update(id: string, changes: DeviceImageChanges): DeviceImageRecord {
    const record = this.require(id);
    this.requireUniquePair(changes.displayName ?? record.displayName, changes.version ?? record.version, record);
    if (changes.displayName !== undefined) record.displayName = changes.displayName;
    if (changes.version !== undefined) record.version = changes.version;
    record.modifiedAt = this.options.clock.now();
    return record;
  }

  delete(id: string): void {
    const record = this.require(id);
    const policies = this.options.policiesUsing(record.id);
    if (policies.length > 0 || record.usedByProvisioningPolicy) {
      throw new Refusal(
        400,
        'BadRequest',
        `The image '${record.displayName}' is used by ${policyWords(policies)} and cannot be deleted; remove it from the ${policies.length > 1 ? 'policies' : 'policy'} first.`,
      );
    }
    record.deletedAt = this.options.clock.now();
  }

  retryUpload(id: string): DeviceImageRecord {
    const record = this.require(id);
    const now = this.options.clock.now();
    const status = deviceImageStatus(record, now);
    if (status !== 'failed') {
      throw new Refusal(400, 'BadRequest', `Only a failed upload can be retried; the image '${record.displayName}' is ${status}.`);
    }
    record.uploads.push(startUpload(this.options.uploadSourceOf(record.sourceImageResourceId), this.options.uploadSeconds, 'retry', now));
    return record;
  }

  /** Every device image ever held, deleted ones included. */
  history(): readonly DeviceImageRecord[] {
    return this.records;
  }

  duplicateSources(options: { includeDeleted?: boolean } = {}): DuplicateSource[] {
    const records = options.includeDeleted === false ? this.list() : this.records;
    const byRegistration = new Map<string, DeviceImageRecord[]>();
    for (const record of records) {
      const key = `${record.sourceImageResourceId.toLowerCase()}\n${record.version}`;
      byRegistration.set(key, [...(byRegistration.get(key) ?? []), record]);
    }
    const duplicates: DuplicateSource[] = [];
    for (const [first, ...others] of byRegistration.values()) {
      if (first === undefined || others.length === 0) continue;
      duplicates.push({
        sourceImageResourceId: first.sourceImageResourceId,
        version: first.version,
        deviceImageIds: [first, ...others].map((record) => record.id),
      });
    }
    return duplicates;
  }

  private requireUniquePair(displayName: string, version: string, except: DeviceImageRecord | null): void {
    const pair = (name: string, ver: string) => `${name}\n${ver}`.toLowerCase();
    const wanted = pair(displayName, version);
    const taken = this.list().find((record) => record !== except && pair(record.displayName, record.version) === wanted);
    if (taken !== undefined) {
      throw new Refusal(
        this.options.duplicateStatus,
        this.options.duplicateStatus === 409 ? 'Conflict' : 'BadRequest',
        `An image with displayName '${displayName}' and version '${version}' already exists (id ${taken.id}).`,
      );
    }
  }
}

/** `provisioning policy "Sales"`, `provisioning policies "Sales", "HR"`, or (a seed's flag, no name) `a provisioning policy`. */
function policyWords(names: readonly string[]): string {
  const quoted = names.map((name) => `"${name}"`);
  if (quoted.length === 0) return 'a provisioning policy';
  return quoted.length === 1 ? `provisioning policy ${quoted.join('')}` : `provisioning policies ${quoted.join(', ')}`;
}
