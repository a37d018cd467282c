// The tenant's Cloud PC provisioning policies: which image new Cloud PCs get. A policy may be
// pointed at a custom image only when that device image is ready.
import type { ProvisioningPolicy } from '../domain';
import type { ProvisioningPolicySeed } from './estateSchema';
import { Refusal } from './replies';

export type PolicyImageType = 'custom' | 'gallery';

export interface ProvisioningPolicyRecord {
  readonly id: string;
  readonly displayName: string;
  imageType: PolicyImageType;
  imageId: string | null;
  imageDisplayName: string | null;
  /** PATCHes applied so far. */
  updates: number;
}

/** What a PATCH changes; absent properties stay as they are. */
export interface ProvisioningPolicyChanges {
  readonly imageType?: PolicyImageType;
  readonly imageId?: string;
  readonly imageDisplayName?: string | null;
}

/** A provisioning policy as the emulator holds it. */
export interface EmulatedProvisioningPolicy extends ProvisioningPolicy {
  readonly imageType: PolicyImageType;
  /** PATCHes applied so far. */
  readonly updates: number;
}

export interface ProvisioningPolicyStoreOptions {
  readonly newId: () => string;
  /** The status of the tenant's device image with this id (compared case-insensitively); null when it has none. */
  readonly deviceImageStatus: (deviceImageId: string) => string | null;
}

export class ProvisioningPolicyStore {
  private readonly records: ProvisioningPolicyRecord[] = [];

  constructor(private readonly options: ProvisioningPolicyStoreOptions) {}

  /** Adds a policy, or replaces the one with its id (in place); not checked against the device images. */
  put(seed: ProvisioningPolicySeed): ProvisioningPolicyRecord {
    const record: ProvisioningPolicyRecord = {
      id: seed.id ?? this.options.newId(),
      displayName: seed.displayName,
      imageType: seed.imageType,
      imageId: seed.imageId,
      imageDisplayName: seed.imageDisplayName,
      updates: 0,
    };
    const at = this.records.findIndex((existing) => existing.id.toLowerCase() === record.id.toLowerCase());
    if (at === -1) this.records.push(record);
    else this.records[at] = record;
    return record;
  }

  /** Deletes a policy (as a person in the admin center would); false when there is none with that id. */
  remove(id: string): boolean {
    const at = this.records.findIndex((record) => record.id.toLowerCase() === id.toLowerCase());
    if (at !== -1) this.records.splice(at, 1);
    return at !== -1;
  }

  list(): readonly ProvisioningPolicyRecord[] {
    return this.records;
  }

  require(id: string): ProvisioningPolicyRecord {
    const key = id.toLowerCase();
    const record = this.records.find((candidate) => candidate.id.toLowerCase() === key);
    if (record === undefined)
      throw new Refusal(404, 'ResourceNotFound', `The requested resource cloudPcProvisioningPolicy '${id}' does not exist.`);
    return record;
  }

  update(id: string, changes: ProvisioningPolicyChanges): ProvisioningPolicyRecord {
    const record = this.require(id);
    const imageType = changes.imageType ?? record.imageType;
    const imageId = changes.imageId ?? record.imageId;
    if (imageType === 'custom' && (changes.imageType !== undefined || changes.imageId !== undefined)) this.requireReadyImage(imageId);
    record.imageType = imageType;
    record.imageId = imageId;
    if (changes.imageDisplayName !== undefined) record.imageDisplayName = changes.imageDisplayName;
    record.updates += 1;
    return record;
  }

  /** The policies whose imageId is this device image's id (compared case-insensitively). */
  using(deviceImageId: string): ProvisioningPolicyRecord[] {
    const key = deviceImageId.toLowerCase();
    return this.records.filter((record) => record.imageId?.toLowerCase() === key);
  }

  private requireReadyImage(imageId: string | null): void {
    if (imageId === null) {
      throw new Refusal(
        400,
        'BadRequest',
        "A provisioning policy with imageType 'custom' needs an imageId: the id of a ready device image.",
      );
    }
    const status = this.options.deviceImageStatus(imageId);
    if (status === null) {
      throw new Refusal(
        400,
        'BadRequest',
        `The custom image '${imageId}' does not exist; a provisioning policy can use only a ready device image.`,
      );
    }
    if (status !== 'ready') {
      throw new Refusal(
        400,
        'BadRequest',
        `The custom image '${imageId}' is ${status}; a provisioning policy can use only a ready device image.`,
      );
    }
  }
}

export function describeProvisioningPolicy(record: ProvisioningPolicyRecord): EmulatedProvisioningPolicy {
  return {
    id: record.id,
    displayName: record.displayName,
    imageType: record.imageType,
    imageId: record.imageId,
    imageDisplayName: record.imageDisplayName,
    updates: record.updates,
  };
}
