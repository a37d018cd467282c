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
