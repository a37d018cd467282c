// Image currency (DESIGN §16): how far a ready image's OS build is behind its Windows release's
// latest quality update, by release month, and whether its edition's support is ending. Pure.
import type { WindowsRelease, WindowsUpdate } from '../domain';

/** The build and revision of a Windows version: the last two dot-separated numbers (`10.0.26100.4652` → 26100, 4652). */
export interface BuildRevision {
  readonly build: number;
  readonly revision: number;
}

/** null when the text is not dot-separated numbers ending in a build and a revision. */
export function buildAndRevision(version: string): BuildRevision | null {
  const parts = version.trim().split('.');
  if (parts.length < 2 || parts.length > 4 || !parts.every((part) => /^\d{1,9}$/.test(part))) return null;
  const [build, revision] = parts.slice(-2).map(Number);
  return build === undefined || revision === undefined ? null : { build, revision };
}

export interface ReleaseMonth {
  readonly year: number;
  readonly month: number;
}

/** A listed update the app can use: a readable build and a real month. */
interface ReadableUpdate {
  readonly buildVersion: string;
  readonly at: BuildRevision;
  readonly released: ReleaseMonth;
}

function readable(update: WindowsUpdate): ReadableUpdate | null {
  const at = buildAndRevision(update.buildVersion);
  const { releaseYear: year, releaseMonth: month } = update;
  if (at === null || year === null || month === null) return null;
  if (!Number.isInteger(year) || year < 1985 || !Number.isInteger(month) || month < 1 || month > 12) return null;
  return { buildVersion: update.buildVersion, at, released: { year, month } };
}

/** What the catalogue says of one image's build. */
export type CurrencyFinding =
  | {
      readonly kind: 'judged';
      /** The image's build as Graph gave it. */
      readonly osVersionNumber: string;
      readonly release: WindowsRelease;
      /** The newest listed update's buildVersion, as the catalogue writes it. */
      readonly latestBuild: string;
      readonly latestMonth: ReleaseMonth;
      /** Distinct release months among the listed updates newer than the image's build. */
      readonly patchLag: number;
    }
  | { readonly kind: 'unknown'; readonly reason: string };

/**
 * Matches an image's `osVersionNumber` to the release whose listed updates share its build, and
 * counts the release months of the updates with a higher revision. An image older than every listed
 * update is behind by every month listed (at least: the catalogue holds the last three).
 */
export function judgeBuild(osVersionNumber: string | null, catalogue: readonly WindowsRelease[]): CurrencyFinding {
  if (osVersionNumber === null || osVersionNumber.trim() === '')
    return { kind: 'unknown', reason: 'Graph gives the device image no osVersionNumber' };
  const image = buildAndRevision(osVersionNumber);
  if (image === null)
    return { kind: 'unknown', reason: `osVersionNumber "${osVersionNumber}" is not a Windows build (such as 10.0.26100.4652)` };
  let best: { release: WindowsRelease; updates: ReadableUpdate[] } | null = null;
  let malformed = 0;
  for (const release of catalogue) {
    const updates: ReadableUpdate[] = [];
    for (const update of release.updates) {
      const usable = readable(update);
      if (usable === null) malformed += 1;
      else if (usable.at.build === image.build) updates.push(usable);
    }
    if (updates.length > (best?.updates.length ?? 0)) best = { release, updates };
  }
  if (best === null) {
    const unread =
      malformed > 0 ? ` (${malformed} listed update${malformed === 1 ? '' : 's'} with an unreadable buildVersion or month ignored)` : '';
    return catalogue.length === 0
      ? { kind: 'unknown', reason: 'the Windows release catalogue lists no release' }
      : { kind: 'unknown', reason: `no release in the Windows release catalogue lists updates of build ${image.build}${unread}` };
  }
  const newest = best.updates.reduce((a, b) => (b.at.revision > a.at.revision ? b : a));
  const newerMonths = new Set(
    best.updates.filter((update) => update.at.revision > image.revision).map(({ released }) => released.year * 12 + released.month),
  );
  return {
    kind: 'judged',
    osVersionNumber,
    release: best.release,
    latestBuild: newest.buildVersion,
    latestMonth: newest.released,
    patchLag: newerMonths.size,
  };
}

/** The catalogue's editionType of a device image's `operatingSystem` ("Windows 11 Enterprise" → `enterprise`); null when it names none. */
export function editionOf(operatingSystem: string | null): string | null {
  if (operatingSystem === null) return null;
  const match = /^\s*windows\s+(?:\d+|server\s+\d+)\s+(.+?)\s*$/i.exec(operatingSystem);
  const words = match?.[1]?.toLowerCase().replace(/[^a-z]/g, '');
  if (words === undefined || words === '') return null;
  return words === 'pro' ? 'professional' : words;
}

export type EditionFinding =
  | { readonly kind: 'found'; readonly editionType: string; readonly supportEndDate: string }
  | { readonly kind: 'unknown'; readonly reason: string };

/** The support end of the image's edition in its release, compared without case or punctuation. */
export function editionSupport(operatingSystem: string | null, release: WindowsRelease): EditionFinding {
  const edition = editionOf(operatingSystem);
  if (edition === null) return { kind: 'unknown', reason: `the operating system "${operatingSystem ?? ''}" names no Windows edition` };
  const listed = release.editions.find((candidate) => candidate.editionType.toLowerCase().replace(/[^a-z]/g, '') === edition);
  if (listed === undefined) return { kind: 'unknown', reason: `${release.id} lists no edition "${edition}"` };
  if (listed.supportEndDate === null || !/^\d{4}-\d{2}-\d{2}/.test(listed.supportEndDate))
    return { kind: 'unknown', reason: `${release.id} gives edition "${edition}" no readable supportEndDate` };
  return { kind: 'found', editionType: listed.editionType, supportEndDate: listed.supportEndDate.slice(0, 10) };
}

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** "August 2026". */
export function monthName(month: ReleaseMonth): string {
  return `${MONTH_NAMES[month.month - 1] ?? String(month.month)} ${month.year}`;
}
