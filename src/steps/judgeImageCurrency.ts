// Image currency, once per reconcile (DESIGN §16): one read of the Windows release catalogue when a
// ready registration exists (none otherwise, none with IMAGE_SYNC_MAX_PATCH_LAG=off), each ready
// row's currency written, and each new warning alerted once per registration and latest build.
import type { DeviceImage, LedgerRow } from '../domain';
import { ForbiddenError, LedgerConflictError } from '../errors';
import { type CatalogueReading, type CurrencyAction, judgeCurrency, needsCatalogue } from '../rules/imageCurrency';
import { warnRegistration } from './warnRegistration';
import type { SyncDeps } from '../ports';
import { describeError, reportProblem } from './reportFailure';

export const CATALOGUE_PERMISSION = 'DeviceManagementConfiguration.Read.All';

export interface CurrencyResult {
  /** Whether the catalogue was read (at most once). */
  readonly catalogueRead: boolean;
  /** Rows written. */
  readonly judged: number;
  /** Warnings alerted. */
  readonly alerted: number;
}

async function readCatalogue(deps: SyncDeps): Promise<CatalogueReading> {
  try {
    return { kind: 'listed', releases: await deps.windowsReleases.list() };
  } catch (error) {
    if (error instanceof ForbiddenError) {
      await reportProblem(deps, {
        kind: 'os-catalogue-forbidden',
        subject: 'graph',
        detail: `${describeError(error)}. Grant the app's identity the Microsoft Graph application permission ${CATALOGUE_PERMISSION} (node scripts/grant-graph-permission.mjs --principal-id <its principal id> grants it), or set IMAGE_SYNC_MAX_PATCH_LAG=off; nothing else is held up`,
      });
      return { kind: 'unavailable', reason: `the Windows release catalogue was refused (${CATALOGUE_PERMISSION} missing)` };
    }
    deps.log.warn('WindowsReleaseCatalogueUnavailable', { detail: describeError(error) });
    return { kind: 'unavailable', reason: `the Windows release catalogue could not be read (${describeError(error)})` };
  }
}

async function apply(deps: SyncDeps, action: CurrencyAction): Promise<boolean> {
  const { row, change } = action;
  for (const reason of action.unknown) {
    deps.log.info('ImageCurrencyUnknown', { sourceImageResourceId: row.sourceImageResourceId, version: row.version, reason });
  }
  if (Object.keys(change).length === 0) return false;
  try {
    await deps.ledger.update(row, change, deps.clock.now());
  } catch (error) {
    // Another writer was first: the next reconcile judges the row again (and alerts then, once).
    if (error instanceof LedgerConflictError) return false;
    throw error;
  }
  await warnRegistration(deps, row, action.alerts);
  if (action.rebuild !== null) await deps.alerts.rebuildNeeded(action.rebuild);
  return true;
}

/** `rows`: the ledger as the plan left it; `deviceImages`: Graph's listing of this reconcile. */
export async function judgeImageCurrency(
  deps: SyncDeps,
  rows: readonly LedgerRow[],
  deviceImages: readonly DeviceImage[],
): Promise<CurrencyResult> {
  const { maxPatchLag, expiryWarningDays } = deps.config;
  const catalogueRead = needsCatalogue(rows, maxPatchLag);
  const reading: CatalogueReading = catalogueRead ? await readCatalogue(deps) : { kind: 'off' };
  const actions = judgeCurrency(rows, deviceImages, reading, { maxPatchLag: maxPatchLag ?? 0, expiryWarningDays }, deps.clock.now());
  let judged = 0;
  let alerted = 0;
  for (const action of actions) {
    if (await apply(deps, action)) {
      judged += 1;
      alerted += action.alerts.length;
    }
  }
  return { catalogueRead, judged, alerted };
}

/**
 * For `image-sync sync`, before it exits: registrations that became ready during the run (after its
 * reconcile judged) are judged now, as the next reconcile would, from what their rows kept of Graph
 * (markReady records the build and the operating system): one catalogue read, and nothing when no
 * upload became ready since `since`.
 */
export async function finishImageCurrency(deps: SyncDeps, since: Date): Promise<CurrencyResult | null> {
  const rows = await deps.ledger.list();
  const readySince = rows.some(
    (row) => row.state === 'ready' && (row.readyAt ?? null) !== null && Date.parse(row.readyAt ?? '') >= since.getTime(),
  );
  if (!readySince || !needsCatalogue(rows, deps.config.maxPatchLag)) return null;
  return judgeImageCurrency(deps, rows, []);
}
