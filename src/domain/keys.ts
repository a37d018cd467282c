// Comparison keys: ARM and Graph spell the same resource id in different casings.

/** The comparison key of an ARM resource id: ARM and Graph return different casings. */
export function sourceImageKey(sourceImageResourceId: string): string {
  return sourceImageResourceId.toLowerCase();
}

/**
 * The comparison key of a registration: a source image at a version (DESIGN §4). Versions are
 * canonical `MAJOR.MINOR.PATCH` by the time they get here; null (no usable version) is its own key.
 */
export function registrationKey(sourceImageResourceId: string, version: string | null): string {
  return `${sourceImageKey(sourceImageResourceId)}|${version ?? ''}`;
}
