import { type LedgerRow, sourceImageKey } from '../domain';
import { LedgerConflictError } from '../errors';
import { mapConcurrently } from '../mapConcurrently';
import { adoptDeviceImage } from './adoptDeviceImage';
import { markSkipped, queueImage } from './ledgerTransitions';
import type { Plan, PlanAction } from './plan';
import type { SyncDeps } from './ports';

/** A queued/creating row, or an overdue status check, untouched this long counts as lost. */
export const STALE_AFTER_MS = 30 * 60 * 1000;
const APPLY_CONCURRENCY = 16;

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

async function apply(deps: SyncDeps, action: PlanAction, rows: ReadonlyMap<string, LedgerRow>): Promise<keyof Omit<AppliedPlan, 'superseded'> | null> {
  const now = deps.clock.now();
  switch (action.kind) {
    case 'register': {
      const { job } = action;
      const row = rows.get(sourceImageKey(job.sourceImageResourceId)) ?? null;
      await queueImage(deps.ledger, row, job, now);
      await deps.queues.sendRegisterJob(job);
      deps.log.info('RegisterJobQueued', { sourceImageResourceId: job.sourceImageResourceId, displayName: job.displayName, version: job.version, trigger: job.trigger, cause: action.cause });
      return 'registered';
    }
    case 'skip': {
      const row = rows.get(sourceImageKey(action.sourceImage.id));
      if (!maySkip(row)) return null;
      if (row?.state === 'skipped' && row.reason === action.reason && row.fix === action.fix && row.displayName === action.displayName && row.version === action.version) return 'skipped';
      await markSkipped(deps.ledger, row ?? null, { sourceImageResourceId: action.sourceImage.id, displayName: action.displayName, version: action.version }, { reason: action.reason, fix: action.fix }, now);
      deps.log.info('ImageSkipped', { sourceImageResourceId: action.sourceImage.id, reason: action.reason, fix: action.fix });
      return 'skipped';
    }
    case 'adopt': {
      const row = rows.get(sourceImageKey(action.sourceImage.id)) ?? null;
      await adoptDeviceImage(deps, row, { sourceImageResourceId: action.sourceImage.id, displayName: action.displayName, version: action.version }, action.deviceImage);
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
  await mapConcurrently(plan.actions, APPLY_CONCURRENCY, async (action) => {
    try {
      const done = await apply(deps, action, rows);
      if (done !== null) counts[done] += 1;
    } catch (error) {
      if (!(error instanceof LedgerConflictError)) throw error;
      counts.superseded += 1;
      deps.log.info('PlanActionSuperseded', { kind: action.kind, sourceImageResourceId: error.sourceImageResourceId });
    }
  });
  return counts;
}
