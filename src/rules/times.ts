// Every lease and age the app goes by, in one place, each with why it is that long. The adapters
// enforce the create's budget (src/graph/deviceImageApi.ts); the handlers, planner and stores only
// compare timestamps against these through the helpers at the bottom, so "how old is too old" is
// decided the same way everywhere: a missing or unreadable timestamp counts as old, so what it
// guards heals instead of staying held.
import type { LedgerRow } from '../domain';

/** The longest a create may take, retries on 429 included; a claim of the ledger outlasts it. */
export const CREATE_TIMEOUT_MS = 60_000;
/**
 * The longest a create waits for an earlier Retry-After before it is sent; a longer wait fails the
 * call unsent (a TransientError carrying the wait), so a create always goes out within
 * CREATE_WAIT_LIMIT_MS + CREATE_TIMEOUT_MS of its claim.
 */
export const CREATE_WAIT_LIMIT_MS = 20_000;

/**
 * A `creating` row younger than this belongs to a worker whose create may still be on its way:
 * another worker backs off (the queue delivers its message again later) rather than look Graph up
 * too early and post a second image. Longer than the create can take.
 */
export const CLAIM_LEASE_MS = CREATE_WAIT_LIMIT_MS + CREATE_TIMEOUT_MS + 10_000;

/** A queued/creating row, or an overdue status check, untouched this long counts as lost: the planner re-drives it. */
export const STALE_AFTER_MS = 30 * 60 * 1000;

/**
 * How long a `creating` row that records a gallery copy belongs to its worker (DESIGN §17): as long
 * as the planner waits before it counts a queued or creating row's job lost (STALE_AFTER_MS), since
 * a copy takes minutes.
 */
export const COPY_LEASE_MS = STALE_AFTER_MS;

/** Longer than a PATCH with its retries takes: a `pointing` (or `rolling-back`) rollout row older than this was left by a worker that stopped. */
export const POINTING_LEASE_MS = 3 * 60 * 1000;

/**
 * An image seen in the tenant this long after its slot's reservation is counted by Graph alone: the
 * wait covers planners whose listing was taken before the create.
 */
export const RESERVATION_SETTLE_MS = 60 * 60 * 1000;
/** No create waits this long; a slot reservation older than this was lost (its registration never released it). */
export const RESERVATION_TTL_MS = 36 * 60 * 60 * 1000;

/**
 * At least `limitMs` old at `now` (exactly limitMs counts). A missing or unreadable timestamp
 * counts as old: a row or reservation that cannot say its age is not held back by it.
 */
export function isOverdue(timestamp: string | null, now: Date, limitMs: number): boolean {
  if (timestamp === null) return true;
  const at = Date.parse(timestamp);
  return Number.isNaN(at) || now.getTime() - at >= limitMs;
}

/** A lease taken at `takenAt` is still held at `now` (younger than `leaseMs`, readable). */
export function isLeaseHeld(takenAt: string | null, now: Date, leaseMs: number): boolean {
  return !isOverdue(takenAt, now, leaseMs);
}

/** How long until a lease taken at `takenAt` is up (0 once it is, or when the timestamp cannot be read). */
export function leaseLeftMs(takenAt: string, now: Date, leaseMs: number): number {
  const left = Date.parse(takenAt) + leaseMs - now.getTime();
  return Number.isNaN(left) ? 0 : Math.max(0, left);
}

/** A register claim's lease: a row that records a gallery copy may be minutes into it (COPY_LEASE_MS). */
export function claimLeaseOf(row: Pick<LedgerRow, 'copyId'>): number {
  return row.copyId === undefined || row.copyId === null ? CLAIM_LEASE_MS : COPY_LEASE_MS;
}
