// Ring rollouts that stop (DESIGN §18): a halt rolls the ring's policies back, durably, through the
// rollback of §15 (src/steps/restorePolicy.ts); an administrator's rollback of a ring's policy
// stops the rollout there. Both write the rollout's state before anything else, so that a crash
// leaves a rollout the next reconcile finishes: a `halted` rollout whose policies still use the
// version is rolled back again (a read of each policy's rollout row; Graph only for those).
import type { RingRollout, RingRolloutState } from '../domain';
import { LedgerConflictError, PermanentError, TransientError } from '../errors';
import type { RingRolloutRow, SyncDeps } from '../ports';
import { describeError, reportProblem } from './reportFailure';
import { restorePolicy } from './restorePolicy';

function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Moves a soaking rollout to an end state; null when another worker changed it first. */
export async function endRingRollout(
  deps: SyncDeps,
  rollout: RingRolloutRow,
  state: Exclude<RingRolloutState, 'soaking'>,
  change: Partial<RingRollout> = {},
): Promise<RingRolloutRow | null> {
  const now = deps.clock.now().toISOString();
  try {
    return await deps.rings.save({ ...rollout, ...change, state, endedAt: now, updatedAt: now }, rollout);
  } catch (error) {
    if (error instanceof LedgerConflictError) return null;
    throw error;
  }
}

/**
 * Rolls back every policy of the halted ring that still uses the version the app pointed it at
 * (its rollout row says `rolled-out` or `pointing` to this device image). A failure of one policy
 * is logged and left to the next reconcile; the others go on.
 */
export async function rollBackRing(deps: SyncDeps, rollout: RingRollout): Promise<void> {
  for (const policyId of rollout.policyIds) {
    try {
      const record = await deps.rollouts.get(policyId);
      if (record === null || !sameId(record.deviceImageId, rollout.deviceImageId)) continue;
      if (record.state === 'rolled-back') continue;
      const policy = await deps.deviceImages.getProvisioningPolicy(policyId);
      if (policy === null) continue;
      const result = await restorePolicy(deps, policy);
      deps.log.info('RingPolicyRolledBack', {
        policyId,
        policy: policy.displayName,
        version: rollout.version,
        outcome: result.outcome,
        ...(result.reason === null ? {} : { reason: result.reason }),
      });
    } catch (error) {
      if (!(error instanceof TransientError) && !(error instanceof PermanentError) && !(error instanceof LedgerConflictError)) throw error;
      deps.log.warn('RingRollbackDeferred', { policyId, version: rollout.version, detail: describeError(error) });
    }
  }
}

function describeFailures(rollout: RingRollout): string {
  return rollout.failures
    .map((failure) => `${failure.displayName ?? failure.id} (${failure.id}): ${failure.statusDetail ?? 'failed, no status detail'}`)
    .join('; ');
}

/** The gate failed: halted first (durable), then `ImageSyncFailure rollout-halted`, then the ring's policies rolled back. */
export async function haltRingRollout(deps: SyncDeps, rollout: RingRolloutRow, evidence: Partial<RingRollout>): Promise<void> {
  const halted = await endRingRollout(deps, rollout, 'halted', evidence);
  if (halted === null) return;
  const ring = halted.rings[halted.ring - 1] ?? [];
  await reportProblem(deps, {
    kind: 'rollout-halted',
    subject: `${halted.sourceImageResourceId.toLowerCase()}|${halted.version}`,
    detail:
      `${halted.displayName} ${halted.version}: the rollout halted at ring ${halted.ring} of ${halted.rings.length} (${ring.join('; ')}): ` +
      `${halted.failed} new Cloud PC(s) failed to provision on it (${describeFailures(halted)}). The ring's policies are rolled back to ` +
      `the image they used before and later rings never get this version. Fix the image and publish a new version; reprovision ` +
      `the failed Cloud PCs in the Intune admin center once their policy uses a working image`,
  });
  await rollBackRing(deps, halted);
}

/**
 * `image-sync rollback` restored a policy: the soaking ring rollout it belongs to (the rollout row
 * names the version) stops there, `rolled-back`. Later rings never get the version.
 */
export async function stopRingRollout(deps: SyncDeps, policyId: string): Promise<void> {
  const record = await deps.rollouts.get(policyId);
  if (record === null) return;
  for (let attempt = 0; attempt < 3; attempt++) {
    const rollout = await deps.rings.get({ sourceImageResourceId: record.sourceImageResourceId, version: record.version });
    if (rollout === null || rollout.state !== 'soaking') return;
    if ((await endRingRollout(deps, rollout, 'rolled-back')) !== null) {
      deps.log.info('RingRolloutStopped', { version: rollout.version, ring: rollout.ring, policyId });
      return;
    }
  }
}
