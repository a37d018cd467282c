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
import type { LedgerState } from '../domain';

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
