import { type LedgerRow, sourceImageKey } from '../domain';
import { LedgerConflictError } from '../errors';
import { inChunks } from '../inChunks';
import { mapConcurrently } from '../mapConcurrently';
import { adoptDeviceImage } from './adoptDeviceImage';
import { type ImageIdentity, markSkipped, newLedgerEntry, queueImage, readyEntry, skippedEntry } from './ledgerTransitions';
import type { Plan, PlanAction } from './plan';
import type { NewLedgerEntry, SyncDeps } from './ports';

/** A queued/creating row, or an overdue status check, untouched this long counts as lost. */
export const STALE_AFTER_MS = 30 * 60 * 1000;
const APPLY_CONCURRENCY = 16;
/** First rows written per insertMany: one entity-group transaction's worth. */
const FIRST_ROWS_PER_WRITE = 100;
const CHUNKS_AT_ONCE = 2;

export interface AppliedPlan {
  readonly registered: number;
  readonly adopted: number;
  readonly skipped: number;
  readonly resumed: number;
  /** Actions another instance got to first (its write landed; it carries on). */
  readonly superseded: number;
}

/** Skipping never overwrites an image that is registering or registered: the upload goes on. */
function maySkip(row: LedgerRow | undefined): boolean {
  return row === undefined || row.state === 'skipped' || row.state === 'queued' || row.state === 'failed';
}

function identityOf(action: Extract<PlanAction, { kind: 'skip' | 'adopt' }>): ImageIdentity {
  return { sourceImageResourceId: action.sourceImage.id, displayName: action.displayName, version: action.version };
}

function isReady(status: string): boolean {
  const lower = status.toLowerCase();
  return lower === 'ready' || lower === 'warning';
}

/**
 * The first row of an action's image when the ledger has none and the action's whole ledger write
 * is that row; null otherwise. These rows are written together (insertMany), a hundred a request.
 */
function firstRowOf(action: PlanAction, rows: ReadonlyMap<string, LedgerRow>): NewLedgerEntry | null {
  switch (action.kind) {
    case 'register':
      return rows.has(sourceImageKey(action.job.sourceImageResourceId)) ? null : newLedgerEntry(action.job);
    case 'skip':
      return rows.has(sourceImageKey(action.sourceImage.id)) ? null : skippedEntry(identityOf(action), action);
    case 'adopt':
      return rows.has(sourceImageKey(action.sourceImage.id)) || !isReady(action.deviceImage.status) ? null : readyEntry(identityOf(action), action.deviceImage);
    case 'resumeStatusCheck':
      return null;
  }
}

/** `recorded`: the action's ledger write is done already (its first row, by insertMany). */
async function apply(deps: SyncDeps, action: PlanAction, rows: ReadonlyMap<string, LedgerRow>, recorded: boolean): Promise<keyof Omit<AppliedPlan, 'superseded'> | null> {
  const now = deps.clock.now();
  switch (action.kind) {
    case 'register': {
      const { job } = action;
      const row = rows.get(sourceImageKey(job.sourceImageResourceId)) ?? null;
      if (!recorded) await queueImage(deps.ledger, row, job, now);
      await deps.queues.sendRegisterJob(job);
      deps.log.info('RegisterJobQueued', { sourceImageResourceId: job.sourceImageResourceId, displayName: job.displayName, version: job.version, trigger: job.trigger, cause: action.cause });
      return 'registered';
    }
    case 'skip': {
      const row = rows.get(sourceImageKey(action.sourceImage.id));
      if (!maySkip(row)) return null;
      if (row?.state === 'skipped' && row.reason === action.reason && row.fix === action.fix && row.displayName === action.displayName && row.version === action.version) return 'skipped';
      if (!recorded) await markSkipped(deps.ledger, row ?? null, identityOf(action), action, now);
      deps.log.info('ImageSkipped', { sourceImageResourceId: action.sourceImage.id, reason: action.reason, fix: action.fix });
      return 'skipped';
    }
    case 'adopt': {
      const row = rows.get(sourceImageKey(action.sourceImage.id)) ?? null;
      if (!recorded) await adoptDeviceImage(deps, row, identityOf(action), action.deviceImage);
      deps.log.info('DeviceImageAdopted', { sourceImageResourceId: action.sourceImage.id, deviceImageId: action.deviceImage.id, status: action.deviceImage.status });
      return 'adopted';
    }
    case 'resumeStatusCheck': {
      const { row } = action;
      if (row.deviceImageId === null) return null;
      await deps.ledger.update(row, { nextCheckAt: now.toISOString() }, now);
      await deps.queues.sendStatusCheck(
        { v: 1, sourceImageResourceId: row.sourceImageResourceId, deviceImageId: row.deviceImageId, check: row.statusChecks, since: row.pendingSince ?? now.toISOString(), retryUploads: row.retryUploads },
        0,
      );
      deps.log.info('StatusCheckResumed', { sourceImageResourceId: row.sourceImageResourceId, deviceImageId: row.deviceImageId });
      return 'resumed';
    }
  }
}

/** Carries out a plan: ledger first, then the message, so a lost message is found by the next plan. */
export async function applyPlan(deps: SyncDeps, plan: Plan, ledgerRows: readonly LedgerRow[]): Promise<AppliedPlan> {
  const rows = new Map(ledgerRows.map((row) => [sourceImageKey(row.sourceImageResourceId), row]));
  const counts = { registered: 0, adopted: 0, skipped: 0, resumed: 0, superseded: 0 };
  const superseded = (action: PlanAction, sourceImageResourceId: string): void => {
    counts.superseded += 1;
    deps.log.info('PlanActionSuperseded', { kind: action.kind, sourceImageResourceId });
  };

  const applyOne = async (action: PlanAction, recorded: boolean): Promise<void> => {
    try {
      const done = await apply(deps, action, rows, recorded);
      if (done !== null) counts[done] += 1;
    } catch (error) {
      if (!(error instanceof LedgerConflictError)) throw error;
      superseded(action, error.sourceImageResourceId);
    }
  };

  // New images first, so their jobs go out while the other first rows are still being written;
  // each chunk's messages follow its own rows.
  const firstRows: { readonly action: PlanAction; readonly entry: NewLedgerEntry }[] = [];
  const others: PlanAction[] = [];
  for (const action of plan.actions) {
    const entry = firstRowOf(action, rows);
    if (entry === null) others.push(action);
    else firstRows.push({ action, entry });
  }
  firstRows.sort((a, b) => Number(b.action.kind === 'register') - Number(a.action.kind === 'register'));
  const recordChunk = async (chunk: typeof firstRows): Promise<void> => {
    const inserted = await deps.ledger.insertMany(
      chunk.map(({ entry }) => entry),
      deps.clock.now(),
    );
    const recorded = chunk.filter(({ action, entry }, index) => {
      // null: another instance wrote the row first; it carries the image on.
      if (inserted[index] !== null) return true;
      superseded(action, entry.sourceImageResourceId);
      return false;
    });
    await mapConcurrently(recorded, APPLY_CONCURRENCY, ({ action }) => applyOne(action, true));
  };
  await Promise.all([mapConcurrently(inChunks(firstRows, FIRST_ROWS_PER_WRITE), CHUNKS_AT_ONCE, recordChunk), mapConcurrently(others, APPLY_CONCURRENCY, (action) => applyOne(action, false))]);
  return counts;
}
