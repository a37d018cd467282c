// The ledger every handler writes through: each write of a row's state is checked against the
// lifecycle (src/rules/lifecycle.ts) before it goes to storage. A write the lifecycle does not allow
// is a bug in the app, never a state of the world: it throws, the row stays as it was, and the
// message that led to it ends as a recorded problem instead of a wrong change in the tenant.
import type { LedgerState } from '../domain';
import { PermanentError } from '../errors';
import type { Ledger } from '../ports';
import { mayFollow } from '../rules/lifecycle';

/** A ledger write the lifecycle does not allow (DESIGN §15): the app refused to make it. */
export class LifecycleViolationError extends PermanentError {
  constructor(
    readonly sourceImageResourceId: string,
    readonly version: string | null,
    readonly from: LedgerState | null,
    readonly to: LedgerState,
  ) {
    super({
      message: `the app refused to move ${sourceImageResourceId} ${version ?? ''} from ${from ?? 'no row'} to ${to}: the lifecycle does not allow it (src/rules/lifecycle.ts); nothing was written. Report this as a bug`,
      status: null,
      code: 'LifecycleViolation',
    });
    this.name = 'LifecycleViolationError';
  }
}

function check(sourceImageResourceId: string, version: string | null, from: LedgerState | null, to: LedgerState | undefined): void {
  if (to !== undefined && !mayFollow(from, to)) throw new LifecycleViolationError(sourceImageResourceId, version, from, to);
}

export function checkedLedger(ledger: Ledger): Ledger {
  return {
    ...ledger,
    async insert(entry, now) {
      check(entry.sourceImageResourceId, entry.version, null, entry.state);
      return ledger.insert(entry, now);
    },
    async insertMany(entries, now) {
      for (const entry of entries) check(entry.sourceImageResourceId, entry.version, null, entry.state);
      return ledger.insertMany(entries, now);
    },
    async update(row, change, now) {
      check(row.sourceImageResourceId, row.version, row.state, change.state);
      return ledger.update(row, change, now);
    },
  };
}
