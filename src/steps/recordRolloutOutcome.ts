// Records one rollout target's outcome on its registration's ledger row (DESIGN §13, §15), as soon as
// it is known: written per policy as each PATCH lands, so an error later in the run loses nothing
// that happened before it. Keyed by the policy's id (or, for a target that named none, its text).
import type { LedgerRow, RolloutOutcome } from '../domain';
import { LedgerConflictError, TransientError } from '../errors';
import type { SyncDeps } from '../ports';
import { sameSubject } from '../rules/planRollout';
import { describeError } from './reportFailure';

const ATTEMPTS = 3;

/** `using`: the display name of a policy that uses the version now (rolled out, or already used). */
export async function recordRolloutOutcome(deps: SyncDeps, row: LedgerRow, outcome: RolloutOutcome, using: string | null): Promise<void> {
  try {
    // The row as this process last wrote it (an earlier target's outcome), else as listed; a stale one loses its ETag race and is read again.
    let current: LedgerRow | null = deps.ledger.remembered(row) ?? row;
    for (let attempt = 0; attempt < ATTEMPTS && current !== null; attempt++) {
      const rollouts = [...current.rollouts.filter((existing) => !sameSubject(existing, outcome)), outcome];
      const policies = using === null ? current.policies : [...new Set([...current.policies, using])].sort((a, b) => a.localeCompare(b));
      try {
        await deps.ledger.update(current, { rollouts, policies }, deps.clock.now());
        return;
      } catch (error) {
        if (!(error instanceof LedgerConflictError)) throw error;
        current = await deps.ledger.get(row);
      }
    }
    if (current === null) return;
    deps.log.warn('RolloutOutcomeNotRecorded', { sourceImageResourceId: row.sourceImageResourceId, version: row.version });
  } catch (error) {
    // The policy's rollout row holds what happened; the next reconcile records the outcome from it.
    if (!(error instanceof TransientError)) throw error;
    deps.log.warn('RolloutOutcomeNotRecorded', {
      sourceImageResourceId: row.sourceImageResourceId,
      version: row.version,
      detail: describeError(error),
    });
  }
}
