// Points one provisioning policy back at the image it used before the app's last rollout to it
// (DESIGN §13, §15): what `image-sync rollback` does to the policy it names, and what a halted ring
// rollout does to each policy of its ring (DESIGN §18). Refuses, saying why, when there is nothing
// the app can safely restore: no rollout recorded, the policy changed since (someone else moved it),
// or the earlier image is gone from Windows 365. Existing Cloud PCs keep their image either way.
// The rollback is durable: the policy's rollout row says `rolling-back` before the PATCH is sent
// (`rolled-back` after it), so a crash or a lost answer cannot lose it, and the app never points the
// policy at that version again (src/rules/policyPatch.ts); a PATCH Graph refuses puts the row back.
import { type PolicyRollout, type ProvisioningPolicy, isUsable } from '../domain';
import { LedgerConflictError, PermanentError } from '../errors';
import type { PolicyRolloutRow, SyncDeps } from '../ports';
import { recordRolloutOutcome } from './recordRolloutOutcome';
import { describeError } from './reportFailure';

export interface RollbackResult {
  readonly policy: string;
  readonly policyId: string | null;
  /** rolled-back: done now; already-rolled-back: done before (nothing sent); refused: see reason. */
  readonly outcome: 'rolled-back' | 'already-rolled-back' | 'refused';
  readonly reason: string | null;
  /** The image the policy used before the rollback, and the one it uses after. */
  readonly from: { readonly imageId: string | null; readonly imageDisplayName: string | null } | null;
  readonly to: { readonly imageId: string | null; readonly imageDisplayName: string | null } | null;
}

function sameId(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && a.toLowerCase() === b.toLowerCase();
}

export function refused(policy: string, policyId: string | null, reason: string): RollbackResult {
  return { policy, policyId, outcome: 'refused', reason, from: null, to: null };
}

function imageOf(policy: ProvisioningPolicy) {
  return { imageId: policy.imageId, imageDisplayName: policy.imageDisplayName };
}

function previousOf(rollout: PolicyRollout) {
  return { imageId: rollout.previousImageId, imageDisplayName: rollout.previousImageDisplayName };
}

/**
 * The rollback's PATCH landed: the row says `rolled-back`, and so does the registration's outcome for
 * the policy (what `plan` shows). Best effort: a `rolling-back` row already counts as rolled back everywhere.
 */
async function markRolledBack(deps: SyncDeps, row: PolicyRolloutRow): Promise<void> {
  try {
    await deps.rollouts.save({ ...row, state: 'rolled-back', updatedAt: deps.clock.now().toISOString() }, row);
    const registration = await deps.ledger.get({ sourceImageResourceId: row.sourceImageResourceId, version: row.version });
    if (registration === null) return;
    const outcome = {
      target: row.policyDisplayName,
      policyId: row.policyId,
      outcome: 'rolled-back',
      at: deps.clock.now().toISOString(),
    } as const;
    await recordRolloutOutcome(deps, registration, outcome, null);
  } catch (error) {
    deps.log.warn('RollbackNotMarkedDone', { policyId: row.policyId, detail: describeError(error) });
  }
}

/** `policy`: the policy as just read from Graph. */
export async function restorePolicy(deps: SyncDeps, policy: ProvisioningPolicy): Promise<RollbackResult> {
  const rollout = await deps.rollouts.get(policy.id);
  if (rollout === null || rollout.state === 'pointing' || rollout.previousImageId === null) {
    return refused(
      policy.displayName,
      policy.id,
      `image-sync has recorded no finished rollout to "${policy.displayName}", so there is no earlier image to restore: point the policy at an image in the Intune admin center`,
    );
  }
  if ((rollout.state === 'rolling-back' || rollout.state === 'rolled-back') && sameId(policy.imageId, rollout.previousImageId)) {
    // A rollback whose answer was lost, or whose worker stopped after its PATCH, landed: the row says so now.
    if (rollout.state === 'rolling-back') await markRolledBack(deps, rollout);
    return {
      policy: policy.displayName,
      policyId: policy.id,
      outcome: 'already-rolled-back',
      reason: null,
      from: null,
      to: imageOf(policy),
    };
  }
  if (!sameId(policy.imageId, rollout.deviceImageId)) {
    return refused(
      policy.displayName,
      policy.id,
      `"${policy.displayName}" was changed since the app's last rollout to it: it uses ${policy.imageDisplayName ?? policy.imageId ?? 'no image'} now, not ${rollout.deviceImageDisplayName ?? rollout.deviceImageId} ${rollout.version}; nothing was changed. Point it at the image you want in the Intune admin center`,
    );
  }
  const isCustom = (rollout.previousImageType ?? 'custom').toLowerCase() === 'custom';
  if (isCustom) {
    const previous = await deps.deviceImages.get(rollout.previousImageId);
    const name = rollout.previousImageDisplayName ?? rollout.previousImageId;
    if (previous === null)
      return refused(
        policy.displayName,
        policy.id,
        `the image "${name}" (${rollout.previousImageId}) that "${policy.displayName}" used before no longer exists in Windows 365 (deleted by retention or by hand): point the policy at another image in the Intune admin center`,
      );
    if (!isUsable(previous.status))
      return refused(
        policy.displayName,
        policy.id,
        `the image "${name}" that "${policy.displayName}" used before is ${previous.status} in Windows 365, not ready: nothing was changed`,
      );
  }
  let marked: PolicyRolloutRow;
  try {
    marked = await deps.rollouts.save({ ...rollout, state: 'rolling-back', updatedAt: deps.clock.now().toISOString() }, rollout);
  } catch (error) {
    if (!(error instanceof LedgerConflictError)) throw error;
    return refused(
      policy.displayName,
      policy.id,
      `the app is changing "${policy.displayName}" at this moment (a rollout, or another rollback): nothing was changed; run the rollback again in a few minutes`,
    );
  }
  try {
    await deps.deviceImages.pointPolicyAt(policy.id, {
      imageId: rollout.previousImageId,
      imageDisplayName: rollout.previousImageDisplayName,
      imageType: rollout.previousImageType ?? 'custom',
    });
  } catch (error) {
    // Refused: nothing changed, and the row says what it said. Any other failure may have landed: the row stays rolling back.
    if (error instanceof PermanentError)
      await deps.rollouts.save(rollout, marked).catch((undone: unknown) => {
        deps.log.warn('RollbackRecordNotRestored', { policyId: policy.id, detail: describeError(undone) });
      });
    throw error;
  }
  await markRolledBack(deps, marked);
  deps.log.info('PolicyRolledBack', {
    policyId: policy.id,
    policy: policy.displayName,
    from: rollout.deviceImageId,
    to: rollout.previousImageId,
  });
  return {
    policy: policy.displayName,
    policyId: policy.id,
    outcome: 'rolled-back',
    reason: null,
    from: imageOf(policy),
    to: previousOf(rollout),
  };
}
