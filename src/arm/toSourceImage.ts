import type { Image } from '@azure/arm-compute';
import type { SourceImage } from '../domain';
import { parseManagedImageId } from '../parse/managedImageId';

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function tagsOf(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object') return {};
  const tags: Record<string, string> = {};
  for (const [name, tagValue] of Object.entries(value)) {
    if (typeof tagValue === 'string') tags[name] = tagValue;
  }
  return tags;
}

/** The OS disk's fields the app reads, as ARM (and Resource Graph) serve them. */
export interface OsDiskFacts {
  readonly osType?: unknown;
  readonly osState?: unknown;
  readonly diskSizeGB?: unknown;
  /** `{ id }` objects, as served. */
  readonly managedDisk?: unknown;
  readonly snapshot?: unknown;
  readonly blobUri?: unknown;
  readonly diskEncryptionSet?: unknown;
}

/** The `id` of a `{ id }` reference as served, or undefined. */
function idOf(reference: unknown): unknown {
  return typeof reference === 'object' && reference !== null && 'id' in reference ? reference.id : undefined;
}

/**
 * What eligibility and the content fingerprint need of a managed image, whichever way it was read:
 * an ARM image (`toSourceImage`) or a Resource Graph row (`toSourceImageFromGraphRow`).
 */
export interface ManagedImageFacts {
  readonly id: unknown;
  readonly name: unknown;
  readonly location: unknown;
  readonly tags: unknown;
  readonly provisioningState: unknown;
  readonly hyperVGeneration: unknown;
  /** null or undefined: the image has no storage profile (or no OS disk in it). */
  readonly osDisk: OsDiskFacts | null | undefined;
  readonly dataDiskCount: number;
  readonly sourceVirtualMachineId: unknown;
}

/**
 * What the image was captured from, lower-cased (ARM's casing of ids varies): an image rebuilt in
 * place (same resource, new capture) comes from another VM, disk, snapshot or blob.
 */
function contentFingerprintOf(facts: ManagedImageFacts): string | null {
  const osDisk = facts.osDisk;
  const sources = [facts.sourceVirtualMachineId, idOf(osDisk?.managedDisk), idOf(osDisk?.snapshot), osDisk?.blobUri]
    .map(stringOrNull)
    .filter((source): source is string => source !== null)
    .map((source) => source.toLowerCase());
  return sources.length === 0 ? null : sources.join('|');
}

/**
 * A managed image as the app needs it. Real data has gaps (no tags, no storage profile, no
 * hyperVGeneration on old images): they become nulls that eligibility turns into skip reasons.
 * Returns null for something that is not a managed image at all (no usable id).
 */
export function sourceImageOf(facts: ManagedImageFacts): SourceImage | null {
  const id = stringOrNull(facts.id);
  const parsed = id === null ? null : parseManagedImageId(id);
  if (id === null || parsed === null) return null;
  const osDisk = facts.osDisk;
  return {
    id,
    name: stringOrNull(facts.name) ?? parsed.name,
    subscriptionId: parsed.subscriptionId,
    resourceGroup: parsed.resourceGroup,
    location: stringOrNull(facts.location),
    tags: tagsOf(facts.tags),
    provisioningState: stringOrNull(facts.provisioningState),
    hyperVGeneration: stringOrNull(facts.hyperVGeneration),
    hasStorageProfile: osDisk !== undefined && osDisk !== null,
    osType: stringOrNull(osDisk?.osType),
    osState: stringOrNull(osDisk?.osState),
    osDiskSizeGB: typeof osDisk?.diskSizeGB === 'number' ? osDisk.diskSizeGB : null,
    dataDiskCount: facts.dataDiskCount,
    hasDiskEncryptionSet: stringOrNull(idOf(osDisk?.diskEncryptionSet)) !== null,
    contentFingerprint: contentFingerprintOf(facts),
  };
}

/** An ARM image (as `@azure/arm-compute` deserialises it, `properties` flattened) as the app needs it. */
export function toSourceImage(image: Image): SourceImage | null {
  const dataDisks = image.storageProfile?.dataDisks;
  return sourceImageOf({
    id: image.id,
    name: image.name,
    location: image.location,
    tags: image.tags,
    provisioningState: image.provisioningState,
    hyperVGeneration: image.hyperVGeneration,
    osDisk: image.storageProfile?.osDisk,
    dataDiskCount: Array.isArray(dataDisks) ? dataDisks.length : 0,
    sourceVirtualMachineId: image.sourceVirtualMachine?.id,
  });
}
