// The one definition of a gallery image version id (DESIGN §17), and of its image definition's id,
// used before an id reaches a URL, a filter or a message. Literal segments in any casing; names may
// not end with a period (Azure's naming rules), so `.` and `..` never read as path segments.

export const GALLERY_VERSION_ID =
  /^\/subscriptions\/([0-9a-fA-F-]{36})\/resourceGroups\/([-\w._()]{0,89}[-\w()])\/providers\/Microsoft\.Compute\/galleries\/([\w.]{0,79}\w)\/images\/([-\w.]{0,79}[-\w])\/versions\/([\w.]{0,79}\w)$/i;

export interface GalleryVersionId {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly galleryName: string;
  readonly definitionName: string;
  readonly versionName: string;
}

/** Parses a gallery image version id; null when it is anything else. */
export function parseGalleryVersionId(id: string): GalleryVersionId | null {
  const match = GALLERY_VERSION_ID.exec(id);
  if (match === null) return null;
  const [, subscriptionId, resourceGroup, galleryName, definitionName, versionName] = match;
  if (
    subscriptionId === undefined ||
    resourceGroup === undefined ||
    galleryName === undefined ||
    definitionName === undefined ||
    versionName === undefined
  )
    return null;
  return { subscriptionId, resourceGroup, galleryName, definitionName, versionName };
}

export function isGalleryVersionId(id: string): boolean {
  return GALLERY_VERSION_ID.test(id);
}

/** The image definition a version belongs to: its id without `/versions/{name}` (as cased in the version's id). */
export function definitionIdOf(versionId: string): string {
  return versionId.replace(/\/versions\/[^/]+$/i, '');
}
