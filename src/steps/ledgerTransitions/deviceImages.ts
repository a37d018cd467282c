// Recording a registration's device image: pending, its status checks and retryUploads, ready, adopted,
// and what was observed of it since.
import type { DeviceImage, DeviceImageOrigin, LedgerRow } from '../../domain';
import type { Ledger, NewLedgerEntry } from '../../ports';
import type { Observation } from '../../rules/observeRegistrations';
import { type ImageIdentity, newLedgerEntry } from './newLedgerEntry';

export async function markPending(
  ledger: Ledger,
  row: LedgerRow,
  deviceImage: DeviceImage,
  nextCheckAt: Date,
  now: Date,
): Promise<LedgerRow> {
  return ledger.update(
    row,
    {
      state: 'pending',
      origin: row.origin,
      retiringAt: null,
      deviceImageId: deviceImage.id,
      displayName: deviceImage.displayName,
      errorCode: null,
      reason: null,
      statusChecks: 0,
      pendingSince: now.toISOString(),
      nextCheckAt: nextCheckAt.toISOString(),
      alertedAt: null,
      // The first create of this registration starts the upload `image-sync report` measures; a retryUpload does not.
      imageCreatedAt: row.imageCreatedAt ?? now.toISOString(),
    },
    now,
  );
}

/** A status check found the upload still running; the next one is due at nextCheckAt. */
export async function recordCheck(ledger: Ledger, row: LedgerRow, checksDone: number, nextCheckAt: Date, now: Date): Promise<LedgerRow> {
  return ledger.update(row, { statusChecks: checksDone, nextCheckAt: nextCheckAt.toISOString() }, now);
}

/** A failed upload was sent back to Windows 365 with retryUpload. */
export async function recordRetryUpload(
  ledger: Ledger,
  row: LedgerRow,
  checksDone: number,
  nextCheckAt: Date,
  now: Date,
): Promise<LedgerRow> {
  return ledger.update(
    row,
    {
      state: 'pending',
      retryUploads: row.retryUploads + 1,
      statusChecks: checksDone,
      pendingSince: now.toISOString(),
      nextCheckAt: nextCheckAt.toISOString(),
      errorCode: null,
      reason: null,
    },
    now,
  );
}

/** A retryUpload that was claimed (recordRetryUpload) but did not go through: the row as it was before. */
export async function releaseRetryUpload(ledger: Ledger, claimed: LedgerRow, before: LedgerRow, now: Date): Promise<LedgerRow> {
  return ledger.update(
    claimed,
    {
      retryUploads: before.retryUploads,
      statusChecks: before.statusChecks,
      pendingSince: before.pendingSince,
      nextCheckAt: before.nextCheckAt,
    },
    now,
  );
}

/**
 * The origin a row records for a device image (DESIGN §15): `created` when the caller's own POST made
 * it; a device image the row already recorded keeps the row's origin (a status read, a failed row
 * Graph now calls ready); any other is `adopted`.
 */
export function originOf(row: LedgerRow | null, deviceImage: DeviceImage, how: DeviceImageOrigin): DeviceImageOrigin | null {
  if (how === 'created') return 'created';
  const recorded = row?.deviceImageId ?? null;
  return recorded !== null && recorded.toLowerCase() === deviceImage.id.toLowerCase() ? (row?.origin ?? null) : 'adopted';
}

function readyChange(deviceImage: DeviceImage) {
  return {
    state: 'ready',
    retiringAt: null,
    deviceImageId: deviceImage.id,
    displayName: deviceImage.displayName,
    errorCode: null,
    reason: null,
    nextCheckAt: null,
    uploadStatus: deviceImage.status,
    osStatus: deviceImage.osStatus,
    expirationDate: deviceImage.expirationDate,
    osVersionNumber: deviceImage.osVersionNumber,
    operatingSystem: deviceImage.operatingSystem,
  } as const;
}

/** The first row of an image found ready in Windows 365 (found, not posted by this registration: adopted). */
export function readyEntry(identity: ImageIdentity, deviceImage: DeviceImage): NewLedgerEntry {
  return { ...newLedgerEntry(identity), ...readyChange(deviceImage), origin: 'adopted' };
}

/** `how`: `created` only when this registration's own POST made the device image (see originOf). */
export async function markReady(
  ledger: Ledger,
  row: LedgerRow | null,
  identity: ImageIdentity,
  deviceImage: DeviceImage,
  now: Date,
  how: DeviceImageOrigin = 'adopted',
): Promise<LedgerRow> {
  if (row === null) return ledger.insert({ ...readyEntry(identity, deviceImage), origin: originOf(null, deviceImage, how) }, now);
  // The first time it is seen ready ends the upload `image-sync report` measures.
  return ledger.update(
    row,
    { ...readyChange(deviceImage), origin: originOf(row, deviceImage, how), readyAt: row.readyAt ?? now.toISOString() },
    now,
  );
}

/** Adopts a device image that is already uploading (found in Graph, unknown or unconfirmed in the ledger). */
export async function adoptPending(
  ledger: Ledger,
  row: LedgerRow | null,
  identity: ImageIdentity,
  deviceImage: DeviceImage,
  nextCheckAt: Date,
  now: Date,
  how: DeviceImageOrigin = 'adopted',
): Promise<LedgerRow> {
  const origin = originOf(row, deviceImage, how);
  const base = row ?? (await ledger.insert({ ...newLedgerEntry(identity), state: 'creating', origin }, now));
  return markPending(ledger, { ...base, origin }, deviceImage, nextCheckAt, now);
}

/** Records what was read about a registration's device image and source since the row was written. */
export async function recordObservation(ledger: Ledger, row: LedgerRow, observation: Observation, now: Date): Promise<LedgerRow> {
  return ledger.update(row, observation, now);
}
