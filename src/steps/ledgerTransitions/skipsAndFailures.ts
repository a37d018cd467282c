// A registration that is not posted (skipped) or whose create or upload failed, and its alert.
import type { LedgerRow, SkipReason } from '../../domain';
import type { Ledger, NewLedgerEntry } from '../../ports';
import { type ImageIdentity, newLedgerEntry } from './newLedgerEntry';

export interface Failure {
  readonly errorCode: string;
  readonly reason: string;
  readonly deviceImageId?: string | null;
}

export async function markFailed(
  ledger: Ledger,
  row: LedgerRow | null,
  identity: ImageIdentity,
  failure: Failure,
  now: Date,
): Promise<LedgerRow> {
  const change = {
    state: 'failed',
    errorCode: failure.errorCode,
    reason: failure.reason,
    fix: null,
    nextCheckAt: null,
    alertedAt: null,
    ...(failure.deviceImageId === undefined ? {} : { deviceImageId: failure.deviceImageId }),
  } as const;
  if (row === null) return ledger.insert({ ...newLedgerEntry(identity), ...change }, now);
  return ledger.update(row, change, now);
}

export async function markAlerted(ledger: Ledger, row: LedgerRow, now: Date): Promise<LedgerRow> {
  return ledger.update(row, { alertedAt: now.toISOString() }, now);
}

export interface Skip {
  readonly reason: SkipReason;
  readonly fix: string;
}

function skippedChange(identity: ImageIdentity, skip: Skip) {
  return {
    state: 'skipped',
    displayName: identity.displayName,
    reason: skip.reason,
    fix: skip.fix,
    errorCode: null,
    nextCheckAt: null,
  } as const;
}

/** The first row of an image in scope that is never posted. */
export function skippedEntry(identity: ImageIdentity, skip: Skip): NewLedgerEntry {
  return { ...newLedgerEntry(identity), ...skippedChange(identity, skip) };
}

export async function markSkipped(
  ledger: Ledger,
  row: LedgerRow | null,
  identity: ImageIdentity,
  skip: Skip,
  now: Date,
): Promise<LedgerRow> {
  if (row === null) return ledger.insert(skippedEntry(identity, skip), now);
  // A new reason is a new condition: an attention skip is alerted again.
  return ledger.update(row, { ...skippedChange(identity, skip), ...(row.reason === skip.reason ? {} : { alertedAt: null }) }, now);
}
