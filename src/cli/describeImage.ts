import { parseManagedImageId } from '../parse/managedImageId';
import { parseGalleryVersionId } from '../parse/galleryVersionId';

/** `win11-ent 1.2.0`, or a dash when the image has no usable name yet. */
export function imageLabel(displayName: string | null, version: string | null): string {
  if (displayName === null) return '-';
  return version === null ? displayName : `${displayName} ${version}`;
}

/**
 * `rg-images/win11-ent-1.2.0`, or for a gallery image version `gallery:galImages/win11-gold/1.4.0`:
 * enough to find the source in the portal next to the full id in --json.
 */
export function sourceLabel(sourceImageResourceId: string): string {
  const id = parseManagedImageId(sourceImageResourceId);
  if (id !== null) return `${id.resourceGroup}/${id.name}`;
  const version = parseGalleryVersionId(sourceImageResourceId);
  return version === null ? sourceImageResourceId : `gallery:${version.galleryName}/${version.definitionName}/${version.versionName}`;
}
