// The tenant's Azure Compute Galleries: galleries per resource group, their image definitions and
// versions, looked up case-insensitively as ARM does; versions can be added and removed at run time.
import type { Estate, ManagedImageSpec } from './estateSchema';
import {
  galleryImageSchema,
  galleryImageVersionSchema,
  gallerySchema,
  type GalleryImageInput,
  type GalleryImageSpec,
  type GalleryImageVersionInput,
  type GalleryImageVersionSpec,
  type GalleryInput,
  type GallerySpec,
} from './gallerySchema';
import type { ManagedImageCatalogue } from './managedImageCatalogue';
import { parseWith } from './parseEstate';
import { diskEncryptionSetOf, galleryId, renderGallery, renderGalleryImage, renderGalleryImageVersion } from './renderGallery';
import type { JsonObject } from './renderManagedImage';

export interface GalleryRecord {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly id: string;
  readonly location: string;
  readonly spec: GallerySpec;
  readonly images: Map<string, GalleryImageRecord>;
}

export interface GalleryImageRecord {
  readonly gallery: GalleryRecord;
  readonly id: string;
  readonly spec: GalleryImageSpec;
  readonly versions: Map<string, GalleryImageVersionRecord>;
}

export interface GalleryImageVersionRecord {
  readonly image: GalleryImageRecord;
  readonly id: string;
  readonly spec: GalleryImageVersionSpec;
  /** Where it is replicated (as the estate names them: display names or short forms). */
  readonly targetRegions: readonly string[];
}

export class GalleryCatalogue {
  /** Key: `{subscription}/{group}` lower-cased. */
  private readonly byGroup = new Map<string, Map<string, GalleryRecord>>();

  constructor(
    estate: Estate,
    private readonly groups: ManagedImageCatalogue,
  ) {
    for (const subscription of estate.subscriptions)
      for (const group of subscription.resourceGroups)
        for (const gallery of group.galleries) this.putGallery(subscription.id, group.name, gallery);
  }

  /** Galleries of a subscription, or of one group, in estate order. */
  galleries(subscriptionId: string, resourceGroup?: string): GalleryRecord[] {
    const prefix = `${subscriptionId.toLowerCase()}/`;
    return [...this.byGroup.entries()]
      .filter(([key]) => (resourceGroup === undefined ? key.startsWith(prefix) : key === `${prefix}${resourceGroup.toLowerCase()}`))
      .flatMap(([, galleries]) => [...galleries.values()]);
  }

  gallery(subscriptionId: string, resourceGroup: string, name: string): GalleryRecord | undefined {
    return this.byGroup.get(groupKey(subscriptionId, resourceGroup))?.get(name.toLowerCase());
  }

  image(subscriptionId: string, resourceGroup: string, gallery: string, name: string): GalleryImageRecord | undefined {
    return this.gallery(subscriptionId, resourceGroup, gallery)?.images.get(name.toLowerCase());
  }

  version(
    subscriptionId: string,
    resourceGroup: string,
    gallery: string,
    image: string,
    name: string,
  ): GalleryImageVersionRecord | undefined {
    return this.image(subscriptionId, resourceGroup, gallery, image)?.versions.get(name.toLowerCase());
  }

  /** Every definition of a subscription's galleries. */
  images(subscriptionId: string): GalleryImageRecord[] {
    return this.galleries(subscriptionId).flatMap((gallery) => [...gallery.images.values()]);
  }

  /** Every version of a subscription's galleries. */
  versions(subscriptionId: string): GalleryImageVersionRecord[] {
    return this.images(subscriptionId).flatMap((image) => [...image.versions.values()]);
  }

  /** The version with this resource id (any casing). */
  findVersion(resourceId: string): GalleryImageVersionRecord | undefined {
    const parts = parseVersionId(resourceId);
    return parts === null ? undefined : this.version(parts.subscriptionId, parts.resourceGroup, parts.gallery, parts.image, parts.version);
  }

  /** Adds or replaces a gallery (with its definitions and versions) in an existing or new resource group. */
  putGallery(subscriptionId: string, resourceGroup: string, input: GalleryInput): GalleryRecord {
    const spec = parseWith(gallerySchema, input, 'gallery');
    const group = this.groups.putResourceGroup(subscriptionId, resourceGroup);
    const record: GalleryRecord = {
      subscriptionId: this.groups.subscription(subscriptionId)?.id ?? subscriptionId,
      resourceGroup: group.name,
      id: galleryId(this.groups.subscription(subscriptionId)?.id ?? subscriptionId, group.name, spec.name),
      location: spec.location ?? group.location,
      spec,
      images: new Map(),
    };
    const key = groupKey(subscriptionId, resourceGroup);
    this.byGroup.set(key, (this.byGroup.get(key) ?? new Map<string, GalleryRecord>()).set(spec.name.toLowerCase(), record));
    for (const image of spec.images) this.putImage(record, image);
    return record;
  }

  /** Adds or replaces an image definition (its versions as given) in a gallery of the estate. */
  putImage(gallery: GalleryRecord, input: GalleryImageInput): GalleryImageRecord {
    const spec = parseWith(galleryImageSchema, input, 'gallery image definition');
    const record: GalleryImageRecord = { gallery, id: `${gallery.id}/images/${spec.name}`, spec, versions: new Map() };
    gallery.images.set(spec.name.toLowerCase(), record);
    for (const version of spec.versions) this.putVersion(record, version);
    return record;
  }

  /** Adds or replaces a version of a definition. */
  putVersion(image: GalleryImageRecord, input: GalleryImageVersionInput): GalleryImageVersionRecord {
    const spec = parseWith(galleryImageVersionSchema, input, 'gallery image version');
    const record: GalleryImageVersionRecord = {
      image,
      id: `${image.id}/versions/${spec.name}`,
      spec,
      targetRegions: spec.targetRegions ?? [image.gallery.location],
    };
    image.versions.set(spec.name.toLowerCase(), record);
    return record;
  }

  /** The definition with this resource id (any casing). */
  findImage(resourceId: string): GalleryImageRecord | undefined {
    const match =
      /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/galleries\/([^/]+)\/images\/([^/]+)$/i.exec(
        resourceId,
      );
    if (match === null) return undefined;
    const [, subscriptionId = '', resourceGroup = '', gallery = '', image = ''] = match;
    return this.image(subscriptionId, resourceGroup, gallery, image);
  }

  removeVersion(resourceId: string): boolean {
    const found = this.findVersion(resourceId);
    return found === undefined ? false : found.image.versions.delete(found.spec.name.toLowerCase());
  }

  renderGallery(record: GalleryRecord): JsonObject {
    return renderGallery(record.id, record.spec, record.location, record.subscriptionId);
  }

  renderImage(record: GalleryImageRecord): JsonObject {
    return renderGalleryImage(record.id, record.spec, record.gallery.location);
  }

  renderVersion(record: GalleryImageVersionRecord): JsonObject {
    return renderGalleryImageVersion(record.id, record.spec, record.image.gallery.location, record.targetRegions);
  }

  /** What Windows 365 sees when it reads a version as a source image (direct), in a managed image's terms. */
  uploadSpecOf(record: GalleryImageVersionRecord): ManagedImageSpec {
    const { spec, image } = record;
    return {
      name: `${image.spec.name}-${spec.name}`,
      location: image.gallery.location,
      tags: spec.tags,
      provisioningState: spec.provisioningState,
      hyperVGeneration: image.spec.hyperVGeneration,
      osType: image.spec.osType,
      osState: image.spec.osState,
      osDiskSizeGB: spec.osDiskSizeGB,
      dataDisks: spec.dataDiskImages,
      diskEncryptionSet: spec.encryptedWithCustomerKey ? diskEncryptionSetOf(record.id) : null,
      sourceVirtualMachine: null,
      build: null,
      reportedOs: spec.reportedOs,
      ...(spec.upload === undefined ? {} : { upload: spec.upload }),
    };
  }
}

function groupKey(subscriptionId: string, resourceGroup: string): string {
  return `${subscriptionId.toLowerCase()}/${resourceGroup.toLowerCase()}`;
}

export interface GalleryVersionIdParts {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly gallery: string;
  readonly image: string;
  readonly version: string;
}

const VERSION_ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/galleries\/([^/]+)\/images\/([^/]+)\/versions\/([^/]+)$/i;

/** The parts of a gallery image version id; null when it is not one. */
export function parseVersionId(resourceId: string): GalleryVersionIdParts | null {
  const match = VERSION_ID.exec(resourceId);
  if (match === null) return null;
  const [, subscriptionId = '', resourceGroup = '', gallery = '', image = '', version = ''] = match;
  return { subscriptionId, resourceGroup, gallery, image, version };
}
