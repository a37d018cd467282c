// Small builders for estates in tests: each returns estate input with sensible defaults, so a test
// states only what matters to it. `managedImage()` defaults to an eligible, opted-in image.
import type {
  DeviceImageSeedInput,
  EstateInput,
  ManagedImageInput,
  OsImageInput,
  ProvisioningPolicyInput,
  ResourceGroupInput,
  SubscriptionInput,
} from './estateSchema';
import type { GalleryImageInput, GalleryImageVersionInput, GalleryInput } from './gallerySchema';

export const OPT_IN_TAG = Object.freeze({ 'cloudpc-sync': 'true' });

let subscriptionsMade = 0;

/** Tests settle fast: uploads take half a second unless said otherwise. */
export function estate(input: EstateInput = {}): EstateInput {
  return { uploadSeconds: 0.5, ...input };
}

/** A readable subscription; without an id, a fresh GUID-shaped one (`…-000000000001`, `…-000000000002`, …). */
export function subscription(input: Partial<SubscriptionInput> = {}): SubscriptionInput {
  subscriptionsMade += 1;
  const id = input.id ?? `00000000-0000-4000-8000-${subscriptionsMade.toString().padStart(12, '0')}`;
  return { displayName: `Subscription ${subscriptionsMade}`, ...input, id };
}

/** A resource group; `more` adds its location (default westeurope), galleries or refusesWrites. */
export function resourceGroup(
  name: string,
  images: ManagedImageInput[] = [],
  more: Omit<ResourceGroupInput, 'name' | 'images'> = {},
): ResourceGroupInput {
  return { name, images, ...more };
}

/** A gallery holding these image definitions. */
export function gallery(name: string, images: GalleryImageInput[] = [], more: Omit<GalleryInput, 'name' | 'images'> = {}): GalleryInput {
  return { name, images, ...more };
}

/** An eligible image definition (Windows, Generalized, V2), tagged `cloudpc-sync=true`. */
export function galleryImage(
  input: Partial<GalleryImageInput> & { name: string },
  versions: GalleryImageVersionInput[] = [],
): GalleryImageInput {
  return { tags: { ...OPT_IN_TAG }, versions, ...input };
}

/** An eligible image version (Succeeded, no data disks, platform key) replicated to its gallery's location. */
export function galleryImageVersion(name: string, input: Partial<GalleryImageVersionInput> = {}): GalleryImageVersionInput {
  return { name, ...input };
}

/** The ARM id of a gallery image version. */
export function galleryImageVersionId(
  subscriptionId: string,
  resourceGroupName: string,
  galleryName: string,
  imageName: string,
  version: string,
): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.Compute/galleries/${galleryName}/images/${imageName}/versions/${version}`;
}

/** An eligible managed image: Windows, generalized, Gen2, no data disks, tagged `cloudpc-sync=true`. */
export function managedImage(input: Partial<ManagedImageInput> & { name: string }): ManagedImageInput {
  return { tags: { ...OPT_IN_TAG }, ...input };
}

export function deviceImage(input: DeviceImageSeedInput): DeviceImageSeedInput {
  return { ...input };
}

/** A custom-image policy; `imageId` names the device image it gives new Cloud PCs (none: null). */
export function provisioningPolicy(input: ProvisioningPolicyInput): ProvisioningPolicyInput {
  return { imageType: 'custom', ...input };
}

export function osImage(input: Partial<OsImageInput> & { id: string }): OsImageInput {
  return {
    supportedEditions: [{ editionType: 'enterprise', supportEndDate: '2026-11-10' }],
    supportedArchitectures: ['x64', 'arM64'],
    availableUpdates: [
      { buildVersion: '22631.4317', releaseMonth: 10, releaseYear: 2024 },
      { buildVersion: '22631.4460', releaseMonth: 11, releaseYear: 2024 },
      { buildVersion: '22631.4602', releaseMonth: 12, releaseYear: 2024 },
    ],
    ...input,
  };
}

/** The ARM id of a managed image, cased as ARM creates it. */
export function managedImageResourceId(subscriptionId: string, resourceGroupName: string, imageName: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/providers/Microsoft.Compute/images/${imageName}`;
}
