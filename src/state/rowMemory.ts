// The ledger rows this process wrote or read last, so a handler that acts on a row this process
// has just written (the reconcile that queued it, the create that marked it pending) need not read
// it back. Bounded: the oldest is forgotten first.
import type { LedgerRow } from '../domain';
import { sourceImageKey } from '../domain';

export interface RowMemory {
  recall(sourceImageResourceId: string): LedgerRow | undefined;
  remember(row: LedgerRow): LedgerRow;
  forget(sourceImageResourceId: string): void;
}

export function createRowMemory(limit: number): RowMemory {
  const rows = new Map<string, LedgerRow>();
  return {
    recall: (sourceImageResourceId) => rows.get(sourceImageKey(sourceImageResourceId)),
    remember: (row) => {
      const key = sourceImageKey(row.sourceImageResourceId);
      // Re-inserted, so the map's order stays oldest first.
      rows.delete(key);
      rows.set(key, row);
      if (rows.size > limit) {
        const oldest = rows.keys().next();
        if (oldest.done !== true) rows.delete(oldest.value);
      }
      return row;
    },
    forget: (sourceImageResourceId) => {
      rows.delete(sourceImageKey(sourceImageResourceId));
    },
  };
}
