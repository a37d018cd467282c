// Carries out a plan (rules/plan): slots first (applyPlan/reserveSlots), then the ledger (first rows
// together, applyPlan/actionRows), then each action's message (applyPlan/applyAction).
import { type LedgerRow, registrationKey } from '../domain';
import { LedgerConflictError } from '../errors';
import { inChunks } from '../inChunks';
import { mapConcurrently } from '../mapConcurrently';
import type { NewLedgerEntry, SyncDeps } from '../ports';
import type { Plan, PlanAction } from '../rules/plan';
import { firstRowOf } from './applyPlan/actionRows';
import { applyAction } from './applyPlan/applyAction';
import { type AppliedPlan, NOTHING_APPLIED } from './applyPlan/appliedPlan';
import { reserveSlots } from './applyPlan/reserveSlots';
import { releaseSlot } from './releaseSlot';

export { type AppliedPlan, NOTHING_APPLIED } from './applyPlan/appliedPlan';

const APPLY_CONCURRENCY = 16;
/** First rows written per insertMany: one entity-group transaction's worth. */
const FIRST_ROWS_PER_WRITE = 100;
const CHUNKS_AT_ONCE = 2;

/**
 * Carries out a plan: slots first, then the ledger, then the message, so a lost message is found by
 * the next plan. `inTenant`: the registration keys of the tenant's device images (the plan's listing);
 * `imagesInTenant`: how many device images that listing holds.
 */
export async function applyPlan(
  deps: SyncDeps,
  plan: Plan,
  ledgerRows: readonly LedgerRow[],
  inTenant: ReadonlySet<string>,
  imagesInTenant: number = inTenant.size,
): Promise<AppliedPlan> {
  const rows = new Map(ledgerRows.map((row) => [registrationKey(row.sourceImageResourceId, row.version), row]));
  const counts = { ...NOTHING_APPLIED };
  const superseded = (action: PlanAction, sourceImageResourceId: string): void => {
    counts.superseded += 1;
    deps.log.info('PlanActionSuperseded', { kind: action.kind, sourceImageResourceId });
  };

  const applyOne = async (action: PlanAction, recorded: boolean): Promise<void> => {
    try {
      const done = await applyAction(deps, action, rows, recorded);
      if (done !== null) counts[done] += 1;
    } catch (error) {
      if (!(error instanceof LedgerConflictError)) {
        await releaseReserved([action]);
        throw error;
      }
      // Another instance's write landed: it carries the registration on, with the same slot.
      superseded(action, error.sourceImageResourceId);
    }
  };
  /** A slot reserved by this plan whose ledger write or message was lost: no job will use it. */
  const releaseReserved = async (actions: readonly PlanAction[]): Promise<void> => {
    for (const action of actions) if (action.kind === 'register' && action.needsSlot) await releaseSlot(deps, action.job);
  };

  // New images first, so their jobs go out while the other first rows are still being written;
  // each chunk's messages follow its own rows.
  const firstRows: { readonly action: PlanAction; readonly entry: NewLedgerEntry }[] = [];
  const others: PlanAction[] = [];
  for (const action of await reserveSlots(deps, plan.actions, inTenant, imagesInTenant)) {
    const entry = firstRowOf(action, rows);
    if (entry === null) others.push(action);
    else firstRows.push({ action, entry });
  }
  firstRows.sort((a, b) => Number(b.action.kind === 'register') - Number(a.action.kind === 'register'));
  const recordChunk = async (chunk: typeof firstRows): Promise<void> => {
    let inserted: (LedgerRow | null)[];
    try {
      inserted = await deps.ledger.insertMany(
        chunk.map(({ entry }) => entry),
        deps.clock.now(),
      );
    } catch (error) {
      await releaseReserved(chunk.map(({ action }) => action));
      throw error;
    }
    const recorded = chunk.filter(({ action, entry }, index) => {
      // null: another instance wrote the row first; it carries the image on.
      if (inserted[index] !== null) return true;
      superseded(action, entry.sourceImageResourceId);
      return false;
    });
    await mapConcurrently(recorded, APPLY_CONCURRENCY, ({ action }) => applyOne(action, true));
  };
  await Promise.all([
    mapConcurrently(inChunks(firstRows, FIRST_ROWS_PER_WRITE), CHUNKS_AT_ONCE, recordChunk),
    mapConcurrently(others, APPLY_CONCURRENCY, (action) => applyOne(action, false)),
  ]);
  return counts;
}
