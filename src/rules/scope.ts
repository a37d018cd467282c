// Which images the app looks at. Out-of-scope images are invisible: never posted, never listed as skipped.
import type { ImageScope } from '../config';
import type { SourceImage } from '../domain';
import { tagValue } from './tags';

/**
 * True when the image carries the opt-in tag (name and value compared case-insensitively, the value's
 * surrounding whitespace ignored), or when the scope takes every image.
 */
export function isInScope(image: SourceImage, scope: ImageScope): boolean {
  if (scope.kind === 'all') return true;
  const value = tagValue(image.tags, scope.name);
  return value !== undefined && value.trim().toLowerCase() === scope.value.trim().toLowerCase();
}
