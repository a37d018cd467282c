// Galleries, image definitions and image versions as ARM serves them (shapes of
// shared/api/examples/gallery-image-version.json), and a region's display name.
import type { GalleryImageSpec, GalleryImageVersionSpec, GallerySpec } from './gallerySchema';
import type { JsonObject } from './renderManagedImage';

const REGION_NAMES: Readonly<Record<string, string>> = {
  westeurope: 'West Europe',
  northeurope: 'North Europe',
  eastus: 'East US',
  eastus2: 'East US 2',
  westus: 'West US',
  westus2: 'West US 2',
  westus3: 'West US 3',
  centralus: 'Central US',
  uksouth: 'UK South',
  ukwest: 'UK West',
  francecentral: 'France Central',
  germanywestcentral: 'Germany West Central',
  swedencentral: 'Sweden Central',
  southeastasia: 'Southeast Asia',
  australiaeast: 'Australia East',
  japaneast: 'Japan East',
};

/** `westeurope` → `West Europe` (a name it does not know stays as given). */
export function regionDisplayName(region: string): string {
  return REGION_NAMES[regionKey(region)] ?? region;
}

/** How ARM's two spellings of a region compare: without case and spaces. */
export function regionKey(region: string): string {
  return region.replace(/\s+/g, '').toLowerCase();
}

export function galleryId(subscriptionId: string, resourceGroup: string, gallery: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Compute/galleries/${gallery}`;
}

export function renderGallery(id: string, spec: GallerySpec, location: string, subscriptionId: string): JsonObject {
  return {
    id,
    name: spec.name,
    type: 'Microsoft.Compute/galleries',
    location,
    tags: spec.tags,
    properties: {
      description: '',
      identifier: { uniqueName: `${subscriptionId.slice(0, 8)}-${spec.name.toUpperCase()}` },
      provisioningState: 'Succeeded',
    },
  };
}

export function renderGalleryImage(id: string, spec: GalleryImageSpec, location: string): JsonObject {
  return {
    id,
    name: spec.name,
    type: 'Microsoft.Compute/galleries/images',
    location,
    tags: spec.tags,
    properties: {
      osType: spec.osType,
      osState: spec.osState,
      hyperVGeneration: spec.hyperVGeneration,
      identifier: { publisher: 'contoso', offer: 'cloudpc', sku: spec.name },
      features: [{ name: 'SecurityType', value: 'TrustedLaunchSupported' }],
      recommended: {},
      provisioningState: 'Succeeded',
    },
  };
}

/** The disk encryption set a customer-key version names in each target region. */
export function diskEncryptionSetOf(id: string): string {
  const group = id.replace(/\/providers\/Microsoft\.Compute\/galleries\/.*$/i, '');
  return `${group}/providers/Microsoft.Compute/diskEncryptionSets/des-cmk`;
}

export function renderGalleryImageVersion(
  id: string,
  spec: GalleryImageVersionSpec,
  location: string,
  targetRegions: readonly string[],
): JsonObject {
  const dataDiskImages = Array.from({ length: spec.dataDiskImages }, (_, lun) => ({ lun, sizeInGB: 128, hostCaching: 'None' }));
  const encryption = spec.encryptedWithCustomerKey
    ? {
        encryption: {
          osDiskImage: { diskEncryptionSetId: diskEncryptionSetOf(id) },
          dataDiskImages: dataDiskImages.map(({ lun }) => ({ lun, diskEncryptionSetId: diskEncryptionSetOf(id) })),
        },
      }
    : {};
  return {
    id,
    name: spec.name,
    type: 'Microsoft.Compute/galleries/images/versions',
    location,
    tags: spec.tags,
    properties: {
      provisioningState: spec.provisioningState,
      publishingProfile: {
        targetRegions: targetRegions.map((name) => ({
          name: regionDisplayName(name),
          regionalReplicaCount: 1,
          storageAccountType: 'Standard_LRS',
          ...encryption,
        })),
        replicaCount: 1,
        excludeFromLatest: false,
        publishedDate: spec.publishedDate,
        storageAccountType: 'Standard_LRS',
      },
      storageProfile: {
        osDiskImage: { sizeInGB: spec.osDiskSizeGB, hostCaching: 'ReadWrite' },
        dataDiskImages,
      },
      safetyProfile: { allowDeletionOfReplicatedLocations: false },
    },
  };
}
