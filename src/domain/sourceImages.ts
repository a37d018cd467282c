// The images the app registers, as read from ARM: managed images and Compute Gallery versions.

/** A managed image (`Microsoft.Compute/images`) as the app needs it, read from ARM. */
export interface SourceImage {
  /** The ARM id with the casing ARM returned; compare through `sourceImageKey`. */
  readonly id: string;
  readonly name: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string | null;
  /** Tag names as ARM returned them; look names up case-insensitively. */
  readonly tags: Readonly<Record<string, string>>;
  readonly provisioningState: string | null;
  readonly hyperVGeneration: string | null;
  /** False when ARM returned no storageProfile or no osDisk. */
  readonly hasStorageProfile: boolean;
  readonly osType: string | null;
  readonly osState: string | null;
  readonly osDiskSizeGB: number | null;
  readonly dataDiskCount: number;
  readonly hasDiskEncryptionSet: boolean;
  /**
   * What the image was captured from (its source VM, OS disk, snapshot or blob, lower-cased): an
   * image rebuilt in place gets a new one. Null when ARM shows none of them.
   */
  readonly contentFingerprint: string | null;
  /**
   * Set when the source is an Azure Compute Gallery image version (DESIGN §17), absent for a managed
   * image. Then `id` is the version's id, `name` the version's name (its `MAJOR.MINOR.PATCH`),
   * `tags` the definition's tags overlaid by the version's (the version's win), osType / osState /
   * hyperVGeneration the definition's, provisioningState / dataDiskCount / hasDiskEncryptionSet
   * (a customer-managed key) the version's, and contentFingerprint the version's publishedDate.
   */
  readonly gallery?: GalleryVersionFacts;
}

/** What a gallery image version adds to a source (DESIGN §17). */
export interface GalleryVersionFacts {
  readonly galleryName: string;
  /** The image definition's name: the displayName when no `cloudpc-display-name` tag is set. */
  readonly definitionName: string;
  /** The regions the version is replicated to, as `regionKey` gives them (`West Europe` → `westeurope`). */
  readonly targetRegions: readonly string[];
}

/** Azure names a region `West Europe` in some answers and `westeurope` in others: compare without case and spaces. */
export function regionKey(region: string): string {
  return region.replace(/\s+/g, '').toLowerCase();
}

/** The contract's `sourceKind`. */
export type SourceKind = 'managedImage' | 'galleryImageVersion';

const GALLERY_VERSION_ID = /\/providers\/microsoft\.compute\/galleries\/[^/]+\/images\/[^/]+\/versions\/[^/]+$/i;

/** A source's kind, told from its ARM id (a registration's source, a queue message's, a ledger row's). */
export function sourceKindOf(sourceImageResourceId: string): SourceKind {
  return GALLERY_VERSION_ID.test(sourceImageResourceId) ? 'galleryImageVersion' : 'managedImage';
}
