import { ATTENTION_SKIP_REASONS, type LedgerRow, isUsable, registrationKey } from '../domain';
import { LedgerConflictError } from '../errors';
import { inChunks } from '../inChunks';
import { mapConcurrently } from '../mapConcurrently';
import { handOffToPoller, recordDeviceImage } from './recordDeviceImage';
import { releaseSlot } from './releaseSlot';
import { skipFix } from '../rules/eligibility';
import {
  type ImageIdentity,
  markAlerted,
  markSkipped,
  newLedgerEntry,
  queueImage,
  readyEntry,
  recordObservation,
  skippedEntry,
} from './ledgerTransitions';
import type { Plan, PlanAction, SkipAction } from '../rules/plan';
import type { NewLedgerEntry, SyncDeps } from '../ports';
import { rolloutTargets } from '../rules/planRollout';
import { markRetired } from './retirementTransitions';
import { statusCheckFor } from '../rules/statusCheckMessage';
import { warnRegistration } from './warnRegistration';
import { confirmedGone } from './confirmedGone';

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
  /** Rows that recorded what Graph or the source now say (OS status, policies, warnings). */
  readonly observed: number;
  /** Registrations recorded retired (their device image was deleted outside the app) and stale skipped rows dropped. */
  readonly retired: number;
  /** Actions another instance got to first (its write landed; it carries on). */
  readonly superseded: number;
}

export const NOTHING_APPLIED: AppliedPlan = Object.freeze({
  registered: 0,
  adopted: 0,
  skipped: 0,
  resumed: 0,
  observed: 0,
  retired: 0,
  superseded: 0,
});

/** Skipping never overwrites an image that is registering or registered: the upload goes on. */
function maySkip(row: LedgerRow | undefined): boolean {
  return row === undefined || row.state === 'skipped' || row.state === 'queued' || row.state === 'failed';
}

function identityOf(action: Extract<PlanAction, { kind: 'skip' | 'adopt' | 'register' }>): ImageIdentity {
  if (action.kind === 'register') {
    const { job, contentFingerprint } = action;
    return {
      sourceImageResourceId: job.sourceImageResourceId,
      displayName: job.displayName,
      version: job.version,
      contentFingerprint,
      rolloutPolicies: rolloutTargets(action.sourceImage),
    };
  }
  const contentFingerprint = action.kind === 'adopt' ? action.contentFingerprint : null;
  return {
    sourceImageResourceId: action.sourceImage.id,
    displayName: action.displayName,
    version: action.version,
    contentFingerprint,
    rolloutPolicies: rolloutTargets(action.sourceImage),
  };
}

function keyOf(action: PlanAction): string {
  switch (action.kind) {
    case 'register':
      return registrationKey(action.job.sourceImageResourceId, action.job.version);
    case 'skip':
    case 'adopt':
      return registrationKey(action.sourceImage.id, action.version);
    case 'resumeStatusCheck':
    case 'dropRow':
    case 'retire':
    case 'observe':
      return registrationKey(action.row.sourceImageResourceId, action.row.version);
  }
}

function needsAttention(action: SkipAction): boolean {
  return ATTENTION_SKIP_REASONS.includes(action.reason);
}

/**
 * The first row of an action's image when the ledger has none and the action's whole ledger write
 * is that row; null otherwise. These rows are written together (insertMany), a hundred a request.
 */
function firstRowOf(action: PlanAction, rows: ReadonlyMap<string, LedgerRow>): NewLedgerEntry | null {
  if (rows.has(keyOf(action))) return null;
  switch (action.kind) {
    case 'register':
      return newLedgerEntry(identityOf(action));
    case 'skip':
      // An attention skip is alerted after its row is written, one by one.
      return needsAttention(action) ? null : skippedEntry(identityOf(action), action);
    case 'adopt':
      return isUsable(action.deviceImage.status) ? readyEntry(identityOf(action), action.deviceImage) : null;
    case 'resumeStatusCheck':
    case 'dropRow':
    case 'retire':
    case 'observe':
      return null;
  }
}

/** `recorded`: the action's ledger write is done already (its first row, by insertMany). */
async function skipImage(deps: SyncDeps, action: SkipAction, row: LedgerRow | undefined, recorded: boolean): Promise<'skipped' | null> {
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

async function apply(
  deps: SyncDeps,
  action: PlanAction,
  rows: ReadonlyMap<string, LedgerRow>,
  recorded: boolean,
): Promise<keyof Omit<AppliedPlan, 'superseded'> | null> {
  const now = deps.clock.now();
  switch (action.kind) {
    case 'register': {
      const { job } = action;
      const row = rows.get(keyOf(action)) ?? null;
      if (!recorded) await queueImage(deps.ledger, row, identityOf(action), now);
      await deps.queues.sendRegisterJob(job);
      deps.log.info('RegisterJobQueued', {
        sourceImageResourceId: job.sourceImageResourceId,
        displayName: job.displayName,
        version: job.version,
        trigger: job.trigger,
        cause: action.cause,
      });
      return 'registered';
    }
    case 'skip':
      return skipImage(deps, action, rows.get(keyOf(action)), recorded);
    case 'adopt': {
      const row = rows.get(keyOf(action)) ?? null;
      if (!recorded) await handOffToPoller(deps, await recordDeviceImage(deps, row, identityOf(action), action.deviceImage, action.origin));
      deps.log.info('DeviceImageAdopted', {
        sourceImageResourceId: action.sourceImage.id,
        version: action.version,
        deviceImageId: action.deviceImage.id,
        status: action.deviceImage.status,
      });
      return 'adopted';
    }
    case 'resumeStatusCheck': {
      const { row } = action;
      if (row.deviceImageId === null) return null;
      await deps.ledger.update(row, { nextCheckAt: now.toISOString() }, now);
      await deps.queues.sendStatusCheck(
        statusCheckFor(row, row.deviceImageId, { check: row.statusChecks, since: row.pendingSince ?? now.toISOString() }),
        0,
      );
      deps.log.info('StatusCheckResumed', {
        sourceImageResourceId: row.sourceImageResourceId,
        version: row.version,
        deviceImageId: row.deviceImageId,
      });
      return 'resumed';
    }
    case 'dropRow':
      await deps.ledger.remove(action.row);
      deps.log.info('LedgerRowDropped', {
        sourceImageResourceId: action.row.sourceImageResourceId,
        version: action.row.version,
        reason: action.row.reason,
      });
      return 'retired';
    case 'retire':
      if (!(await confirmedGone(deps, action.row))) return null;
      await markRetired(deps.ledger, action.row, action.reason, now);
      deps.log.warn('DeviceImageGone', {
        sourceImageResourceId: action.row.sourceImageResourceId,
        version: action.row.version,
        deviceImageId: action.row.deviceImageId,
        detail: action.reason,
      });
      return 'retired';
    case 'observe': {
      const { row } = action;
      await recordObservation(deps.ledger, row, action.observation, now);
      await warnRegistration(deps, row, action.newWarnings);
      return 'observed';
    }
  }
}

/**
 * Reserves the tenant's slots for the registrations that need one; those refused (another
 * instance took the room since the plan was made) become tenant-image-limit skips.
 */
async function withSlots(
  deps: SyncDeps,
  actions: readonly PlanAction[],
  inTenant: ReadonlySet<string>,
  imagesInTenant: number,
): Promise<PlanAction[]> {
  const wanted = actions.flatMap((action) => (action.kind === 'register' && action.needsSlot ? [keyOf(action)] : []));
  if (wanted.length === 0) return [...actions];
  const limit = deps.config.tenantImageLimit;
  const granted = await deps.slots.reserve(wanted, inTenant, limit, deps.clock.now(), imagesInTenant);
  return actions.map((action) => {
    if (action.kind !== 'register' || !action.needsSlot || granted.has(keyOf(action))) return action;
    const { job, sourceImage } = action;
    return {
      kind: 'skip',
      sourceImage,
      displayName: job.displayName,
      version: job.version,
      reason: 'tenant-image-limit',
      fix: skipFix('tenant-image-limit', sourceImage, { tenantImageLimit: limit }),
    };
  });
}

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
      const done = await apply(deps, action, rows, recorded);
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
  for (const action of await withSlots(deps, plan.actions, inTenant, imagesInTenant)) {
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
