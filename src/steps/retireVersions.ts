// Retention carried out (DESIGN §13): each retirement is recorded before its device image is deleted,
// so a worker that stops between the two leaves a `retired` row whose deletion the next run finishes
// (planRetention: 'unfinished'), never a ready row pointing at nothing. A deletion Graph refuses
// because a provisioning policy uses the image puts the row back as it was.
import { type LedgerRow, registrationKey } from '../domain';
import { DeviceImageInUseError, LedgerConflictError } from '../errors';
import { markRetired, restoreRetired } from './ledgerTransitions';
import { deviceImageKey } from '../rules/plan';
import type { SyncDeps } from '../ports';
import { describeError } from './reportFailure';
import { type RetentionPlan, type Retirement, planRetention } from '../rules/retention';
import type { TenantView } from './tenantView';

export type RetirementOutcome = 'retired' | 'would-retire' | 'in-use' | 'changed' | 'failed';

export interface RetirementResult {
  readonly sourceImageResourceId: string;
  readonly displayName: string | null;
  readonly version: string | null;
  readonly deviceImageId: string | null;
  readonly why: Retirement['why'] | 'in-use';
  readonly outcome: RetirementOutcome;
  readonly detail: string;
}

function explain(retirement: Retirement): string {
  switch (retirement.why) {
    case 'superseded':
      return `retention keeps the newest ready versions; ${retirement.newestReady ?? 'a newer version'} is ready`;
    case 'failed-superseded':
      return `its upload failed and ${retirement.newestReady ?? 'a newer version'} is ready`;
    case 'unfinished':
      return 'finishing a retirement that was cut short';
  }
}

function resultOf(row: LedgerRow, why: RetirementResult['why'], outcome: RetirementOutcome, detail: string): RetirementResult {
  return {
    sourceImageResourceId: row.sourceImageResourceId,
    displayName: row.displayName,
    version: row.version,
    deviceImageId: row.deviceImageId,
    why,
    outcome,
    detail,
  };
}

async function retireOne(deps: SyncDeps, retirement: Retirement): Promise<RetirementResult> {
  const { row } = retirement;
  const detail = explain(retirement);
  if (row.deviceImageId === null) return resultOf(row, retirement.why, 'changed', 'no device image');
  let retired: LedgerRow;
  try {
    retired =
      row.state === 'retired'
        ? row
        : await markRetired(deps.ledger, row, `deleted from Windows 365 by retention: ${detail}`, deps.clock.now());
  } catch (error) {
    if (!(error instanceof LedgerConflictError)) throw error;
    return resultOf(row, retirement.why, 'changed', 'the row changed meanwhile (another instance acts on it)');
  }
  try {
    await deps.deviceImages.delete(row.deviceImageId);
  } catch (error) {
    if (error instanceof DeviceImageInUseError) {
      await restoreRetired(deps.ledger, retired, row, 'a provisioning policy uses it', deps.clock.now());
      return resultOf(row, 'in-use', 'in-use', describeError(error));
    }
    // The row stays retired; the next run finishes the deletion.
    deps.log.warn('DeviceImageRetirementUnfinished', {
      sourceImageResourceId: row.sourceImageResourceId,
      version: row.version,
      deviceImageId: row.deviceImageId,
      detail: describeError(error),
    });
    return resultOf(row, retirement.why, 'failed', describeError(error));
  }
  deps.log.info('DeviceImageRetired', {
    sourceImageResourceId: row.sourceImageResourceId,
    displayName: row.displayName,
    version: row.version,
    deviceImageId: row.deviceImageId,
    why: retirement.why,
    detail,
  });
  try {
    await deps.slots.release(registrationKey(row.sourceImageResourceId, row.version));
  } catch (error) {
    deps.log.debug('ImageSlotNotReleased', { sourceImageResourceId: row.sourceImageResourceId, detail: describeError(error) });
  }
  return resultOf(row, retirement.why, 'retired', detail);
}

export interface RetentionRun {
  readonly plan: RetentionPlan;
  readonly results: readonly RetirementResult[];
}

/** The images `image-sync rollback` would restore (device image id, lower-cased → policy names): the policies' rollbacks need them. */
async function rollbackTargets(deps: SyncDeps): Promise<Map<string, string[]>> {
  const targets = new Map<string, string[]>();
  for (const rollout of await deps.rollouts.list()) {
    if (rollout.state === 'rolled-back' || rollout.previousImageId === null) continue;
    const id = rollout.previousImageId.toLowerCase();
    targets.set(id, [...(targets.get(id) ?? []), rollout.policyDisplayName]);
  }
  return targets;
}

const quoted = (names: readonly string[]) => names.map((name) => `"${name}"`).join(', ');

/** Plans retention over the view and carries it out (or, with dryRun, only says what it would do). */
export async function retireVersions(
  deps: SyncDeps,
  view: TenantView,
  options: { readonly keep: number; readonly dryRun: boolean },
): Promise<RetentionRun> {
  if (view.policies === null) return { plan: { retire: [], inUse: [] }, results: [] };
  const retention = planRetention({ ledger: view.ledger, deviceImages: view.deviceImages, policies: view.policies, keep: options.keep });
  const rollbackTo = retention.retire.length === 0 ? new Map<string, string[]>() : await rollbackTargets(deps);
  const restoresTo = (row: LedgerRow) => (row.deviceImageId === null ? undefined : rollbackTo.get(row.deviceImageId.toLowerCase()));
  const planned: RetentionPlan = { retire: retention.retire.filter(({ row }) => restoresTo(row) === undefined), inUse: retention.inUse };
  const kept = [
    ...planned.inUse.map(({ row, policies }) =>
      resultOf(row, 'in-use', 'in-use', `used by provisioning ${policies.length === 1 ? 'policy' : 'policies'} ${quoted(policies)}`),
    ),
    ...retention.retire.flatMap(({ row }) => {
      const policies = restoresTo(row);
      return policies === undefined
        ? []
        : [
            resultOf(
              row,
              'in-use',
              'in-use',
              `kept: image-sync rollback of provisioning ${policies.length === 1 ? 'policy' : 'policies'} ${quoted(policies)} restores it`,
            ),
          ];
    }),
  ];
  if (options.dryRun)
    return {
      plan: planned,
      results: [
        ...planned.retire.map((retirement) => resultOf(retirement.row, retirement.why, 'would-retire', explain(retirement))),
        ...kept,
      ],
    };
  const results: RetirementResult[] = [];
  for (const retirement of planned.retire) results.push(await retireOne(deps, retirement));
  return { plan: planned, results: [...results, ...kept] };
}

/** The view after a retention run: retired device images are gone from the tenant, and the ledger is read again. */
export async function afterRetention(deps: SyncDeps, view: TenantView, run: RetentionRun): Promise<TenantView> {
  const gone = new Set(
    run.results.flatMap((result) =>
      result.outcome === 'retired' && result.deviceImageId !== null ? [result.deviceImageId.toLowerCase()] : [],
    ),
  );
  if (gone.size === 0) return view;
  const deviceImages = view.deviceImages.filter((deviceImage) => !gone.has(deviceImage.id.toLowerCase()));
  return { ...view, deviceImages, inTenant: new Set(deviceImages.map(deviceImageKey)), ledger: await deps.ledger.list() };
}
