// Which images the app looks at. Out-of-scope images are invisible: never posted, never listed as skipped.
import type { ImageScope } from '../config';
import type { SourceImage } from '../domain';
import { tagValue } from './tags';

/** On the managed image (and disk) the app makes from a gallery version in `copy` mode: the version's id (DESIGN §17). */
export const GALLERY_COPY_TAG = 'cloudpc-sync-copy-of';

/**
 * True when the image carries the opt-in tag (name and value compared case-insensitively, the value's
 * surrounding whitespace ignored), or when the scope takes every image. The app's own copy of a
 * gallery version is never a source of its own, whatever the scope: the version is.
 */
export function isInScope(image: SourceImage, scope: ImageScope): boolean {
  if (image.gallery === undefined && tagValue(image.tags, GALLERY_COPY_TAG) !== undefined) return false;
  if (scope.kind === 'all') return true;
  const value = tagValue(image.tags, scope.name);
  return value !== undefined && value.trim().toLowerCase() === scope.value.trim().toLowerCase();
}
