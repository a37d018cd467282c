// The ledger rows this process wrote or read last, so a handler that acts on a row this process
// has just written (the reconcile that queued it, the create that marked it pending) need not read
// it back. Bounded: the oldest is forgotten first.
import { type LedgerRow, registrationKey } from '../domain';
import type { RegistrationRef } from '../ports';

export interface RowMemory {
  recall(ref: RegistrationRef): LedgerRow | undefined;
  remember(row: LedgerRow): LedgerRow;
  forget(ref: RegistrationRef): void;
}

function keyOf(ref: RegistrationRef): string {
  return registrationKey(ref.sourceImageResourceId, ref.version);
}

export function createRowMemory(limit: number): RowMemory {
  const rows = new Map<string, LedgerRow>();
  return {
    recall: (ref) => rows.get(keyOf(ref)),
    remember: (row) => {
      const key = keyOf(row);
      // Re-inserted, so the map's order stays oldest first.
      rows.delete(key);
      rows.set(key, row);
      if (rows.size > limit) {
        const oldest = rows.keys().next();
        if (oldest.done !== true) rows.delete(oldest.value);
      }
      return row;
    },
    forget: (ref) => {
      rows.delete(keyOf(ref));
    },
  };
}
