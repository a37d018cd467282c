import type { LedgerRow } from '../../domain';
import type { SyncDeps } from '../../ports';
import type { SkipAction } from '../../rules/plan';
import { markAlerted, markSkipped } from '../ledgerTransitions';
import { releaseSlot } from '../releaseSlot';
import { identityOf, needsAttention } from './actionRows';

/** Skipping never overwrites an image that is registering or registered: the upload goes on. */
function maySkip(row: LedgerRow | undefined): boolean {
  return row === undefined || row.state === 'skipped' || row.state === 'queued' || row.state === 'failed';
}

/** `recorded`: the action's ledger write is done already (its first row, by insertMany). */
export async function skipImage(
  deps: SyncDeps,
  action: SkipAction,
  row: LedgerRow | undefined,
  recorded: boolean,
): Promise<'skipped' | null> {
  const now = deps.clock.now();
  if (!maySkip(row)) return null;
  const unchanged =
    row?.state === 'skipped' && row.reason === action.reason && row.fix === action.fix && row.displayName === action.displayName;
  const alerted = unchanged && row.alertedAt !== null;
  if (unchanged && (alerted || !needsAttention(action))) return 'skipped';
  const skipped = recorded || unchanged ? row : await markSkipped(deps.ledger, row ?? null, identityOf(action), action, now);
  // A queued registration held a slot: skipped, it ends without a device image.
  if (row?.state === 'queued') await releaseSlot(deps, { sourceImageResourceId: row.sourceImageResourceId, version: row.version });
  deps.log.info('ImageSkipped', {
    sourceImageResourceId: action.sourceImage.id,
    version: action.version,
    reason: action.reason,
    fix: action.fix,
  });
  if (needsAttention(action) && skipped !== undefined) {
    // The write above decided who alerts: of two planners, only the one whose write landed gets here.
    await deps.alerts.raise({
      sourceImageResourceId: action.sourceImage.id,
      displayName: action.displayName,
      version: action.version,
      errorCode: action.reason,
      detail: action.fix,
    });
    await markAlerted(deps.ledger, skipped, deps.clock.now());
  }
  return 'skipped';
}
