// Managed disks the app creates (from a gallery image version, for DESIGN §17's copy), and the record
// of every disk and managed image ever created, by the gallery version its `cloudpc-sync-copy-of`
// tag names: so a test can count copies (exactly once per version).
import type { ReportedOs, UploadSpec } from './estateSchema';

export const COPY_OF_TAG = 'cloudpc-sync-copy-of';

export interface DiskRecord {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
  readonly id: string;
  readonly location: string;
  tags: Record<string, string> | null;
  /** The gallery image version it was made from, as the request named it. */
  readonly sourceVersionId: string;
  provisioningState: string;
  readonly timeCreated: Date;
  readonly sizeGB: number;
  readonly osType: string;
  readonly hyperVGeneration: string;
  /** What an image made from it reports to Windows 365 (the source version's). */
  readonly reportedOs: ReportedOs;
  readonly upload: UploadSpec | undefined;
}

export interface CreatedResource {
  readonly type: 'disk' | 'image';
  readonly resourceId: string;
  /** The `cloudpc-sync-copy-of` tag's value when it was created; null when untagged. */
  readonly copyOf: string | null;
  readonly at: Date;
}

export interface EmulatedDisk {
  readonly id: string;
  readonly name: string;
  readonly location: string;
  readonly tags: Readonly<Record<string, string>> | null;
  readonly provisioningState: string;
  readonly sourceResourceId: string;
}

export class DiskStore {
  private readonly disks = new Map<string, DiskRecord>();
  private readonly created: CreatedResource[] = [];

  list(subscriptionId: string, resourceGroup: string | null): DiskRecord[] {
    return [...this.disks.values()].filter(
      (disk) =>
        disk.subscriptionId.toLowerCase() === subscriptionId.toLowerCase() &&
        (resourceGroup === null || disk.resourceGroup.toLowerCase() === resourceGroup.toLowerCase()),
    );
  }

  all(): DiskRecord[] {
    return [...this.disks.values()];
  }

  get(subscriptionId: string, resourceGroup: string, name: string): DiskRecord | undefined {
    return this.disks.get(key(subscriptionId, resourceGroup, name));
  }

  find(resourceId: string): DiskRecord | undefined {
    const wanted = resourceId.toLowerCase();
    return [...this.disks.values()].find((disk) => disk.id.toLowerCase() === wanted);
  }

  put(disk: DiskRecord): void {
    this.disks.set(key(disk.subscriptionId, disk.resourceGroup, disk.name), disk);
  }

  remove(disk: DiskRecord): void {
    this.disks.delete(key(disk.subscriptionId, disk.resourceGroup, disk.name));
  }

  /** Records a creation (not an update) of a disk or image, by its copy-of tag. */
  recordCreated(type: 'disk' | 'image', resourceId: string, tags: Readonly<Record<string, string>> | null, at: Date): void {
    this.created.push({ type, resourceId, copyOf: copyOfTag(tags), at });
  }

  /** How many disks and images were ever created with this copy-of tag value (any casing). */
  createdCopiesOf(galleryVersionId: string): { disks: number; images: number } {
    const wanted = galleryVersionId.toLowerCase();
    const of = this.created.filter((entry) => entry.copyOf?.toLowerCase() === wanted);
    return { disks: of.filter((entry) => entry.type === 'disk').length, images: of.filter((entry) => entry.type === 'image').length };
  }

  createdResources(): readonly CreatedResource[] {
    return this.created;
  }
}

function key(subscriptionId: string, resourceGroup: string, name: string): string {
  return `${subscriptionId}/${resourceGroup}/${name}`.toLowerCase();
}

/** The copy-of tag's value (tag names compare case-insensitively, as Azure treats them). */
export function copyOfTag(tags: Readonly<Record<string, string>> | null): string | null {
  const entry = Object.entries(tags ?? {}).find(([name]) => name.toLowerCase() === COPY_OF_TAG);
  return entry?.[1] ?? null;
}

export function describeDisk(disk: DiskRecord): EmulatedDisk {
  return {
    id: disk.id,
    name: disk.name,
    location: disk.location,
    tags: disk.tags === null ? null : { ...disk.tags },
    provisioningState: disk.provisioningState,
    sourceResourceId: disk.sourceVersionId,
  };
}

export function renderDisk(disk: DiskRecord): Record<string, unknown> {
  return {
    id: disk.id,
    name: disk.name,
    type: 'Microsoft.Compute/disks',
    location: disk.location,
    ...(disk.tags === null ? {} : { tags: disk.tags }),
    sku: { name: 'Premium_LRS', tier: 'Premium' },
    properties: {
      osType: disk.osType,
      hyperVGeneration: disk.hyperVGeneration,
      creationData: { createOption: 'FromImage', galleryImageReference: { id: disk.sourceVersionId } },
      diskSizeGB: disk.sizeGB,
      diskState: 'Unattached',
      timeCreated: disk.timeCreated.toISOString(),
      provisioningState: disk.provisioningState,
      encryption: { type: 'EncryptionAtRestWithPlatformKey' },
      networkAccessPolicy: 'AllowAll',
      publicNetworkAccess: 'Enabled',
    },
  };
}
