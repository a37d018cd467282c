// The names and ids of a gallery version's managed-image copy in the staging group (DESIGN §17),
// told from the version's id alone, so a rerun (or another instance) finds the same copy.
import type { StagingResourceGroup } from '../config';

/** ARM's limit for a disk or image name. */
export const COPY_NAME_MAX = 80;

const GALLERY_VERSION =
  /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.Compute\/galleries\/[^/]+\/images\/([^/]+)\/versions\/([^/]+)$/i;

/** FNV-1a, 32 bits, as 8 lower-case hex digits: a short, stable, pure fingerprint of a text. */
export function fnv1a32(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/**
 * `cloudpc-{definition}-{version}-{8 hex of the lower-cased version id}` in lower case, within 80 characters (the
 * definition is shortened when it must be); null when the id is not a gallery version's.
 */
export function galleryCopyName(galleryVersionId: string): string | null {
  const match = GALLERY_VERSION.exec(galleryVersionId);
  if (match === null) return null;
  // Lower-cased: ARM answers ids in varying casing, and the copy must be named the same every time.
  const [, definition = '', version = ''] = match.map((part) => part.toLowerCase());
  const hash = fnv1a32(galleryVersionId.toLowerCase());
  const fixed = `cloudpc--${version}-${hash}`.length;
  const room = Math.max(0, COPY_NAME_MAX - fixed);
  return `cloudpc-${definition.slice(0, room)}-${version}-${hash}`;
}

export interface GalleryCopyIds {
  readonly name: string;
  readonly diskId: string;
  readonly imageId: string;
}

/** The copy's disk and managed image in the staging group; null when the id is not a gallery version's. */
export function galleryCopyIds(galleryVersionId: string, staging: StagingResourceGroup): GalleryCopyIds | null {
  const name = galleryCopyName(galleryVersionId);
  if (name === null) return null;
  const provider = `/subscriptions/${staging.subscriptionId}/resourceGroups/${staging.name}/providers/Microsoft.Compute`;
  return { name, diskId: `${provider}/disks/${name}`, imageId: `${provider}/images/${name}` };
}
