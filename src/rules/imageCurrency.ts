// What a reconcile records about the currency of ready registrations (DESIGN §16), and what it
// alerts: only the newest ready version per display name is judged (older ones are superseded
// anyway, theirs stay null); each warning is alerted once per registration and latest build.
import type { DeviceImage, ImageWarning, LedgerRow, WindowsRelease } from '../domain';
import type { LedgerChange, RebuildNeeded } from '../ports';
import { compareVersions } from './naming';
import { editionSupport, judgeBuild } from './osCurrency';
import { editionSupportEndingWarning, osUpdateBehindWarning, sameWarnings } from './warnings';

/** The catalogue as the reconcile could read it. */
export type CatalogueReading =
  | { readonly kind: 'listed'; readonly releases: readonly WindowsRelease[] }
  | { readonly kind: 'unavailable'; readonly reason: string }
  /** IMAGE_SYNC_MAX_PATCH_LAG=off: nothing is judged, nothing is read. */
  | { readonly kind: 'off' };

export interface CurrencySettings {
  /** Warn above this many release months behind. */
  readonly maxPatchLag: number;
  readonly expiryWarningDays: number;
}

export type CurrencyChange = Pick<
  LedgerChange,
  | 'osVersionNumber'
  | 'operatingSystem'
  | 'latestBuild'
  | 'patchLag'
  | 'currencyWarnings'
  | 'alertedCurrency'
  | 'alertedWarnings'
  | 'readyAt'
>;

export interface CurrencyAction {
  readonly row: LedgerRow;
  /** Empty when the row is as it should be. */
  readonly change: CurrencyChange;
  /** Warnings not alerted before for this latest build: alerted once the change is written. */
  readonly alerts: readonly ImageWarning[];
  readonly rebuild: RebuildNeeded | null;
  /** Why a judged registration has no latestBuild (or why its edition was not judged), for a log line. */
  readonly unknown: readonly string[];
}

function displayNameKey(row: LedgerRow): string {
  return (row.displayName ?? row.sourceImageResourceId).toLowerCase();
}

function isReadyRegistration(row: LedgerRow): boolean {
  return row.legacy !== true && row.state === 'ready' && row.deviceImageId !== null && row.version !== null;
}

/** The newest ready version of each display name (case-insensitively). */
export function newestReadyPerDisplayName(rows: readonly LedgerRow[]): LedgerRow[] {
  const newest = new Map<string, LedgerRow>();
  for (const row of rows) {
    if (!isReadyRegistration(row)) continue;
    const key = displayNameKey(row);
    const current = newest.get(key);
    if (current === undefined || compareVersions(row.version, current.version) > 0) newest.set(key, row);
  }
  return [...newest.values()];
}

/** Whether a reconcile needs the catalogue: at least one ready registration, and the setting on. */
export function needsCatalogue(rows: readonly LedgerRow[], maxPatchLag: number | null): boolean {
  return maxPatchLag !== null && rows.some(isReadyRegistration);
}

interface Judgement {
  readonly latestBuild: string | null;
  readonly patchLag: number | null;
  readonly warnings: readonly ImageWarning[];
  readonly rebuild: RebuildNeeded | null;
  readonly unknown: readonly string[];
}

const NOT_JUDGED: Judgement = { latestBuild: null, patchLag: null, warnings: [], rebuild: null, unknown: [] };

function judge(
  row: LedgerRow,
  osVersionNumber: string | null,
  operatingSystem: string | null,
  reading: CatalogueReading,
  settings: CurrencySettings,
  now: Date,
): Judgement {
  if (reading.kind === 'off') return NOT_JUDGED;
  if (reading.kind === 'unavailable') return { ...NOT_JUDGED, unknown: [reading.reason] };
  const found = judgeBuild(osVersionNumber, reading.releases);
  if (found.kind === 'unknown') return { ...NOT_JUDGED, unknown: [found.reason] };
  const warnings: ImageWarning[] = [];
  let rebuild: RebuildNeeded | null = null;
  if (found.patchLag > settings.maxPatchLag) {
    warnings.push(osUpdateBehindWarning(found));
    rebuild = {
      displayName: row.displayName,
      version: row.version,
      sourceImageResourceId: row.sourceImageResourceId,
      osVersionNumber: found.osVersionNumber,
      latestBuild: found.latestBuild,
      patchLag: found.patchLag,
    };
  }
  const edition = editionSupport(operatingSystem, found.release);
  const unknown: string[] = [];
  if (edition.kind === 'unknown') unknown.push(edition.reason);
  else {
    const ending = editionSupportEndingWarning({ release: found.release.id, ...edition }, now, settings.expiryWarningDays);
    if (ending !== null) warnings.push(ending);
  }
  return { latestBuild: found.latestBuild, patchLag: found.patchLag, warnings, rebuild, unknown };
}

export function alertKey(warning: ImageWarning, latestBuild: string | null): string {
  return `${warning.code}@${latestBuild ?? ''}`;
}

/**
 * What each ready registration's row should say about its currency now. The device images are
 * Graph's listing of this reconcile (their osVersionNumber, and the time an upload an earlier
 * release watched became ready); a registration Graph no longer lists keeps what its row says.
 */
export function judgeCurrency(
  rows: readonly LedgerRow[],
  deviceImages: readonly DeviceImage[],
  reading: CatalogueReading,
  settings: CurrencySettings,
  now: Date,
): CurrencyAction[] {
  const images = new Map(deviceImages.map((image) => [image.id.toLowerCase(), image]));
  const judged = new Set(newestReadyPerDisplayName(rows));
  const actions: CurrencyAction[] = [];
  for (const row of rows) {
    if (!isReadyRegistration(row) || row.deviceImageId === null) continue;
    const image = images.get(row.deviceImageId.toLowerCase());
    // Graph's listing when the registration is in it, else what the row kept (sync's last judgement lists nothing).
    const osVersionNumber = image?.osVersionNumber ?? row.osVersionNumber ?? null;
    const operatingSystem = image?.operatingSystem ?? row.operatingSystem ?? null;
    const judgement = judged.has(row) ? judge(row, osVersionNumber, operatingSystem, reading, settings, now) : NOT_JUDGED;
    const change: { -readonly [K in keyof CurrencyChange]: CurrencyChange[K] } = {};
    if (osVersionNumber !== (row.osVersionNumber ?? null)) change.osVersionNumber = osVersionNumber;
    if (operatingSystem !== (row.operatingSystem ?? null)) change.operatingSystem = operatingSystem;
    if (judgement.latestBuild !== (row.latestBuild ?? null)) change.latestBuild = judgement.latestBuild;
    if (judgement.patchLag !== (row.patchLag ?? null)) change.patchLag = judgement.patchLag;
    if (!sameWarnings(judgement.warnings, row.currencyWarnings ?? [])) change.currencyWarnings = judgement.warnings;
    // Rows of earlier releases kept no ready time: Graph's last change to a ready image is the nearest record of it.
    const lastModified = image?.lastModifiedDateTime ?? null;
    if ((row.readyAt ?? null) === null && lastModified !== null) change.readyAt = lastModified;

    const alerted = row.alertedCurrency ?? [];
    const alerts = judgement.warnings.filter((warning) => !alerted.includes(alertKey(warning, judgement.latestBuild)));
    if (alerts.length > 0) {
      change.alertedCurrency = [...alerted, ...alerts.map((warning) => alertKey(warning, judgement.latestBuild))];
      // The code too, so the reconcile's observation (which alerts by code) does not alert it again.
      const codes = alerts.map((warning) => warning.code).filter((code) => !row.alertedWarnings.includes(code));
      if (codes.length > 0) change.alertedWarnings = [...row.alertedWarnings, ...codes];
    }
    const rebuild = alerts.some((warning) => warning.code === 'os-update-behind') ? judgement.rebuild : null;
    if (Object.keys(change).length > 0 || judgement.unknown.length > 0) {
      actions.push({ row, change, alerts, rebuild, unknown: judgement.unknown });
    }
  }
  return actions;
}

/** A ready image more than IMAGE_SYNC_MAX_PATCH_LAG Patch Tuesdays behind, as the last reconcile judged it. */
export interface BehindImage {
  readonly displayName: string | null;
  readonly version: string | null;
  readonly sourceImageResourceId: string;
  readonly osVersionNumber: string | null;
  readonly latestBuild: string;
  readonly patchLag: number;
}

/** For `plan`: the judged registrations whose lag is above the setting, most behind first. */
export function behindImages(rows: readonly LedgerRow[], maxPatchLag: number | null): BehindImage[] {
  if (maxPatchLag === null) return [];
  return rows
    .flatMap((row) => {
      const latestBuild = row.latestBuild ?? null;
      const patchLag = row.patchLag ?? null;
      if (!isReadyRegistration(row) || latestBuild === null || patchLag === null || patchLag <= maxPatchLag) return [];
      return [
        {
          displayName: row.displayName,
          version: row.version,
          sourceImageResourceId: row.sourceImageResourceId,
          osVersionNumber: row.osVersionNumber ?? null,
          latestBuild,
          patchLag,
        },
      ];
    })
    .sort((a, b) => b.patchLag - a.patchLag || (a.displayName ?? '').localeCompare(b.displayName ?? ''));
}
