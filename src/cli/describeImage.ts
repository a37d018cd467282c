import { parseManagedImageId } from '../parse/managedImageId';

/** `win11-ent 1.2.0`, or a dash when the image has no usable name yet. */
export function imageLabel(displayName: string | null, version: string | null): string {
  if (displayName === null) return '-';
  return version === null ? displayName : `${displayName} ${version}`;
}

/** `rg-images/win11-ent-1.2.0`: enough to find the image in the portal next to the full id in --json. */
export function sourceLabel(sourceImageResourceId: string): string {
  const id = parseManagedImageId(sourceImageResourceId);
  return id === null ? sourceImageResourceId : `${id.resourceGroup}/${id.name}`;
}
