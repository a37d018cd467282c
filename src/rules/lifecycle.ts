// A registration's lifecycle in one place (DESIGN §7, §8, §15): which ledger state may follow which.
// Every write of a row's state is checked against this table before it reaches storage
// (src/steps/checkedLedger.ts), so a path that would, say, post again for a retired version fails
// loudly in the tests instead of changing a tenant. What each tenant-changing action needs as
// evidence is written down beside it in docs/safety.md.
//
//   (none) ─▶ queued ─▶ creating ─▶ pending ─▶ ready ─▶ retired
//                 │          │         │         │
//                 └──────────┴─────────┴─────────┴─▶ failed / skipped
//
// The table is the whole truth, the sketch only a picture. The guarantees it holds:
// - `creating` (a POST may go out) follows only `queued` or `creating`, or starts a row: a
//   registration that has, had or gave up a device image is never posted again without first
//   going back to `queued` through a plan (a vanished image, a manual retry, a new eligibility).
// - `retired` (Graph said the image is gone) is never queued, claimed or skipped again; it goes
//   back only to what Graph shows when an earlier release marked a row retired whose image
//   Graph still lists (`ready`, `failed`, `pending`).
// - `retired` follows only a registration that had a device image (`pending`, `ready`, `failed`).
//
// Below the table, the predicates that say where a registration goes next from each place that moves
// it: the register job (registerStep), the status check (isCurrentCheck), the planner (tracks,
// registerCause). The leases and ages they compare against are in src/rules/times.ts.
import { type DeviceImage, type LedgerRow, type LedgerState, type StatusCheck, isUsable } from '../domain';
import type { PlanInput, RegisterCause } from './plan/inputAndOutput';
import { claimLeaseOf, isLeaseHeld, isOverdue } from './times';

export const NEXT_STATES: Readonly<Record<LedgerState, readonly LedgerState[]>> = {
  queued: ['queued', 'creating', 'pending', 'ready', 'failed', 'skipped'],
  creating: ['creating', 'queued', 'pending', 'ready', 'failed', 'skipped'],
  pending: ['pending', 'queued', 'ready', 'failed', 'skipped', 'retired'],
  ready: ['ready', 'queued', 'pending', 'failed', 'skipped', 'retired'],
  failed: ['failed', 'queued', 'pending', 'ready', 'skipped', 'retired'],
  skipped: ['skipped', 'queued', 'pending', 'ready', 'failed'],
  retired: ['retired', 'pending', 'ready', 'failed'],
};

/** The states a row may be written with first. */
export const FIRST_STATES: readonly LedgerState[] = ['queued', 'creating', 'pending', 'ready', 'failed', 'skipped'];

/** Whether a row in `from` (null: no row yet) may be written with `to`. */
export function mayFollow(from: LedgerState | null, to: LedgerState): boolean {
  return from === null ? FIRST_STATES.includes(to) : NEXT_STATES[from].includes(to);
}

/** The errorCode of a `creating` row whose worker gave up its attempt without knowing the outcome. */
export const CLAIM_RELEASED = 'createInterrupted';

/** A `creating` row no worker is posting for any more (its claim was released). */
export function isReleasedClaim(row: LedgerRow): boolean {
  return row.state === 'creating' && row.errorCode === CLAIM_RELEASED;
}

/** A row in these states was handled by an earlier delivery of its register job (or changed by the planner since). */
export function isSettled(row: LedgerRow): boolean {
  return row.state === 'pending' || row.state === 'ready' || row.state === 'failed' || row.state === 'skipped' || row.state === 'retired';
}

/** What a register job does with its row: nothing (handled), back off (another worker's claim holds), or claim it. */
export type RegisterStep = 'handled' | 'wait' | 'claim';

export function registerStep(row: LedgerRow | null, now: Date): RegisterStep {
  if (row !== null && isSettled(row)) return 'handled';
  if (row !== null && row.state === 'creating' && !isReleasedClaim(row) && isLeaseHeld(row.updatedAt, now, claimLeaseOf(row)))
    return 'wait';
  return 'claim';
}

/**
 * A status check is the one its row waits for: the row is pending on the check's device image, and
 * the check is not behind those already done (a duplicate delivery or an older chain is).
 */
export function isCurrentCheck(row: LedgerRow | null, check: Pick<StatusCheck, 'deviceImageId' | 'check'>): row is LedgerRow {
  return (
    row !== null &&
    row.state === 'pending' &&
    row.deviceImageId !== null &&
    row.deviceImageId.toLowerCase() === check.deviceImageId.toLowerCase() &&
    check.check >= row.statusChecks
  );
}

/** A row that follows this device image (planner): it needs nothing but what its own state asks for. */
export function tracks(row: LedgerRow | undefined, deviceImage: DeviceImage): row is LedgerRow {
  if (row === undefined || row.deviceImageId === null || row.deviceImageId.toLowerCase() !== deviceImage.id.toLowerCase()) return false;
  if (row.state === 'retired') return true;
  // Graph is the truth about an upload: a row failed by the app (a poisoned status check, say)
  // whose device image Graph calls ready is adopted as ready.
  const failedButReady = row.state === 'failed' && isUsable(deviceImage.status);
  return ['pending', 'ready', 'failed'].includes(row.state) && !failedButReady;
}

/**
 * Why the planner posts an eligible registration Graph holds no device image of; null: leave it be.
 * A queued or creating row is re-driven only once its job counts as lost (`staleAfterMs`).
 */
export function registerCause(
  row: LedgerRow | undefined,
  trigger: PlanInput['trigger'],
  now: Date,
  staleAfterMs: number,
): RegisterCause | null {
  if (row === undefined) return 'new';
  // Retention began deleting its device image: it is retention's to finish (retired after a 404) or take back, never to post again.
  if (row.retiringAt !== null) return null;
  switch (row.state) {
    case 'skipped':
      return 'now-eligible';
    case 'queued':
    case 'creating':
      return isOverdue(row.updatedAt, now, staleAfterMs) ? 'job-lost' : null;
    case 'pending':
    case 'ready':
      return 'device-image-vanished';
    case 'failed':
      return trigger === 'manual' ? 'manual-retry' : null;
    case 'retired':
      return null;
  }
}

/**
 * What the app changes in a tenant, and the evidence it reads just before (DESIGN §15): each entry
 * names the code that decides (`module#export`, relative to src/); docs/safety.md explains them.
 * A unit test holds every name to an export that exists, so this list cannot point at nothing.
 */
export interface TenantChange {
  readonly action: string;
  readonly evidence: string;
  readonly otherwise: string;
  readonly decidedBy: readonly string[];
}

export const TENANT_CHANGES: readonly TenantChange[] = [
  {
    action: 'POST deviceImages (create)',
    evidence:
      "one ARM GET of the source right before the POST: it carries the job's version (tags or name; the caller's for register --version); a look-up in Graph first when an earlier attempt may have posted; a slot under the tenant limit",
    otherwise:
      'nothing posted: skipped superseded (and the version the source carries now planned), the found image adopted, or skipped tenant-image-limit',
    decidedBy: [
      'rules/sourceNow.ts#judgeSourceNow',
      'steps/confirmSourceBeforePost.ts#confirmSourceBeforePost',
      'rules/occupancy.ts#occupancyOf',
      'steps/releaseSlot.ts#releaseSlot',
    ],
  },
  {
    action: 'DELETE deviceImages (retention, prune)',
    evidence:
      "the row's own POST created the image (origin created); Graph lists it, with the status that decides ready or failed; no policy uses it; no recorded rollout would restore it; beyond the kept versions",
    otherwise: 'nothing deleted; an unfinished retirement the rules no longer allow is taken back',
    decidedBy: ['rules/retention.ts#planRetention', 'rules/retention.ts#createdByApp'],
  },
  {
    action: 'mark a registration retired',
    evidence: "Graph's answer to the DELETE is 204 or 404; for an image gone from a listing, a GET answering 404",
    otherwise: 'the row stays as it was; a refused DELETE is the problem retire-refused with Graph’s words, tried again next reconcile',
    decidedBy: ['steps/retirementTransitions.ts#markRetired', 'steps/confirmedGone.ts#confirmedGone'],
  },
  {
    action: 'PATCH provisioningPolicies (rollout)',
    evidence:
      'a GET of the policy right before the PATCH (a custom-image policy; its image then is recorded as previous); the policy was never rolled back from this device image',
    otherwise: 'no PATCH: no-such-policy, gallery-image (problems), already-used, or rolled-back (only a newer version rolls out)',
    decidedBy: ['rules/policyPatch.ts#decidePatch', 'rules/policyPatch.ts#wasRolledBackFrom'],
  },
  {
    action: 'PATCH provisioningPolicies (image-sync rollback)',
    evidence:
      'the policy as listed now still uses the version the app rolled out; the earlier image is in Graph and ready; the rollback is recorded before its PATCH',
    otherwise: 'refused, nothing changed, with the reason',
    decidedBy: ['handlers/rollBack.ts#rollBack'],
  },
  {
    action: 'POST retryUpload',
    evidence: "a status check reading Graph's failed with a transient errorCode, fewer than IMAGE_SYNC_MAX_RETRY_UPLOADS times",
    otherwise: 'recorded failed and alerted once',
    decidedBy: ['rules/settleUpload.ts#settleUpload', 'rules/remediation.ts#isTransientUploadError'],
  },
];
