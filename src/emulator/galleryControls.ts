// The emulator's programmatic knobs for galleries and the copy (docs/emulator.md, "Galleries and
// copies"): hand edits of galleries, a staging group that refuses writes, long-running operations
// that fail or take more polls, getSourceImages leaving a source out, and what the copy created.
import type { ArmError } from './armOperations';
import { describeDisk, type EmulatedDisk } from './diskStore';
import type { GalleryImageVersionInput, GalleryInput } from './gallerySchema';
import type { EmulatedTenant } from './tenant';

export interface GalleryControls {
  /** Adds (or replaces) a gallery with its definitions and versions in a resource group (made when absent); returns its id. */
  putGallery(subscriptionId: string, resourceGroup: string, gallery: GalleryInput): string;
  /** Adds (or replaces) a version of the image definition with this id; returns the version's id. Throws when the definition is absent. */
  putGalleryImageVersion(imageDefinitionId: string, version: GalleryImageVersionInput): string;
  /** Deletes a gallery image version (any casing of its id), as a person would; false when absent. */
  removeGalleryImageVersion(versionId: string): boolean;
  /** An empty resource group (a staging group made after start); returns its id. */
  putResourceGroup(subscriptionId: string, name: string, location?: string): string;
  /** PUT and DELETE of disks and images in the group answer 403 AuthorizationFailed (true), or are allowed again (false). */
  refuseResourceGroupWrites(subscriptionId: string, resourceGroup: string, refused?: boolean): void;
  /** The next long-running operation started by a request of `kind` (`arm.disks.put`, `arm.images.*`, …) ends Failed with `error`. */
  failNextOperation(kind: string, error?: ArmError): void;
  /** Operations answer Succeeded (or Failed) at this status poll from now on (InProgress before, with Retry-After: 1). */
  setOperationPolls(polls: number): void;
  /** Ends every operation still in progress, as ARM would while nobody polls. */
  finishOperations(): void;
  /** The managed disks the tenant holds now. */
  disks(): EmulatedDisk[];
  /** Disks and managed images ever created (PUTs that made them, not updates) whose `cloudpc-sync-copy-of` tag names this id (any casing). */
  createdCopiesOf(galleryVersionId: string): { readonly disks: number; readonly images: number };
  /** getSourceImages leaves this source (a managed image or a gallery version, any casing) out, until shown again. */
  hideSourceImage(resourceId: string): void;
  showSourceImage(resourceId: string): void;
  /** Whether a device image create may name a gallery image version (the estate's `graph.galleryDirect`). */
  setGalleryDirect(accepted: boolean): void;
}

export function createGalleryControls(tenant: EmulatedTenant): GalleryControls {
  const requireGroup = (subscriptionId: string, resourceGroup: string) => {
    const group = tenant.catalogue.resourceGroup(subscriptionId, resourceGroup);
    if (group === undefined) throw new Error(`the estate has no resource group ${resourceGroup} in subscription ${subscriptionId}`);
    return group;
  };
  return {
    putGallery: (subscriptionId, resourceGroup, gallery) => tenant.galleries.putGallery(subscriptionId, resourceGroup, gallery).id,
    putGalleryImageVersion: (imageDefinitionId, version) => {
      const definition = tenant.galleries.findImage(imageDefinitionId);
      if (definition === undefined) throw new Error(`the estate has no gallery image definition ${imageDefinitionId}`);
      return tenant.galleries.putVersion(definition, version).id;
    },
    removeGalleryImageVersion: (versionId) => tenant.galleries.removeVersion(versionId),
    putResourceGroup: (subscriptionId, name, location) => {
      const group = tenant.catalogue.putResourceGroup(subscriptionId, name, location);
      return `/subscriptions/${tenant.catalogue.subscription(subscriptionId)?.id ?? subscriptionId}/resourceGroups/${group.name}`;
    },
    refuseResourceGroupWrites: (subscriptionId, resourceGroup, refused = true) => {
      requireGroup(subscriptionId, resourceGroup).refusesWrites = refused;
    },
    failNextOperation: (kind, error) => tenant.operations.failNext(kind, error),
    setOperationPolls: (polls) => tenant.operations.setPollsToFinish(polls),
    finishOperations: () => tenant.operations.finishAll(),
    disks: () => {
      tenant.operations.catchUp();
      return tenant.disks.all().map(describeDisk);
    },
    createdCopiesOf: (galleryVersionId) => tenant.disks.createdCopiesOf(galleryVersionId),
    hideSourceImage: (resourceId) => {
      tenant.hiddenSourceImages.add(resourceId.toLowerCase());
    },
    showSourceImage: (resourceId) => {
      tenant.hiddenSourceImages.delete(resourceId.toLowerCase());
    },
    setGalleryDirect: (accepted) => {
      tenant.estate.graph.galleryDirect = accepted;
    },
  };
}
