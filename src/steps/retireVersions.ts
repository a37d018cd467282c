// Retention carried out (DESIGN §13, §15). Each retirement is marked on its row before the DELETE
// (markRetiring: the state stays), and the row becomes `retired` only when Graph answers 204 or 404.
// Any refusal takes the mark back, leaves the row as it was and records a problem `retire-refused`
// with Graph's words; retention plans it again at the next reconcile. A DELETE without an answer
// keeps the mark: the next run either finds the image gone (confirmed by a GET) or judges it afresh.
// A marked row is never a licence: planRetention finishes it only when the rules allow it now.
import { type DeviceImage, type LedgerRow, registrationKey } from '../domain';
import { LedgerConflictError, PermanentError } from '../errors';
import { remediationFor } from '../rules/remediation';
import { keepDeviceImage, markRetired, markRetiring } from './retirementTransitions';
import { deviceImageKey } from '../rules/plan';
import type { SyncDeps } from '../ports';
import { confirmedGone } from './confirmedGone';
import { describeError, reportProblem } from './reportFailure';
import { type RetentionPlan, type Retirement, type RetirementWhy, planRetention } from '../rules/retention';
import type { TenantView } from './tenantView';

export type RetirementOutcome = 'retired' | 'would-retire' | 'in-use' | 'kept' | 'refused' | 'changed' | 'failed';

export interface RetirementResult {
  readonly sourceImageResourceId: string;
  readonly displayName: string | null;
  readonly version: string | null;
  readonly deviceImageId: string | null;
  /** `unfinished`: a retirement begun earlier (marked, or retired by an earlier release). */
  readonly why: RetirementWhy | 'in-use' | 'unfinished';
  readonly outcome: RetirementOutcome;
  readonly detail: string;
}

function explain(retirement: Retirement): string {
  const newer = retirement.newestReady ?? 'a newer version';
  const because =
    retirement.why === 'superseded'
      ? `retention keeps the newest ready versions; ${newer} is ready`
      : `its upload failed and ${newer} is ready`;
  return retirement.unfinished ? `finishing a retirement begun earlier: ${because}` : because;
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

/** A DELETE Graph refused: the row as it was, and a problem with Graph's words and the fix. */
async function refused(
  deps: SyncDeps,
  marked: LedgerRow,
  deviceImage: DeviceImage,
  why: RetirementResult['why'],
  error: PermanentError,
): Promise<RetirementResult> {
  const answer = describeError(error);
  await keepDeviceImage(deps.ledger, marked, deviceImage, `Windows 365 refused its deletion: ${answer}`, deps.clock.now());
  await reportProblem(deps, {
    kind: 'retire-refused',
    subject: deviceImage.id,
    detail: `${marked.displayName ?? '?'} ${marked.version ?? '?'} (${marked.sourceImageResourceId}): ${answer}. ${remediationFor('retire-refused')}`,
  });
  return resultOf(marked, why, 'refused', answer);
}

async function retireOne(deps: SyncDeps, retirement: Retirement): Promise<RetirementResult> {
  const { row, deviceImage } = retirement;
  const detail = explain(retirement);
  const why = retirement.unfinished ? 'unfinished' : retirement.why;
  if (row.deviceImageId === null) return resultOf(row, why, 'changed', 'no device image');
  let marked: LedgerRow;
  try {
    marked = await markRetiring(deps.ledger, row, deps.clock.now());
  } catch (error) {
    if (!(error instanceof LedgerConflictError)) throw error;
    return resultOf(row, why, 'changed', 'the row changed meanwhile (another instance acts on it)');
  }
  try {
    await deps.deviceImages.delete(row.deviceImageId);
  } catch (error) {
    if (error instanceof PermanentError) return refused(deps, marked, deviceImage, why, error);
    // No answer: the mark stays; the next run finds the image gone or judges it again.
    deps.log.warn('DeviceImageRetirementUnfinished', {
      sourceImageResourceId: row.sourceImageResourceId,
      version: row.version,
      deviceImageId: row.deviceImageId,
      detail: describeError(error),
    });
    return resultOf(row, why, 'failed', describeError(error));
  }
  await markRetired(deps.ledger, marked, `deleted from Windows 365 by retention: ${detail}`, deps.clock.now());
  deps.log.info('DeviceImageRetired', {
    sourceImageResourceId: row.sourceImageResourceId,
    displayName: row.displayName,
    version: row.version,
    deviceImageId: row.deviceImageId,
    why,
    detail,
  });
  await releaseSlot(deps, row);
  return resultOf(row, why, 'retired', detail);
}

async function releaseSlot(deps: SyncDeps, row: LedgerRow): Promise<void> {
  try {
    await deps.slots.release(registrationKey(row.sourceImageResourceId, row.version));
  } catch (error) {
    deps.log.debug('ImageSlotNotReleased', { sourceImageResourceId: row.sourceImageResourceId, detail: describeError(error) });
  }
}

/** A marked row whose device image Graph no longer lists: retired once a GET says it is gone (404). */
async function confirmGone(deps: SyncDeps, row: LedgerRow): Promise<RetirementResult | null> {
  if (!(await confirmedGone(deps, row))) return null;
  const detail = 'its DELETE went through earlier (Graph no longer has it); the ledger write after it was lost';
  await markRetired(deps.ledger, row, `deleted from Windows 365 by retention: ${detail}`, deps.clock.now());
  await releaseSlot(deps, row);
  return resultOf(row, 'unfinished', 'retired', detail);
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
const policyWord = (names: readonly string[]) => (names.length === 1 ? 'policy' : 'policies');

/**
 * The plan with rollback targets held back: a retirement of an image a policy's rollback restores
 * becomes a kept one (its mark, if any, goes too).
 */
async function withoutRollbackTargets(
  deps: SyncDeps,
  retention: RetentionPlan,
): Promise<{ plan: RetentionPlan; held: RetirementResult[] }> {
  if (retention.retire.length === 0) return { plan: retention, held: [] };
  const rollbackTo = await rollbackTargets(deps);
  const restoresTo = (row: LedgerRow) => (row.deviceImageId === null ? undefined : rollbackTo.get(row.deviceImageId.toLowerCase()));
  const held: RetirementResult[] = [];
  const keep = [...retention.keep];
  const retire = retention.retire.filter((retirement) => {
    const policies = restoresTo(retirement.row);
    if (policies === undefined) return true;
    const why = `image-sync rollback of provisioning ${policyWord(policies)} ${quoted(policies)} restores it`;
    held.push(resultOf(retirement.row, 'in-use', 'in-use', `kept: ${why}`));
    if (retirement.unfinished) keep.push({ row: retirement.row, deviceImage: retirement.deviceImage, why });
    return false;
  });
  return { plan: { ...retention, retire, keep }, held };
}

/** Plans retention over the view and carries it out (or, with dryRun, only says what it would do). */
export async function retireVersions(
  deps: SyncDeps,
  view: TenantView,
  options: { readonly keep: number; readonly dryRun: boolean },
): Promise<RetentionRun> {
  // Without the policies nothing is judged; a deletion that went through is still recorded.
  const policies = view.policies;
  const judged = planRetention({ ledger: view.ledger, deviceImages: view.deviceImages, policies: policies ?? [], keep: options.keep });
  const retention: RetentionPlan = policies === null ? { retire: [], inUse: [], keep: [], gone: judged.gone } : judged;
  const { plan, held } = await withoutRollbackTargets(deps, retention);
  const inUse = plan.inUse.map(({ row, policies: names }) =>
    resultOf(row, 'in-use', 'in-use', `used by provisioning ${policyWord(names)} ${quoted(names)}`),
  );
  const keptResults = plan.keep
    .filter((entry) => !held.some((result) => result.deviceImageId === entry.row.deviceImageId))
    .map(({ row, why }) => resultOf(row, 'unfinished', 'kept', `kept: ${why}`));
  if (options.dryRun)
    return {
      plan,
      results: [
        ...plan.retire.map((retirement) => resultOf(retirement.row, retirement.why, 'would-retire', explain(retirement))),
        ...plan.gone.map((row) => resultOf(row, 'unfinished', 'would-retire', 'its DELETE was sent earlier; Graph no longer lists it')),
        ...inUse,
        ...held,
        ...keptResults,
      ],
    };
  const results: RetirementResult[] = [];
  for (const row of plan.gone) {
    const result = await unlessChanged(() => confirmGone(deps, row));
    if (result !== null) results.push(result);
  }
  for (const { row, deviceImage, why } of plan.keep) {
    await unlessChanged(() => keepDeviceImage(deps.ledger, row, deviceImage, why, deps.clock.now()));
  }
  for (const retirement of plan.retire) results.push(await retireOne(deps, retirement));
  return { plan, results: [...results, ...inUse, ...held, ...keptResults] };
}

/** A row another instance changed meanwhile is that instance's to act on: null. */
async function unlessChanged<T>(act: () => Promise<T>): Promise<T | null> {
  try {
    return await act();
  } catch (error) {
    if (error instanceof LedgerConflictError) return null;
    throw error;
  }
}

/** The view after a retention run: retired device images are gone from the tenant, and the ledger is read again when rows changed. */
export async function afterRetention(deps: SyncDeps, view: TenantView, run: RetentionRun): Promise<TenantView> {
  const gone = new Set(
    run.results.flatMap((result) =>
      result.outcome === 'retired' && result.deviceImageId !== null ? [result.deviceImageId.toLowerCase()] : [],
    ),
  );
  const wrote = run.results.some((result) => ['retired', 'kept', 'refused', 'failed'].includes(result.outcome));
  if (!wrote) return view;
  const deviceImages = view.deviceImages.filter((deviceImage) => !gone.has(deviceImage.id.toLowerCase()));
  return { ...view, deviceImages, inTenant: new Set(deviceImages.map(deviceImageKey)), ledger: await deps.ledger.list() };
}
