import type { LedgerRow } from '../../domain';
import type { Ledger, RegistrationRef } from '../../ports';

/**
 * The row a handler acts on: the one this process remembers, when `leadsToWrite` says it leads to an
 * ETag-guarded write (from a stale row that write fails, and the handler reads again); otherwise a
 * read, so a decision to do nothing is never taken on a remembered row. `recall: false` always reads.
 */
export async function rowToActOn(
  ledger: Ledger,
  ref: RegistrationRef,
  options: { readonly recall: boolean; readonly leadsToWrite: (row: LedgerRow) => boolean },
): Promise<{ readonly row: LedgerRow | null; readonly recalled: boolean }> {
  const remembered = options.recall ? ledger.remembered(ref) : undefined;
  if (remembered !== undefined && options.leadsToWrite(remembered)) return { row: remembered, recalled: true };
  return { row: await ledger.get(ref), recalled: false };
}
