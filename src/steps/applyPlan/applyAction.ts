// Carries out one action of a plan: its ledger write (unless its first row is written already),
// then its message (register job, status check), alert or log line.
import type { LedgerRow } from '../../domain';
import type { SyncDeps } from '../../ports';
import type { PlanAction } from '../../rules/plan';
import { statusCheckFor } from '../../rules/statusCheckMessage';
import { confirmedGone } from '../confirmedGone';
import { queueImage, recordObservation } from '../ledgerTransitions';
import { handOffToPoller, recordDeviceImage } from '../recordDeviceImage';
import { markRetired } from '../retirementTransitions';
import { warnRegistration } from '../warnRegistration';
import { identityOf, keyOf } from './actionRows';
import type { AppliedPlan } from './appliedPlan';
import { skipImage } from './skipImage';

/** `recorded`: the action's first row was written already (insertMany). Returns what to count; null: nothing done. */
export async function applyAction(
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
