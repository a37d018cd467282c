// Timed changes: an edit of the tenant (a person in the admin center, another tool) that lands at a
// chosen moment of the app's run, "when the next request of this kind arrives" (before it is served)
// or "once it is answered" (after its answer is made, before it is sent): so a test can play a change
// between two requests of the app, e.g. between its listing of the policies and its PATCH.
/** A change of the tenant; a promise it returns is awaited. */
export type TimedEdit = () => unknown;
export type TimedMoment = 'before' | 'after';

interface PendingChange {
  readonly kinds: string;
  readonly moment: TimedMoment;
  readonly edit: TimedEdit;
}

function matches(pattern: string, kind: string): boolean {
  return pattern.endsWith('*') ? kind.startsWith(pattern.slice(0, -1)) : pattern === kind;
}

export class TimedChanges {
  private pending: PendingChange[] = [];

  /** `kinds`: a request kind (`graph.provisioningPolicies.list`) or a prefix ending in `*`, as in fault rules. */
  add(kinds: string, moment: TimedMoment, edit: TimedEdit): void {
    this.pending.push({ kinds, moment, edit });
  }

  /** Runs, once each and in the order they were added, the pending edits due at this request. */
  async run(kind: string, moment: TimedMoment): Promise<void> {
    const due = this.pending.filter((change) => change.moment === moment && matches(change.kinds, kind));
    if (due.length === 0) return;
    this.pending = this.pending.filter((change) => !due.includes(change));
    for (const change of due) await change.edit();
  }

  clear(): void {
    this.pending = [];
  }
}
