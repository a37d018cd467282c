import type { Image } from '@azure/arm-compute';
import type { SourceImage } from '../domain';
import { parseManagedImageId } from './managedImageId';

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

/**
 * What the image was captured from, lower-cased (ARM's casing of ids varies): an image rebuilt in
 * place (same resource, new capture) comes from another VM, disk, snapshot or blob.
 */
function contentFingerprintOf(image: Image): string | null {
  const osDisk = image.storageProfile?.osDisk;
  const sources = [image.sourceVirtualMachine?.id, osDisk?.managedDisk?.id, osDisk?.snapshot?.id, osDisk?.blobUri]
    .map(stringOrNull)
    .filter((source): source is string => source !== null)
    .map((source) => source.toLowerCase());
  return sources.length === 0 ? null : sources.join('|');
}

/**
 * An ARM image as the app needs it. Real data has gaps (no tags, no storage profile, no
 * hyperVGeneration on old images): they become nulls that eligibility turns into skip reasons.
 * Returns null for something that is not a managed image at all (no usable id).
 */
export function toSourceImage(image: Image): SourceImage | null {
  const id = stringOrNull(image.id);
  const parsed = id === null ? null : parseManagedImageId(id);
  if (id === null || parsed === null) return null;
  const osDisk = image.storageProfile?.osDisk;
  const dataDisks = image.storageProfile?.dataDisks;
  return {
    id,
    name: stringOrNull(image.name) ?? parsed.name,
    subscriptionId: parsed.subscriptionId,
    resourceGroup: parsed.resourceGroup,
    location: stringOrNull(image.location),
    tags: tagsOf(image.tags),
    provisioningState: stringOrNull(image.provisioningState),
    hyperVGeneration: stringOrNull(image.hyperVGeneration),
    hasStorageProfile: osDisk !== undefined && osDisk !== null,
    osType: stringOrNull(osDisk?.osType),
    osState: stringOrNull(osDisk?.osState),
    osDiskSizeGB: typeof osDisk?.diskSizeGB === 'number' ? osDisk.diskSizeGB : null,
    dataDiskCount: Array.isArray(dataDisks) ? dataDisks.length : 0,
    hasDiskEncryptionSet: stringOrNull(osDisk?.diskEncryptionSet?.id) !== null,
    contentFingerprint: contentFingerprintOf(image),
  };
}
