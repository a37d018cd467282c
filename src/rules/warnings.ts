// Warnings (DESIGN §13): things about a registration an administrator should act on that block
// nothing. Pure: derived from the row (what Graph said of the device image, what the reconcile found
// about the source) and the clock. Each is alerted once per registration and condition.
import type { ImageWarning, LedgerEntry, SourceImage, WarningCode } from '../domain';
import { DISPLAY_NAME_TAG, VERSION_TAG } from './naming';
import { nameVersionKey } from './nameVersionClaims';
import { type ReleaseMonth, monthName } from './osCurrency';

const DAY_MS = 24 * 3600 * 1000;

/** Whole days from `now` (UTC date) to a `YYYY-MM-DD` date; null when the date is unreadable. */
export function daysUntil(date: string, now: Date): number | null {
  const at = Date.parse(`${date.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(at)) return null;
  const today = Date.parse(`${now.toISOString().slice(0, 10)}T00:00:00Z`);
  return Math.round((at - today) / DAY_MS);
}

/** What Graph says about the OS of a ready device image, as warnings. */
export function osWarnings(entry: Pick<LedgerEntry, 'osStatus' | 'expirationDate'>, now: Date, expiryWarningDays: number): ImageWarning[] {
  const warnings: ImageWarning[] = [];
  if (entry.osStatus !== null && entry.osStatus.toLowerCase() === 'supportedwithwarning') {
    warnings.push({
      code: 'os-support-warning',
      text: 'Windows 365 reports the OS as supportedWithWarning: its support is ending; build the next version on a supported Windows release',
    });
  }
  const days = entry.expirationDate === null ? null : daysUntil(entry.expirationDate, now);
  if (days !== null && entry.expirationDate !== null) {
    const on = entry.expirationDate.slice(0, 10);
    if (days < 0)
      warnings.push({
        code: 'os-support-ended',
        text: `the image's OS stopped being usable on ${on}; provision from a newer version and point provisioning policies at it`,
      });
    else if (days <= expiryWarningDays)
      warnings.push({
        code: 'os-support-ending',
        text: `the image's OS stops being usable on ${on} (in ${days} day${days === 1 ? '' : 's'}); build and roll out a newer version before then`,
      });
  }
  return warnings;
}

/** Beta's `warning` upload status, shown as its own word: usable, but Windows 365 flags something. */
function uploadWarnings(entry: Pick<LedgerEntry, 'uploadStatus'>): ImageWarning[] {
  if (entry.uploadStatus !== 'warning') return [];
  return [
    {
      code: 'upload-warning',
      text: 'Windows 365 reports the upload as "warning" (a beta status it does not document); the image can be used: check it in the Intune admin center (Windows 365 > Custom images) before rolling it out',
    },
  ];
}

/** Every warning of a registration now: what the reconcile found about its source, the upload's, the OS's, then its currency. */
export function warningsOf(entry: LedgerEntry, now: Date, expiryWarningDays: number): ImageWarning[] {
  if (entry.state !== 'ready') return [];
  return [
    ...entry.sourceWarnings,
    ...uploadWarnings(entry),
    ...osWarnings(entry, now, expiryWarningDays),
    ...(entry.currencyWarnings ?? []),
  ];
}

/** The image's build is more than IMAGE_SYNC_MAX_PATCH_LAG Patch Tuesdays behind its release's latest quality update (DESIGN §16). */
export function osUpdateBehindWarning(found: {
  readonly osVersionNumber: string;
  readonly latestBuild: string;
  readonly latestMonth: ReleaseMonth;
  readonly patchLag: number;
}): ImageWarning {
  const months = `${found.patchLag} Patch Tuesday${found.patchLag === 1 ? '' : 's'}`;
  return {
    code: 'os-update-behind',
    text: `a newer quality update, build ${found.latestBuild} of ${monthName(found.latestMonth)}, is available: rebuild the image (it has ${found.osVersionNumber}, ${months} behind) and register it as a new version`,
  };
}

/** The image's Windows edition leaves support within IMAGE_SYNC_EXPIRY_WARNING_DAYS, or has left it (DESIGN §16). */
export function editionSupportEndingWarning(
  found: { readonly release: string; readonly editionType: string; readonly supportEndDate: string },
  now: Date,
  expiryWarningDays: number,
): ImageWarning | null {
  const days = daysUntil(found.supportEndDate, now);
  if (days === null || days > expiryWarningDays) return null;
  const edition = `${found.release} ${found.editionType}`;
  const when =
    days < 0
      ? `support for ${edition} ended on ${found.supportEndDate}`
      : `support for ${edition} ends on ${found.supportEndDate} (in ${days} day${days === 1 ? '' : 's'})`;
  return {
    code: 'edition-support-ending',
    text: `${when}: build the next version on a supported Windows release and point provisioning policies at it`,
  };
}

/** How a warning reads in `status`: its code, then what to do. */
export function describeWarning(warning: ImageWarning): string {
  return `${warning.code}: ${warning.text}`;
}

/**
 * What comparing a registered version with its source image now shows: the source was rebuilt in
 * place without a new version (its capture differs from the one registered), or its display name
 * tag changed. The app never renames or re-uploads a device image on its own.
 */
export function sourceWarnings(
  entry: Pick<LedgerEntry, 'displayName' | 'version' | 'contentFingerprint'>,
  source: SourceImage,
  current: { readonly displayName: string; readonly version: string },
): ImageWarning[] {
  if (entry.version === null || entry.version !== current.version) return [];
  const warnings: ImageWarning[] = [];
  if (entry.contentFingerprint !== null && source.contentFingerprint !== null && entry.contentFingerprint !== source.contentFingerprint) {
    warnings.push({
      code: 'version-unchanged',
      text: `the source image was rebuilt but still says version ${entry.version}; Windows 365 keeps what was captured when ${entry.version} was registered. Bump ${VERSION_TAG} (e.g. in your image template's tags) so the new build is registered as a new version`,
    });
  }
  if (
    entry.displayName !== null &&
    nameVersionKey(entry.displayName, entry.version) !== nameVersionKey(current.displayName, entry.version)
  ) {
    warnings.push({
      code: 'display-name-changed',
      text: `the source's display name is now "${current.displayName}" but the device image is "${entry.displayName}"; the app never renames a device image: register the new name as a new version (bump ${VERSION_TAG}) or set ${DISPLAY_NAME_TAG} back`,
    });
  }
  return warnings;
}

export function sameWarnings(a: readonly ImageWarning[], b: readonly ImageWarning[]): boolean {
  return a.length === b.length && a.every((warning, index) => warning.code === b[index]?.code && warning.text === b[index]?.text);
}

export function warningCodes(warnings: readonly ImageWarning[]): WarningCode[] {
  return warnings.map((warning) => warning.code);
}
