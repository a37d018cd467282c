// Queueing and claiming a registration: queued ─claim─▶ creating, and a claim given up (releaseClaim).
import type { LedgerRow } from '../../domain';
import { CLAIM_RELEASED } from '../../rules/lifecycle';
import type { Ledger } from '../../ports';
import { type ImageIdentity, newLedgerEntry } from './newLedgerEntry';

/**
 * A register job is on its way. A `creating` row stays `creating` (a create may have gone out,
 * so the next claim must look Graph up first); only its clock is reset.
 */
export async function queueImage(ledger: Ledger, row: LedgerRow | null, identity: ImageIdentity, now: Date): Promise<LedgerRow> {
  if (row === null) return ledger.insert(newLedgerEntry(identity), now);
  if (row.state === 'creating') return ledger.update(row, { displayName: identity.displayName }, now);
  const { sourceImageResourceId: _source, version: _version, ...fresh } = newLedgerEntry(identity);
  return ledger.update(
    row,
    { ...fresh, attempts: row.attempts, contentFingerprint: identity.contentFingerprint ?? row.contentFingerprint },
    now,
  );
}

/** This worker takes the image: from here on a create may be in flight (a lease, see registerImage). */
export async function claimImage(ledger: Ledger, row: LedgerRow | null, identity: ImageIdentity, now: Date): Promise<LedgerRow> {
  if (row === null) return ledger.insert({ ...newLedgerEntry(identity), state: 'creating', attempts: 1 }, now);
  return ledger.update(
    row,
    { displayName: identity.displayName, state: 'creating', attempts: row.attempts + 1, errorCode: null, reason: null, fix: null },
    now,
  );
}

export { CLAIM_RELEASED, isReleasedClaim } from '../../rules/lifecycle';

/**
 * The worker that claimed the row gives its attempt up (the create's answer was lost, or it was never
 * sent): the row stays `creating`, so the next claim looks Graph up before it posts, but nobody is
 * posting any more, so the next delivery need not wait out the claim's lease.
 */
export async function releaseClaim(ledger: Ledger, row: LedgerRow, why: string, now: Date): Promise<LedgerRow> {
  return ledger.update(
    row,
    {
      errorCode: CLAIM_RELEASED,
      reason: `the last create attempt ended without an answer (${why}); the next attempt looks the image up in Windows 365 before it posts`,
    },
    now,
  );
}
