// The ledger over Azure Tables (DESIGN §7): one row per registration (a source image at a version),
// ETag-guarded, and the problems. Rows of the previous release (one per source image) are carried over.
// Each concern is its own module; this puts them together over one table and one row memory.
import type { TableClient } from '@azure/data-tables';
import type { Ledger } from '../ports';
import { createLedgerAccess, type LedgerOptions } from './ledgerAccess';
import { createLedgerCarryOver } from './ledgerCarryOver';
import { createLedgerImageRows } from './ledgerImageRows';
import { createLedgerProblems } from './ledgerProblems';

export type { LedgerOptions } from './ledgerAccess';

export function createLedger(table: TableClient, options: LedgerOptions = {}): Ledger {
  const access = createLedgerAccess(table, options);
  const carryOver = createLedgerCarryOver(access);
  return { ...createLedgerImageRows(access, carryOver), carryOver: carryOver.carryOver, ...createLedgerProblems(access) };
}
