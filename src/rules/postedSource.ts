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
