// A registration's retirement (DESIGN §15): a ready or failed row is marked (markRetiring, its state
// unchanged) before its device image's DELETE; it becomes `retired` only once Graph said the image is
// gone (the DELETE answered 204 or 404, or a GET 404); keepDeviceImage takes the mark back (or the
// `retired` state an earlier release wrote before its DELETE) when the image stays. ETag-guarded,
// like every transition (ledgerTransitions.ts).
import { type DeviceImage, type LedgerRow, isUsable } from '../domain';
import type { Ledger } from '../ports';

/**
 * Retention is about to delete the row's device image: the intent, written before the DELETE, so a
 * worker that stops after it leaves a mark the next run judges again. The state is unchanged.
 */
export async function markRetiring(ledger: Ledger, row: LedgerRow, now: Date): Promise<LedgerRow> {
  return ledger.update(row, { retiringAt: now.toISOString() }, now);
}

/** Graph said the device image is gone (a DELETE answered 204 or 404, or a GET 404). */
export async function markRetired(ledger: Ledger, row: LedgerRow, reason: string, now: Date): Promise<LedgerRow> {
  return ledger.update(row, { state: 'retired', reason, nextCheckAt: null, retiringAt: null }, now);
}

/**
 * The device image stays: a DELETE Graph refused, or a marked (or earlier-release `retired`) row whose
 * deletion the retention rules no longer allow. The mark goes; a `retired` row takes Graph's status
 * again (ready or failed; one still uploading is left to the planner as pending).
 */
export async function keepDeviceImage(
  ledger: Ledger,
  row: LedgerRow,
  deviceImage: DeviceImage | null,
  why: string,
  now: Date,
): Promise<LedgerRow> {
  if (row.state !== 'retired' || deviceImage === null) return ledger.update(row, { retiringAt: null }, now);
  const state = isUsable(deviceImage.status) ? 'ready' : deviceImage.status === 'failed' ? 'failed' : 'pending';
  return ledger.update(
    row,
    {
      state,
      retiringAt: null,
      reason: `kept: ${why}`,
      uploadStatus: isUsable(deviceImage.status) ? deviceImage.status : row.uploadStatus,
      // A pending one has no check scheduled: the next plan resumes its status checks.
      nextCheckAt: null,
    },
    now,
  );
}
