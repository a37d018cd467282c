// A gallery image version and its image definition as the app needs them (DESIGN §17,
// `SourceImage.gallery`), whichever way they were read: the SDK's models (properties flattened) or
// Resource Graph rows (properties nested, `galleryFactsOfRow`). Gaps become nulls that eligibility
// turns into skip reasons; something without a gallery version id is not a source at all (null).
import { type SourceImage, regionKey } from '../domain';
import { parseGalleryVersionId } from './galleryVersionId';

/** A version's fields the app reads, as ARM serves them inside `properties`. */
export interface GalleryVersionResource {
  readonly id?: unknown;
  readonly name?: unknown;
  readonly location?: unknown;
  readonly tags?: unknown;
  readonly provisioningState?: unknown;
  readonly publishingProfile?: unknown;
  readonly storageProfile?: unknown;
}

/** An image definition's fields the app reads. */
export interface GalleryDefinitionResource {
  readonly tags?: unknown;
  readonly osType?: unknown;
  readonly osState?: unknown;
  readonly hyperVGeneration?: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value : null;
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function tagsOf(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/**
 * Tag names compare case-insensitively: a version's `Cloudpc-Sync` replaces the definition's
 * `cloudpc-sync` rather than standing beside it.
 */
export function mergeTags(definitionTags: unknown, versionTags: unknown): Record<string, string> {
  const merged = tagsOf(definitionTags);
  for (const [name, value] of Object.entries(tagsOf(versionTags))) {
    for (const existing of Object.keys(merged)) if (existing.toLowerCase() === name.toLowerCase()) delete merged[existing];
    merged[name] = value;
  }
  return merged;
}

/** A customer-managed key anywhere in the version's per-region encryption (OS disk, data disks, confidential VM). */
function usesCustomerKey(targetRegions: readonly unknown[]): boolean {
  return targetRegions.some((region) => {
    const encryption = isRecord(region) ? region['encryption'] : undefined;
    if (!isRecord(encryption)) return false;
    const osDisk = isRecord(encryption['osDiskImage']) ? encryption['osDiskImage'] : {};
    const security = isRecord(osDisk['securityProfile']) ? osDisk['securityProfile'] : {};
    const dataDisks = arrayOf(encryption['dataDiskImages']).filter(isRecord);
    return (
      stringOrNull(osDisk['diskEncryptionSetId']) !== null ||
      stringOrNull(security['secureVMDiskEncryptionSetId']) !== null ||
      String(security['confidentialVMEncryptionType']).toLowerCase() === 'encryptedwithcmk' ||
      dataDisks.some((disk) => stringOrNull(disk['diskEncryptionSetId']) !== null)
    );
  });
}

/** ARM serves `publishedDate` as text, the SDK as a Date: both become one ISO text, so the two discovery modes agree. */
function publishedDateOf(value: unknown): string | null {
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : null;
  return date === null || Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export function gallerySourceImageOf(version: GalleryVersionResource, definition: GalleryDefinitionResource): SourceImage | null {
  const id = stringOrNull(version.id);
  const parsed = id === null ? null : parseGalleryVersionId(id);
  if (id === null || parsed === null) return null;
  const publishing = isRecord(version.publishingProfile) ? version.publishingProfile : {};
  const storage = isRecord(version.storageProfile) ? version.storageProfile : {};
  const osDiskImage = isRecord(storage['osDiskImage']) ? storage['osDiskImage'] : null;
  const targetRegions = arrayOf(publishing['targetRegions']);
  const sizeInGB = osDiskImage?.['sizeInGB'];
  return {
    id,
    name: stringOrNull(version.name) ?? parsed.versionName,
    subscriptionId: parsed.subscriptionId,
    resourceGroup: parsed.resourceGroup,
    location: stringOrNull(version.location),
    tags: mergeTags(definition.tags, version.tags),
    provisioningState: stringOrNull(version.provisioningState),
    hyperVGeneration: stringOrNull(definition.hyperVGeneration),
    hasStorageProfile: osDiskImage !== null,
    osType: stringOrNull(definition.osType),
    osState: stringOrNull(definition.osState),
    osDiskSizeGB: typeof sizeInGB === 'number' ? sizeInGB : null,
    dataDiskCount: arrayOf(storage['dataDiskImages']).length,
    hasDiskEncryptionSet: usesCustomerKey(targetRegions),
    contentFingerprint: publishedDateOf(publishing['publishedDate']),
    gallery: {
      galleryName: parsed.galleryName,
      definitionName: parsed.definitionName,
      targetRegions: targetRegions
        .map((region) => (isRecord(region) ? stringOrNull(region['name']) : null))
        .filter((name): name is string => name !== null)
        .map(regionKey),
    },
  };
}

/** A Resource Graph row (or an ARM answer read as JSON): `properties` nested, lifted beside id, name, tags. */
export function flattenProperties(row: Record<string, unknown>): Record<string, unknown> {
  const properties = isRecord(row['properties']) ? row['properties'] : {};
  return { ...properties, id: row['id'], name: row['name'], location: row['location'], tags: row['tags'] };
}
