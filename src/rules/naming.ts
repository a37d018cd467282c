// What a source image is called in Windows 365: a displayName and a MAJOR.MINOR.PATCH version, which
// together identify a device image in the tenant.
//
// Decisions:
// - Tag names compare case-insensitively (as Azure treats them); values are trimmed of surrounding
//   whitespace, otherwise kept exactly (unicode, quotes, inner spaces). An empty or blank
//   cloudpc-display-name tag counts as absent, so the name-derived display name is used.
// - A version may carry a leading `v`/`V`, from a tag as from a name (`v1.2.0` means `1.2.0`).
// - Version parts are integers: leading zeros are dropped (`2024.05.01` → `2024.5.1`) so that two
//   spellings of one version cannot become two device images; a part above 2147483647 is invalid.
// - A name suffix is a version only when exactly three numeric parts follow the separator:
//   `win11-1.2.3.4` has no version (its last three parts would be a guess).
// - A name that is only a version (`1.2.0`) has no separator before it, hence no version suffix.
// - Graph documents no length limit for displayName; none is imposed here (ARM names are at most
//   80 characters and tag values 256). Graph's answer to a name it refuses is recorded as createRejected.
import type { SourceImage } from '../domain';
import { tagValue } from './tags';

export const DISPLAY_NAME_TAG = 'cloudpc-display-name';
export const VERSION_TAG = 'cloudpc-version';

/** Values given explicitly (the `register` command's --display-name / --version); they win over tags. */
export interface NamingOverrides {
  readonly displayName?: string;
  readonly version?: string;
}

export type VersionSource = 'override' | 'tag' | 'name';

export type ImageNaming =
  | { readonly ok: true; readonly displayName: string; readonly version: string; readonly versionSource: VersionSource }
  | {
      readonly ok: false;
      readonly reason: 'no-version' | 'invalid-version';
      readonly displayName: string;
      /** The version text that was refused, as given (invalid-version only). */
      readonly rejectedVersion: string | null;
      readonly versionSource: VersionSource | null;
    };

const VERSION = /^[vV]?(\d+)\.(\d+)\.(\d+)$/;
const NAME_WITH_VERSION = /^(.+)([-_.])[vV]?(\d+\.\d+\.\d+)$/;
const NUMERIC_SEGMENT = /(?:^|[-_.])[vV]?\d+$/;
const MAX_VERSION_PART = 2_147_483_647;

/** The canonical `MAJOR.MINOR.PATCH` of a version text (optional leading v, no leading zeros), or null. */
export function parseVersion(text: string): string | null {
  const match = VERSION.exec(text.trim());
  if (match === null) return null;
  const parts = match.slice(1, 4).map((part) => Number(part));
  if (parts.some((part) => !Number.isSafeInteger(part) || part > MAX_VERSION_PART)) return null;
  return parts.join('.');
}

export interface VersionSuffix {
  /** What precedes the separator: the name-derived displayName. */
  readonly base: string;
  /** The suffix as written, without the separator. */
  readonly text: string;
  /** The canonical version; null when a part is out of range. */
  readonly version: string | null;
}

/** Splits `win11-ent-1.2.0` into `win11-ent` and `1.2.0`; null when the name has no version suffix. */
export function splitVersionSuffix(name: string): VersionSuffix | null {
  const match = NAME_WITH_VERSION.exec(name);
  if (match === null) return null;
  const [, base, separator, text] = match;
  if (base === undefined || separator === undefined || text === undefined) return null;
  // `img-1.2.3.4` would otherwise read as `img-1` + `2.3.4`.
  if (separator === '.' && NUMERIC_SEGMENT.test(base)) return null;
  return { base, text: name.slice(base.length + 1), version: parseVersion(text) };
}

function present(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}

/**
 * A gallery image version (DESIGN §17): its name is its version (Azure requires MAJOR.MINOR.PATCH),
 * its displayName the tag or the image definition's name. A cloudpc-version tag does not apply: the
 * version's name already says which version it is, and one registration is made per version.
 */
function nameGalleryVersion(image: SourceImage, definitionName: string, overrides: NamingOverrides): ImageNaming {
  const displayName = present(overrides.displayName) ?? present(tagValue(image.tags, DISPLAY_NAME_TAG)) ?? definitionName;
  const overrideVersion = present(overrides.version);
  const given =
    overrideVersion !== undefined ? { text: overrideVersion, source: 'override' as const } : { text: image.name, source: 'name' as const };
  const version = parseVersion(given.text);
  if (version === null)
    return { ok: false, reason: 'invalid-version', displayName, rejectedVersion: given.text, versionSource: given.source };
  return { ok: true, displayName, version, versionSource: given.source };
}

/** displayName and version of a source image, or why it has no usable version. */
export function nameImage(image: SourceImage, overrides: NamingOverrides = {}): ImageNaming {
  if (image.gallery !== undefined) return nameGalleryVersion(image, image.gallery.definitionName, overrides);
  const suffix = splitVersionSuffix(image.name);
  const displayName = present(overrides.displayName) ?? present(tagValue(image.tags, DISPLAY_NAME_TAG)) ?? suffix?.base ?? image.name;

  const overrideVersion = present(overrides.version);
  const tagVersion = present(tagValue(image.tags, VERSION_TAG));
  const given =
    overrideVersion !== undefined
      ? { text: overrideVersion, source: 'override' as const }
      : tagVersion !== undefined
        ? { text: tagVersion, source: 'tag' as const }
        : null;

  if (given !== null) {
    const version = parseVersion(given.text);
    if (version === null) {
      return { ok: false, reason: 'invalid-version', displayName, rejectedVersion: given.text, versionSource: given.source };
    }
    return { ok: true, displayName, version, versionSource: given.source };
  }
  if (suffix !== null) {
    if (suffix.version === null) {
      return { ok: false, reason: 'invalid-version', displayName, rejectedVersion: suffix.text, versionSource: 'name' };
    }
    return { ok: true, displayName, version: suffix.version, versionSource: 'name' };
  }
  return { ok: false, reason: 'no-version', displayName, rejectedVersion: null, versionSource: null };
}

/** Orders MAJOR.MINOR.PATCH versions numerically (null and unreadable parts count as 0). */
export function compareVersions(a: string | null, b: string | null): number {
  const parts = (version: string | null) => (version ?? '').split('.').map((part) => Number.parseInt(part, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let index = 0; index < Math.max(x.length, y.length); index++) {
    const difference = (x[index] ?? 0) - (y[index] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
