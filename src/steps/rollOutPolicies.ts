// Carries out a rollout plan (DESIGN §13, §8). For each policy to point at a version:
//   1. the policy's rollout row is written `pointing`, with the image the policy uses now (ETag-
//      guarded: of two workers, one goes on; a `pointing` row younger than a lease is left alone);
//   2. the PATCH is sent;
//   3. the row becomes `rolled-out`, and the registration's outcome is recorded.
// A PATCH whose answer was lost leaves `pointing`: the next run finds the policy on the image (the
// look-up is the policy list every run reads) and finishes without sending it again. A failure of
// one policy never stops the others; what is left is finished by the next reconcile.
import type { LedgerRow, PolicyRollout, ProvisioningPolicy, RolloutOutcome, RolloutOutcomeCode } from '../domain';
import { LedgerConflictError, PermanentError, TransientError } from '../errors';
import type { PolicyRolloutRow, SyncDeps } from '../ports';
import { describeError, reportProblem } from './reportFailure';
import { type RolloutStep, describeRolloutOutcome, planRollout } from '../rules/planRollout';
import { readTenantView } from './tenantView';

/** Longer than a PATCH with its retries takes: a `pointing` row older than this was left by a worker that stopped. */
export const POINTING_LEASE_MS = 3 * 60 * 1000;

export interface RolloutResult {
  readonly sourceImageResourceId: string;
  readonly version: string | null;
  readonly target: string;
  readonly policyId: string | null;
  readonly outcome: RolloutOutcomeCode | 'deferred';
  readonly detail: string;
}

const PROBLEMS: ReadonlySet<RolloutOutcomeCode> = new Set(['no-such-policy', 'gallery-image', 'refused']);

/** Another worker is pointing the policy now (at this version or another): its lease is not up yet. */
function beingPointed(record: PolicyRolloutRow | null, now: Date): boolean {
  return record !== null && record.state === 'pointing' && now.getTime() - Date.parse(record.updatedAt) < POINTING_LEASE_MS;
}

function rolloutFor(row: LedgerRow, policy: ProvisioningPolicy, now: Date): PolicyRollout {
  return {
    policyId: policy.id,
    policyDisplayName: policy.displayName,
    state: 'pointing',
    deviceImageId: row.deviceImageId ?? '',
    deviceImageDisplayName: row.displayName,
    sourceImageResourceId: row.sourceImageResourceId,
    version: row.version ?? '',
    previousImageId: policy.imageId,
    previousImageDisplayName: policy.imageDisplayName,
    previousImageType: policy.imageType,
    updatedAt: now.toISOString(),
  };
}

/** Steps 1–3 for one policy; the outcome to record, or null when another worker has it in hand. */
async function point(deps: SyncDeps, row: LedgerRow, policy: ProvisioningPolicy): Promise<RolloutOutcomeCode | null> {
  const now = deps.clock.now();
  const record = await deps.rollouts.get(policy.id);
  const ours = record !== null && record.deviceImageId.toLowerCase() === (row.deviceImageId ?? '').toLowerCase();
  if (beingPointed(record, now)) return null;
  // A retry after a lost answer keeps the image recorded before the first attempt.
  const keepPrevious =
    ours && record.state === 'pointing'
      ? {
          previousImageId: record.previousImageId,
          previousImageDisplayName: record.previousImageDisplayName,
          previousImageType: record.previousImageType,
        }
      : {};
  let pointing: PolicyRolloutRow;
  try {
    pointing = await deps.rollouts.save({ ...rolloutFor(row, policy, now), ...keepPrevious }, record);
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
async function finishIfOurs(deps: SyncDeps, row: LedgerRow, policy: ProvisioningPolicy): Promise<RolloutOutcomeCode> {
  const record = await deps.rollouts.get(policy.id);
  if (record === null || record.state !== 'pointing' || record.deviceImageId.toLowerCase() !== (row.deviceImageId ?? '').toLowerCase())
    return 'already-used';
  return markRolledOut(deps, record, row, policy, 'the PATCH had landed');
}

async function carryOut(deps: SyncDeps, step: RolloutStep): Promise<{ outcome: RolloutOutcomeCode | 'deferred' | null; detail: string }> {
  const version = step.row.version;
  try {
    if (step.kind === 'record') return { outcome: step.outcome, detail: describeRolloutOutcome(step.outcome, step.target, version) };
    const outcome = step.kind === 'in-use' ? await finishIfOurs(deps, step.row, step.policy) : await point(deps, step.row, step.policy);
    return {
      outcome,
      detail:
        outcome === null ? 'another worker is pointing the policy' : describeRolloutOutcome(outcome, step.policy.displayName, version),
    };
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

/** Records the targets' outcomes on the registration (read afresh: other writers may have been first) and the policies now using it. */
async function recordOutcomes(
  deps: SyncDeps,
  row: LedgerRow,
  outcomes: readonly RolloutOutcome[],
  using: readonly string[],
): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const fresh = await deps.ledger.get(row);
    if (fresh === null) return;
    const replaced = (existing: RolloutOutcome) =>
      outcomes.some(
        (outcome) =>
          outcome.target.toLowerCase() === existing.target.toLowerCase() &&
          (outcome.policyId ?? '').toLowerCase() === (existing.policyId ?? '').toLowerCase(),
      );
    const rollouts = [...fresh.rollouts.filter((existing) => !replaced(existing)), ...outcomes];
    const policies = [...new Set([...fresh.policies, ...using])].sort((a, b) => a.localeCompare(b));
    try {
      await deps.ledger.update(fresh, { rollouts, policies }, deps.clock.now());
      return;
    } catch (error) {
      if (!(error instanceof LedgerConflictError)) throw error;
    }
  }
  deps.log.warn('RolloutOutcomeNotRecorded', { sourceImageResourceId: row.sourceImageResourceId, version: row.version });
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
  const steps = planRollout(ledger, policies);
  const results: RolloutResult[] = [];
  const byRow = new Map<LedgerRow, { outcomes: RolloutOutcome[]; using: string[] }>();
  for (const step of steps) {
    const { outcome, detail } = await carryOut(deps, step);
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
    const entry = byRow.get(step.row) ?? { outcomes: [], using: [] };
    entry.outcomes.push({ target: step.target, policyId, outcome, at: deps.clock.now().toISOString() });
    if ((outcome === 'rolled-out' || outcome === 'already-used') && step.kind !== 'record') entry.using.push(step.policy.displayName);
    byRow.set(step.row, entry);
    if (PROBLEMS.has(outcome)) {
      await reportProblem(deps, {
        kind: `rollout-${outcome}`,
        subject: `${step.row.sourceImageResourceId.toLowerCase()}|${step.row.version ?? ''}|${step.target.toLowerCase()}`,
        detail: `${step.row.displayName ?? step.row.sourceImageResourceId} ${step.row.version ?? ''}: ${detail}`,
      });
    }
  }
  for (const [row, { outcomes, using }] of byRow) await recordOutcomes(deps, row, outcomes, using);
  return results;
}

/** Every rollout that is due, with the tenant read afresh (`image-sync sync` does this before it exits). */
export async function finishRollouts(deps: SyncDeps): Promise<RolloutResult[]> {
  if (!deps.config.rollout) return [];
  const view = await readTenantView(deps, { readOnly: false });
  return view === null ? [] : rollOut(deps, view.ledger, view.policies);
}
