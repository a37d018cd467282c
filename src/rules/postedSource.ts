// The id Graph knows a registration by (DESIGN §17): a gallery version's copy in `copy` mode, the
// source's own id otherwise. The registration itself stays keyed by the source's id.
import type { GallerySettings } from '../config';
import { sourceKindOf } from '../domain';
import { galleryCopyIds } from './galleryCopyName';

export function postedSourceId(sourceImageResourceId: string, gallery: GallerySettings): string {
  if (gallery.mode !== 'copy' || gallery.stagingResourceGroup === null) return sourceImageResourceId;
  if (sourceKindOf(sourceImageResourceId) !== 'galleryImageVersion') return sourceImageResourceId;
  return galleryCopyIds(sourceImageResourceId, gallery.stagingResourceGroup)?.imageId ?? sourceImageResourceId;
}

/** Graph's words when it will not take a gallery version as a create's source (matched loosely: the preview's wording may change). */
const SHAPE_REFUSAL = /source\s*image|sourceImageResourceId|managed\s*image|gallery|not\s+(a\s+)?supported/i;

/**
 * IMAGE_SYNC_GALLERY_SOURCES=direct: a 400 to the create of a gallery version whose words are about
 * the source's shape means the tenant does not take gallery versions (DESIGN §17).
 */
export function isDirectShapeRefusal(
  sourceImageResourceId: string,
  gallery: GallerySettings,
  status: number | null,
  message: string,
): boolean {
  return (
    gallery.mode === 'direct' &&
    sourceKindOf(sourceImageResourceId) === 'galleryImageVersion' &&
    status === 400 &&
    SHAPE_REFUSAL.test(message)
  );
}

/**
 * Device images are listed by Graph with the id that was posted; the planner matches them to
 * registrations by their source. In `copy` mode a copy's id becomes its gallery version's id: the
 * copies of the gallery versions in view, and those the ledger's rows record (copyId).
 */
export function postedToSource(
  sources: readonly { readonly id: string; readonly gallery?: unknown }[],
  ledger: readonly { readonly sourceImageResourceId: string; readonly copyId?: string | null }[],
  gallery: GallerySettings,
): Map<string, string> {
  const map = new Map<string, string>();
  if (gallery.mode !== 'copy') return map;
  for (const row of ledger) if (row.copyId) map.set(row.copyId.toLowerCase(), row.sourceImageResourceId);
  for (const source of sources) {
    const posted = postedSourceId(source.id, gallery);
    if (posted !== source.id) map.set(posted.toLowerCase(), source.id);
  }
  return map;
}

/** The device images with a copy's id read as their gallery version's (the rest as they are). */
export function asRegistrations<T extends { readonly sourceImageResourceId: string }>(
  deviceImages: readonly T[],
  map: ReadonlyMap<string, string>,
): T[] {
  if (map.size === 0) return [...deviceImages];
  return deviceImages.map((image) => {
    const source = map.get(image.sourceImageResourceId.toLowerCase());
    return source === undefined ? image : { ...image, sourceImageResourceId: source };
  });
}
