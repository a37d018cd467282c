// A registration's life in the ledger (a source image at a version), one named transition each.
// Every change is ETag-guarded by the ledger: a transition made from a stale row throws
// LedgerConflictError. A row's source and version are its key and never change.
//
//   (none) ─queue─▶ queued ─claim─▶ creating ─markPending─▶ pending ─markReady─▶ ready ─markRetired─▶ retired
//      │                              │  ▲ │                  │ ▲                  ▲         (Graph said gone)
//      └─skip─▶ skipped               │  │ └─releaseClaim     │ └─recordCheck / recordRetryUpload
//                                     │  └─claim (retry)      │   (releaseRetryUpload gives one back)
//                                     └──────────markFailed────┴─────▶ failed ─queue (manual)─▶ queued
//
// Retention's transitions (markRetiring, markRetired, keepDeviceImage) are in retirementTransitions.ts.
import type { DeviceImage, DeviceImageOrigin, LedgerRow, SkipReason } from '../domain';
import type { Ledger, NewLedgerEntry, RegistrationRef } from '../ports';
import type { Observation } from '../rules/observeRegistrations';

export interface ImageIdentity {
  readonly sourceImageResourceId: string;
  readonly displayName: string | null;
  readonly version: string | null;
  /** What the source was captured from when this version was planned (SourceImage.contentFingerprint). */
  readonly contentFingerprint?: string | null;
  /** The source's cloudpc-provisioning-policies tag when this version was planned. */
  readonly rolloutPolicies?: readonly string[];
}

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

/** A fresh row for an image: queued, nothing tried yet. */
export function newLedgerEntry(identity: ImageIdentity): NewLedgerEntry {
  return {
    sourceImageResourceId: identity.sourceImageResourceId,
    displayName: identity.displayName,
    version: identity.version,
    state: 'queued',
    deviceImageId: null,
    errorCode: null,
    reason: null,
    fix: null,
    attempts: 0,
    origin: null,
    retiringAt: null,
    retryUploads: 0,
    statusChecks: 0,
    pendingSince: null,
    nextCheckAt: null,
    alertedAt: null,
    contentFingerprint: identity.contentFingerprint ?? null,
    uploadStatus: null,
    osStatus: null,
    expirationDate: null,
    sourceWarnings: [],
    alertedWarnings: [],
    policies: [],
    rolloutPolicies: identity.rolloutPolicies ?? [],
    rollouts: [],
    imageCreatedAt: null,
    readyAt: null,
    osVersionNumber: null,
    operatingSystem: null,
    latestBuild: null,
    patchLag: null,
    currencyWarnings: [],
    alertedCurrency: [],
  };
}

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

/** The errorCode of a `creating` row whose worker gave up its attempt without knowing the outcome. */
export const CLAIM_RELEASED = 'createInterrupted';

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

/** A `creating` row no worker is posting for any more (its claim was released). */
export function isReleasedClaim(row: LedgerRow): boolean {
  return row.state === 'creating' && row.errorCode === CLAIM_RELEASED;
}

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

/** Records what was read about a registration's device image and source since the row was written. */
export async function recordObservation(ledger: Ledger, row: LedgerRow, observation: Observation, now: Date): Promise<LedgerRow> {
  return ledger.update(row, observation, now);
}
