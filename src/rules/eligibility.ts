// Whether Windows 365 can take a source image, and if not, the first reason in a fixed precedence:
//
//   malformed → not-succeeded → not-windows → not-generalized → gen1 → has-data-disks
//   → disk-encryption-set → no-version / invalid-version
//
// Unusable data comes first (nothing else can be judged), then the image's lifecycle, then what the
// image is, then naming, which the administrator fixes with a tag. `name-version-taken` depends on
// other images and is decided by the plan. A missing value fails its own rule (a null
// hyperVGeneration is gen1, a null osType not-windows), not `malformed`, so the fix is specific.
// ARM string values compare case-insensitively.
import { isManagedImageId } from '../arm/managedImageId';
import { type SkipReason, type SourceImage, sourceKindOf } from '../domain';
import { DISPLAY_NAME_TAG, nameImage, type NamingOverrides, VERSION_TAG } from './naming';

export type Eligibility =
  | { readonly eligible: true; readonly displayName: string; readonly version: string }
  | {
      readonly eligible: false;
      readonly reason: Exclude<SkipReason, 'name-version-taken' | 'tenant-image-limit' | 'not-visible-to-windows365' | 'superseded'>;
      readonly displayName: string | null;
      readonly version: string | null;
    };

function is(value: string | null, expected: string): boolean {
  return value !== null && value.trim().toLowerCase() === expected.toLowerCase();
}

function isMalformed(image: SourceImage): boolean {
  return (
    !image.hasStorageProfile ||
    !(image.gallery === undefined ? isManagedImageId(image.id) : sourceKindOf(image.id) === 'galleryImageVersion') ||
    image.name.trim() === '' ||
    !Number.isInteger(image.dataDiskCount) ||
    image.dataDiskCount < 0
  );
}

type ImageRule = readonly [
  Exclude<
    SkipReason,
    'name-version-taken' | 'no-version' | 'invalid-version' | 'tenant-image-limit' | 'not-visible-to-windows365' | 'superseded'
  >,
  (image: SourceImage) => boolean,
];

/** In precedence order: the first rule an image breaks is its reason. */
const IMAGE_RULES: readonly ImageRule[] = [
  ['malformed', isMalformed],
  ['not-succeeded', (image) => !is(image.provisioningState, 'Succeeded')],
  ['not-windows', (image) => !is(image.osType, 'Windows')],
  ['not-generalized', (image) => !is(image.osState, 'Generalized')],
  ['gen1', (image) => !is(image.hyperVGeneration, 'V2')],
  ['has-data-disks', (image) => image.dataDiskCount > 0],
  ['disk-encryption-set', (image) => image.hasDiskEncryptionSet],
];

/** The first eligibility rule the image breaks, or its displayName and version when it breaks none. */
export function checkEligibility(image: SourceImage, overrides: NamingOverrides = {}): Eligibility {
  const naming = nameImage(image, overrides);
  const displayName = naming.displayName;
  const version = naming.ok ? naming.version : null;
  for (const [reason, breaks] of IMAGE_RULES) {
    if (breaks(image)) return { eligible: false, reason, displayName, version };
  }
  if (!naming.ok) return { eligible: false, reason: naming.reason, displayName, version: null };
  return { eligible: true, displayName, version: naming.version };
}

/** Context some fixes need: who holds a name+version, and the values the caller gave explicitly. */
export interface SkipFixContext {
  /** The source image id(s) already holding the displayName+version (name-version-taken). */
  readonly takenBy?: readonly string[];
  /** IMAGE_SYNC_TENANT_IMAGE_LIMIT, and how many custom images (with creates in flight) count against it (tenant-image-limit). */
  readonly tenantImageLimit?: number;
  readonly imagesInUse?: number;
  readonly overrides?: NamingOverrides;
  /** The version the source holds now (superseded); null when it has none or is gone. */
  readonly supersededBy?: string | null;
  /** The staging resource group's region and id (gallery-region). */
  readonly stagingRegion?: string;
  readonly stagingResourceGroup?: string;
}

function shown(value: string | null): string {
  return value === null || value.trim() === '' ? 'missing' : `"${value}"`;
}

/**
 * The fixes of a gallery image version (DESIGN §17): the definition holds the OS facts (they cannot
 * change, a new definition is needed), the version the disks and encryption (publish a new version).
 */
function galleryFix(reason: SkipReason, image: SourceImage, context: SkipFixContext): string | null {
  switch (reason) {
    case 'malformed':
      return image.hasStorageProfile
        ? `ARM returned data the app cannot use for this gallery image version (id ${image.id}); check it in the Azure portal`
        : 'the gallery image version has no OS disk image (storageProfile.osDiskImage); publish a version from a generalized Windows image';
    case 'not-succeeded':
      return `the gallery version's provisioningState is ${shown(image.provisioningState)}; wait for the version to finish publishing and replicating, or publish it again if it failed`;
    case 'not-windows':
      return `the image definition's osType is ${shown(image.osType)}; Windows 365 takes only Windows 10/11 Enterprise images: publish to a Windows definition`;
    case 'not-generalized':
      return `the image definition's osState is ${shown(image.osState)}; Windows 365 needs a generalized image: create a Generalized definition and publish a version from a VM generalized with sysprep /generalize /oobe`;
    case 'gen1':
      return `the image definition is Gen1 (hyperVGeneration ${image.hyperVGeneration ?? 'missing'}); create a V2 definition (hyperVGeneration V2) and publish the version to it`;
    case 'has-data-disks':
      return `the gallery version has ${image.dataDiskCount} data disk image(s); publish a version without data disks`;
    case 'disk-encryption-set':
      return 'the gallery version is encrypted with a customer-managed key (a disk encryption set in its target regions); publish a version with platform-managed keys';
    case 'invalid-version': {
      const naming = nameImage(image, context.overrides);
      const given = naming.ok ? '' : ` ${shown(naming.rejectedVersion)}`;
      return naming.versionSource === 'override'
        ? `the version given${given} is not MAJOR.MINOR.PATCH in whole numbers; give one like 1.2.0`
        : `the gallery version's name${given} is not MAJOR.MINOR.PATCH in whole numbers (each at most 2147483647); publish the image as a version named like 1.2.0`;
    }
    case 'name-version-taken': {
      const naming = nameImage(image, context.overrides);
      const pair = naming.ok ? `displayName "${naming.displayName}" version ${naming.version}` : 'its displayName and version';
      const holders = context.takenBy !== undefined && context.takenBy.length > 0 ? context.takenBy.join(', ') : 'another source image';
      return `${pair} is also claimed by ${holders}; give this gallery image another display name (tag ${DISPLAY_NAME_TAG} on the definition or the version), or change the other source`;
    }
    default:
      return null;
  }
}

/** What an administrator should do about a skipped image, in plain words. */
export function skipFix(reason: SkipReason, image: SourceImage, context: SkipFixContext = {}): string {
  const forGallery = image.gallery === undefined ? null : galleryFix(reason, image, context);
  if (forGallery !== null) return forGallery;
  switch (reason) {
    case 'malformed':
      return image.hasStorageProfile
        ? `ARM returned data the app cannot use for this image (id ${image.id}); check the image in the Azure portal and capture it again if it is damaged`
        : 'ARM returned no storage profile or OS disk for this image; check the image in the Azure portal and capture it again from a generalized VM';
    case 'not-succeeded':
      return `provisioningState is ${shown(image.provisioningState)}; wait for the image to finish provisioning, or capture it again if provisioning failed`;
    case 'not-windows':
      return `the OS disk type is ${shown(image.osType)}; Windows 365 takes only Windows 10/11 Enterprise images`;
    case 'not-generalized':
      return `the OS state is ${shown(image.osState)}; run sysprep /generalize /oobe on the VM and capture the image again`;
    case 'gen1':
      return `hyperVGeneration is ${shown(image.hyperVGeneration)}; recapture the image from a Hyper-V Generation 2 VM (hyperVGeneration V2)`;
    case 'has-data-disks':
      return `the image has ${image.dataDiskCount} data disk(s); detach the data disks from the VM and capture the image again`;
    case 'disk-encryption-set':
      return 'the image uses a disk encryption set; capture it again without a disk encryption set (platform-managed keys)';
    case 'no-version':
      return `tag ${VERSION_TAG}=1.2.0 or end the image name in -1.2.0`;
    case 'invalid-version': {
      const naming = nameImage(image, context.overrides);
      const where =
        naming.versionSource === 'override'
          ? 'the version given'
          : naming.versionSource === 'name'
            ? 'the version in the image name'
            : `tag ${VERSION_TAG}`;
      const value = naming.ok ? '' : ` (${shown(naming.rejectedVersion)})`;
      return `${where}${value} is not MAJOR.MINOR.PATCH in whole numbers; tag ${VERSION_TAG}=1.2.0`;
    }
    case 'name-version-taken': {
      const naming = nameImage(image, context.overrides);
      const pair = naming.ok ? `displayName "${naming.displayName}" version ${naming.version}` : 'its displayName and version';
      const holders = context.takenBy !== undefined && context.takenBy.length > 0 ? context.takenBy.join(', ') : 'another source image';
      return `${pair} is also claimed by ${holders}; give one of them another version (tag ${VERSION_TAG}) or display name (tag ${DISPLAY_NAME_TAG})`;
    }
    case 'tenant-image-limit':
      return tenantImageLimitFix(context.tenantImageLimit ?? 20, context.imagesInUse ?? null);
    case 'superseded':
      return supersededFix(context.supersededBy ?? null);
    case 'gallery-region': {
      const replicated = image.gallery?.targetRegions.join(', ') || 'no region';
      const region = context.stagingRegion ?? "the staging group's region";
      return `the gallery version is replicated to ${replicated}, not to ${region} where ${context.stagingResourceGroup ?? 'IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP'} makes its copies; add ${region} to the version's target regions, or set IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP to a group in a region it is replicated to`;
    }
    case 'not-visible-to-windows365':
      return `Windows 365 cannot read this image (getSourceImages does not list it); grant the Windows 365 service principal (appId ${WINDOWS365_APP_ID}) Reader on subscription ${image.subscriptionId}`;
  }
}

/** Nothing to do: the source holds other content now, so this version was never posted. */
export function supersededFix(versionNow: string | null): string {
  const now =
    versionNow === null
      ? 'the source no longer carries a version the app registers (no version tag or name, or no longer opted in)'
      : `the source was rebuilt as ${versionNow}, which is registered instead`;
  return `nothing was posted for this version: ${now}; to upload this content again, rebuild the image and give it a new ${VERSION_TAG}`;
}

/** `inUse`: the tenant's custom images plus the creates in flight, when known. */
export function tenantImageLimitFix(limit: number, inUse: number | null): string {
  const held =
    inUse === null ? 'the tenant is full' : `the tenant holds ${inUse} custom image${inUse === 1 ? '' : 's'} (creates in flight included)`;
  return `${held} and IMAGE_SYNC_TENANT_IMAGE_LIMIT is ${limit}, every status counted; delete unused custom images, or set IMAGE_SYNC_KEEP_VERSIONS so the app retires old versions; the next reconcile registers it once there is room`;
}

/** The Windows 365 service principal, which must be able to read a source image's subscription. */
export const WINDOWS365_APP_ID = '0af06dc6-e4b5-4f28-818e-e78e62d137a5';
