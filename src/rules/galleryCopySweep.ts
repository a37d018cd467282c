// Which gallery copies the reconcile removes (DESIGN §17: no orphaned disks). A copy is needed while
// its registration may still post or upload from it (queued, creating, pending); once every row of
// its gallery version is settled (ready, failed, retired, skipped) or there is none, it goes. Pure.
import type { LedgerRow, LedgerState } from '../domain';

const IN_FLIGHT: ReadonlySet<LedgerState> = new Set(['queued', 'creating', 'pending']);

/** The gallery version ids whose copies (image and disk) may be removed, each once. */
export function copiesToRemove(
  copies: readonly { readonly copyOf: string }[],
  ledger: readonly Pick<LedgerRow, 'sourceImageResourceId' | 'state'>[],
): string[] {
  const inFlight = new Set(ledger.filter((row) => IN_FLIGHT.has(row.state)).map((row) => row.sourceImageResourceId.toLowerCase()));
  const removable = new Map<string, string>();
  for (const copy of copies) {
    const key = copy.copyOf.toLowerCase();
    if (!inFlight.has(key) && !removable.has(key)) removable.set(key, copy.copyOf);
  }
  return [...removable.values()];
}
