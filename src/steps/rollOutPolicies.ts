// Carries out a rollout plan (DESIGN §13, §8, §15), ring by ring (DESIGN §18: src/steps/ringGate.ts
// judges the soaking rings first and says which targets are open). For each policy to point at a version:
//   1. the policy's rollout row is read: a row that says the policy was rolled back from this version
//      ends it (nothing is read or sent: only a newer version rolls out to it); a `pointing` or
//      `rolling-back` row younger than a lease is another worker's (left alone);
//   2. the policy is read (GET) right before the PATCH: the plan's listing may be stale. Gone, a
//      gallery-image policy, or on the version already: no PATCH;
//   3. the rollout row is written `pointing`, with the image that read showed (ETag-guarded: of two
//      workers, one goes on), and the PATCH is sent;
//   4. the row becomes `rolled-out`, and the registration's outcome is recorded at once.
// A PATCH whose answer was lost leaves `pointing`: the next run's read finds the policy on the image
// and finishes without sending it again. A failure of one policy never stops the others; what is
// left is finished by the next reconcile.
import type { LedgerRow, PolicyRollout, ProvisioningPolicy, RolloutOutcomeCode } from '../domain';
import { LedgerConflictError, PermanentError, TransientError } from '../errors';
import type { PolicyRolloutRow, SyncDeps } from '../ports';
import { describeError, reportProblem } from './reportFailure';
import { type RolloutStep, describeRolloutOutcome, planRollout } from '../rules/planRollout';
import { decidePatch, isBeingChanged, rolledBackFrom, wasRolledBackFrom } from '../rules/policyPatch';
import { POINTING_LEASE_MS } from '../rules/times';
import { recordRolloutOutcome } from './recordRolloutOutcome';
import { type RingPlan, openRings } from './ringGate';
import { readTenantView } from './tenantView';

export interface RolloutResult {
  readonly sourceImageResourceId: string;
  readonly version: string | null;
  readonly target: string;
  readonly policyId: string | null;
  readonly outcome: RolloutOutcomeCode | 'deferred';
  readonly detail: string;
}

const PROBLEMS: ReadonlySet<RolloutOutcomeCode> = new Set(['no-such-policy', 'gallery-image', 'refused']);

/** `previous`: the policy as read right before the PATCH; the rollbacks of earlier rows are carried on. */
function rolloutFor(row: LedgerRow, previous: ProvisioningPolicy, record: PolicyRolloutRow | null, now: Date): PolicyRollout {
  return {
    policyId: previous.id,
    policyDisplayName: previous.displayName,
    state: 'pointing',
    deviceImageId: row.deviceImageId ?? '',
    deviceImageDisplayName: row.displayName,
    sourceImageResourceId: row.sourceImageResourceId,
    version: row.version ?? '',
    previousImageId: previous.imageId,
    previousImageDisplayName: previous.imageDisplayName,
    previousImageType: previous.imageType,
    rolledBackFrom: rolledBackFrom(record),
    updatedAt: now.toISOString(),
  };
}

/**
 * Steps 1–4 for one policy; the outcome to record, or null when another worker has it in hand.
 * `beforePatch` runs once the PATCH is decided, before anything is written (the ring's Cloud PCs).
 */
async function point(deps: SyncDeps, row: LedgerRow, policy: ProvisioningPolicy, rings: RingPlan): Promise<RolloutOutcomeCode | null> {
  const deviceImageId = row.deviceImageId ?? '';
  const record = await deps.rollouts.get(policy.id);
  if (wasRolledBackFrom(record, deviceImageId)) return 'rolled-back';
  if (isBeingChanged(record, deps.clock.now(), POINTING_LEASE_MS)) return null;
  const decision = decidePatch(deviceImageId, await deps.deviceImages.getProvisioningPolicy(policy.id));
  if (decision.kind === 'skip') return decision.outcome;
  if (decision.kind === 'in-use') return finishIfOurs(deps, row, decision.policy, record);
  await rings.beforePatch(row, policy.id);
  let pointing: PolicyRolloutRow;
  try {
    pointing = await deps.rollouts.save(rolloutFor(row, decision.previous, record, deps.clock.now()), record);
  } catch (error) {
    if (error instanceof LedgerConflictError) return null;
    throw error;
  }
  try {
    await deps.deviceImages.pointPolicyAt(policy.id, {
      imageId: row.deviceImageId ?? '',
      imageDisplayName: row.displayName,
      imageType: 'custom',
    });
  } catch (error) {
    if (!(error instanceof PermanentError)) throw error;
    // Nothing changed: the rollout row goes back to what it said, so a rollback still restores the right image.
    await (record === null ? deps.rollouts.discard(pointing) : deps.rollouts.save(record, pointing)).catch((undone: unknown) => {
      deps.log.warn('RolloutRecordNotRestored', { policyId: policy.id, detail: describeError(undone) });
    });
    throw error;
  }
  return markRolledOut(deps, pointing, row, policy);
}

/** The policy uses the version: its rollout row says so (rollback reads it), and the log line names the image it replaced. */
async function markRolledOut(
  deps: SyncDeps,
  pointing: PolicyRolloutRow,
  row: LedgerRow,
  policy: ProvisioningPolicy,
  found?: string,
): Promise<'rolled-out'> {
  await deps.rollouts.save({ ...pointing, state: 'rolled-out', updatedAt: deps.clock.now().toISOString() }, pointing);
  deps.log.info('PolicyRolledOut', {
    policyId: policy.id,
    policy: policy.displayName,
    sourceImageResourceId: row.sourceImageResourceId,
    version: row.version,
    deviceImageId: row.deviceImageId,
    previousImageId: pointing.previousImageId,
    ...(found === undefined ? {} : { found }),
  });
  return 'rolled-out';
}

/** The policy uses the image: a `pointing` row of ours means our PATCH landed (its answer was lost). */
async function finishIfOurs(
  deps: SyncDeps,
  row: LedgerRow,
  policy: ProvisioningPolicy,
  record: PolicyRolloutRow | null,
): Promise<RolloutOutcomeCode> {
  if (record === null || record.state !== 'pointing' || record.deviceImageId.toLowerCase() !== (row.deviceImageId ?? '').toLowerCase())
    return 'already-used';
  return markRolledOut(deps, record, row, policy, 'the PATCH had landed');
}

async function carryOut(
  deps: SyncDeps,
  step: RolloutStep,
  rings: RingPlan,
): Promise<{ outcome: RolloutOutcomeCode | 'deferred' | null; detail: string }> {
  const version = step.row.version;
  try {
    if (step.kind === 'record') return { outcome: step.outcome, detail: describeRolloutOutcome(step.outcome, step.target, version) };
    const outcome =
      step.kind === 'in-use'
        ? await finishIfOurs(deps, step.row, step.policy, await deps.rollouts.get(step.policy.id))
        : await point(deps, step.row, step.policy, rings);
    if (outcome === null) return { outcome, detail: 'another worker is changing the policy' };
    return { outcome, detail: describeRolloutOutcome(outcome, PROBLEMS.has(outcome) ? step.target : step.policy.displayName, version) };
  } catch (error) {
    if (error instanceof PermanentError)
      return { outcome: 'refused', detail: `${describeRolloutOutcome('refused', step.target, version)} (${describeError(error)})` };
    if (!(error instanceof TransientError) && !(error instanceof LedgerConflictError)) throw error;
    deps.log.warn('RolloutDeferred', {
      sourceImageResourceId: step.row.sourceImageResourceId,
      version,
      policy: step.target,
      detail: describeError(error),
    });
    return { outcome: 'deferred', detail: describeError(error) };
  }
}

/**
 * Points the named policies at every ready registration that is due (IMAGE_SYNC_ROLLOUT on), with
 * the tenant's policies as just read; null policies (Graph could not list them) roll out nothing.
 */
export async function rollOut(
  deps: SyncDeps,
  ledger: readonly LedgerRow[],
  policies: readonly ProvisioningPolicy[] | null,
): Promise<RolloutResult[]> {
  if (!deps.config.rollout || policies === null) return [];
  const rings = await openRings(deps, ledger, policies);
  const steps = planRollout(ledger, policies, (row) => rings.targetsFor(row)).filter(
    (step) => step.kind !== 'point' || rings.mayPoint(step.row),
  );
  const results: RolloutResult[] = [];
  for (const step of steps) {
    const { outcome, detail } = await carryOut(deps, step, rings);
    const policyId = step.kind === 'record' ? (step.policy?.id ?? null) : step.policy.id;
    results.push({
      sourceImageResourceId: step.row.sourceImageResourceId,
      version: step.row.version,
      target: step.target,
      policyId,
      outcome: outcome ?? 'deferred',
      detail,
    });
    if (outcome === null || outcome === 'deferred') continue;
    const using = (outcome === 'rolled-out' || outcome === 'already-used') && step.kind !== 'record' ? step.policy.displayName : null;
    await recordRolloutOutcome(deps, step.row, { target: step.target, policyId, outcome, at: deps.clock.now().toISOString() }, using);
    if (PROBLEMS.has(outcome)) {
      await reportProblem(deps, {
        kind: `rollout-${outcome}`,
        subject: `${step.row.sourceImageResourceId.toLowerCase()}|${step.row.version ?? ''}|${step.target.toLowerCase()}`,
        detail: `${step.row.displayName ?? step.row.sourceImageResourceId} ${step.row.version ?? ''}: ${detail}`,
      });
    }
  }
  await rings.afterPatches();
  return results;
}

/** Every rollout that is due, with the tenant read afresh (`image-sync sync` does this before it exits). */
export async function finishRollouts(deps: SyncDeps): Promise<RolloutResult[]> {
  if (!deps.config.rollout) return [];
  const view = await readTenantView(deps, { readOnly: false });
  return view === null ? [] : rollOut(deps, view.ledger, view.policies);
}
