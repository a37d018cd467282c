// The queue-triggered create: exactly one device image per source image under at-least-once
// delivery (DESIGN §8). The ledger claim decides which worker posts; a worker that finds signs of
// an earlier attempt looks Graph up and adopts what it finds instead of posting again. A worker that
// gives its attempt up releases its claim, so its own message, delivered again, goes on at once; and
// a create Graph rejects is looked up too, since Graph refuses a second image of one name and version:
// the one already there may be this source's own (an earlier attempt's POST that landed late).
// A create Graph refuses because the tenant is full is a tenant-image-limit skip (DESIGN §13): the
// next reconcile registers it once there is room.
import type { DeviceImage, DeviceImageOrigin, LedgerRow, RegisterJob } from '../domain';
import {
  AmbiguousOutcomeError,
  ForbiddenError,
  LedgerConflictError,
  PermanentError,
  TenantImageLimitError,
  TransientError,
} from '../errors';
import { remediationFor } from '../rules/remediation';
import { claimLeaseOf, leaseLeftMs } from '../rules/times';
import { isSettled, registerStep } from '../rules/lifecycle';
import { parseRegisterJob } from '../parse/parseMessage';
import { type MessageMeta, parseQueueMessage } from '../steps/parseQueueMessage';
import { findDeviceImage, handOffToPoller, recordDeviceImage } from '../steps/recordDeviceImage';
import { planRequestedRegistration } from '../steps/planRequestedRegistration';
import { type TransientHandling, retryTransientLater } from '../steps/retryTransientLater';
import { type ImageIdentity, claimImage, releaseClaim, rowToActOn } from '../steps/ledgerTransitions';
import type { SyncDeps } from '../ports';
import { describeError, failImage, reportProblem } from '../steps/reportFailure';
import { releaseSlot } from '../steps/releaseSlot';
import { skipForTenantLimit } from '../steps/skipForTenantLimit';
import { confirmSource } from '../steps/confirmSourceBeforePost';
import { ensurePostedSource, refuseDirect, removeCopy } from '../steps/ensurePostedSource';
import { isDirectShapeRefusal, postedSourceId } from '../rules/postedSource';

const CLAIM_TRIES = 3;

/** The device image is this registration's: recorded, then handed to the status poller unless it is ready already. */
async function takeOver(
  deps: SyncDeps,
  claimed: LedgerRow,
  identity: ImageIdentity,
  deviceImage: DeviceImage,
  how: DeviceImageOrigin,
): Promise<void> {
  const recorded = await recordDeviceImage(deps, claimed, identity, deviceImage, how);
  await handOffToPoller(deps, recorded);
}

/** A device image found by the look-up becomes this registration's (`how`: whether an earlier attempt of its own made it). */
async function adopt(
  deps: SyncDeps,
  claimed: LedgerRow,
  identity: ImageIdentity,
  existing: DeviceImage,
  how: DeviceImageOrigin,
  after?: string,
): Promise<void> {
  deps.log.info('DeviceImageAdopted', {
    sourceImageResourceId: identity.sourceImageResourceId,
    deviceImageId: existing.id,
    status: existing.status,
    ...(after === undefined ? {} : { after }),
  });
  await takeOver(deps, claimed, identity, existing, how);
}

async function createOrAdopt(
  deps: SyncDeps,
  claimedFirst: LedgerRow,
  identity: ImageIdentity,
  job: RegisterJob,
  mayExist: DeviceImageOrigin | null,
): Promise<void> {
  // Graph knows the registration by the id that was posted (a gallery version's copy, DESIGN §17).
  const lookUp = { sourceImageResourceId: postedSourceId(job.sourceImageResourceId, deps.config.gallery), version: job.version };
  if (mayExist !== null) {
    const existing = await findDeviceImage(deps, lookUp);
    if (existing !== null) {
      await adopt(deps, claimedFirst, identity, existing, mayExist);
      return;
    }
  }
  const confirmed = await confirmSource(deps, claimedFirst, identity, job);
  if (confirmed === null) {
    // A version that moved on (or was deleted) while its copy was in flight leaves no copy behind.
    if (deps.ledger.remembered(job)?.state === 'skipped') await removeCopy(deps, job.sourceImageResourceId);
    return;
  }
  const posted = await ensurePostedSource(deps, confirmed, job);
  if (posted === null) return;
  const claimed = posted.row;
  try {
    const created = await deps.deviceImages.create({
      displayName: job.displayName,
      version: job.version,
      sourceImageResourceId: posted.postedId,
      ...(job.operatingSystem === undefined ? {} : { operatingSystem: job.operatingSystem }),
      ...(job.osBuildNumber === undefined ? {} : { osBuildNumber: job.osBuildNumber }),
    });
    deps.log.info('DeviceImageCreated', {
      sourceImageResourceId: job.sourceImageResourceId,
      deviceImageId: created.id,
      displayName: created.displayName,
      version: created.version,
    });
    await takeOver(deps, claimed, identity, created, 'created');
  } catch (error) {
    if (error instanceof AmbiguousOutcomeError) {
      deps.log.warn('DeviceImageCreateUnknown', { sourceImageResourceId: job.sourceImageResourceId, detail: error.message });
      const existing = await findDeviceImage(deps, lookUp);
      if (existing !== null) {
        await takeOver(deps, claimed, identity, existing, 'created');
        return;
      }
      // Not visible yet: the row stays `creating`, so the next delivery looks again before posting.
      throw error;
    }
    if (error instanceof TenantImageLimitError) {
      await skipForTenantLimit(deps, claimed, identity, job);
      return;
    }
    if (error instanceof PermanentError && !(error instanceof ForbiddenError)) {
      const existing = await findDeviceImage(deps, lookUp);
      if (existing !== null) {
        await adopt(deps, claimed, identity, existing, mayExist ?? 'adopted', describeError(error));
        return;
      }
      if (isDirectShapeRefusal(job.sourceImageResourceId, deps.config.gallery, error.status, error.message)) {
        await refuseDirect(deps, claimed, identity, error);
      } else {
        await failImage(deps, claimed, identity, {
          errorCode: 'createRejected',
          reason: `Graph refused the create: ${describeError(error)}. ${remediationFor('createRejected')}`,
        });
      }
      await releaseSlot(deps, job);
      await removeCopy(deps, job.sourceImageResourceId);
      return;
    }
    throw error;
  }
}

/** Best effort: a release that fails leaves the lease to expire, which is slower but as safe. */
async function release(deps: SyncDeps, claimed: LedgerRow, cause: unknown): Promise<void> {
  try {
    await releaseClaim(deps.ledger, claimed, describeError(cause), deps.clock.now());
  } catch (error) {
    deps.log.warn('ClaimNotReleased', { sourceImageResourceId: claimed.sourceImageResourceId, detail: describeError(error) });
  }
}

async function create(
  deps: SyncDeps,
  claimed: LedgerRow,
  identity: ImageIdentity,
  job: RegisterJob,
  mayExist: DeviceImageOrigin | null,
): Promise<void> {
  try {
    await createOrAdopt(deps, claimed, identity, job, mayExist);
  } catch (error) {
    // The claim as this process last wrote it (confirmSourceBeforePost may have recorded new content).
    const latest = deps.ledger.remembered(job) ?? claimed;
    if (error instanceof ForbiddenError) {
      await reportProblem(deps, {
        kind: 'graph-forbidden',
        subject: 'graph',
        detail: `${describeError(error)}. ${remediationFor('graph-forbidden')}`,
      });
      // Nothing was created: the image waits as queued and the next reconcile drives it again.
      await deps.ledger.update(latest, { state: 'queued' }, deps.clock.now());
      return;
    }
    // A conflict means the row is no longer ours to release.
    if (!(error instanceof LedgerConflictError)) await release(deps, latest, error);
    throw error;
  }
}

export async function registerImage(deps: SyncDeps, job: RegisterJob): Promise<void> {
  const identity: ImageIdentity = {
    sourceImageResourceId: job.sourceImageResourceId,
    displayName: job.displayName,
    version: job.version,
    // What the job was planned from, for a row this claim writes first.
    ...(job.fingerprint === undefined ? {} : { contentFingerprint: job.fingerprint }),
  };
  // The row this process queued saves a read when it leads to a claim; a claim that fails because
  // that row was stale does not count as a try.
  let reads = 0;
  for (let recall = true; reads < CLAIM_TRIES; recall = false) {
    const { row, recalled } = await rowToActOn(deps.ledger, job, {
      recall,
      leadsToWrite: (remembered) => registerStep(remembered, deps.clock.now()) === 'claim',
    });
    if (!recalled) reads += 1;
    const step = registerStep(row, deps.clock.now());
    if (row !== null && step === 'handled') {
      deps.log.info('RegisterJobAlreadyHandled', { sourceImageResourceId: job.sourceImageResourceId, state: row.state });
      // Ended without a device image: its slot, if it still holds one, is given back.
      if (row.state === 'skipped' || (row.state === 'failed' && row.deviceImageId === null)) await releaseSlot(deps, job);
      return;
    }
    if (row !== null && step === 'wait') {
      // Come back once the claim's lease is up, not at every poll interval until then.
      const leaseLeft = leaseLeftMs(row.updatedAt, deps.clock.now(), claimLeaseOf(row));
      throw new TransientError({
        message: `another worker is creating the device image for ${job.sourceImageResourceId} (claimed at ${row.updatedAt}); this job comes back when its claim's lease is up`,
        retryAfterMs: leaseLeft,
      });
    }
    // An earlier attempt may have posted: what the look-up finds is this registration's own only
    // while its row is still `creating` (DESIGN §15); otherwise it is adopted.
    const mayExist: DeviceImageOrigin | null =
      row === null ? null : row.state === 'creating' ? 'created' : row.attempts > 0 ? 'adopted' : null;
    let claimed: LedgerRow;
    try {
      claimed = await claimImage(deps.ledger, row, identity, deps.clock.now());
    } catch (error) {
      if (error instanceof LedgerConflictError) continue;
      throw error;
    }
    try {
      await create(deps, claimed, identity, job, mayExist);
    } catch (error) {
      if (!(error instanceof LedgerConflictError)) throw error;
      // Another delivery recorded the outcome first (its write landed): nothing is left to do.
      const settled = await deps.ledger.get(job);
      if (settled === null || !isSettled(settled)) throw error;
      deps.log.info('RegisterJobSuperseded', { sourceImageResourceId: job.sourceImageResourceId, state: settled.state });
    }
    return;
  }
  throw new TransientError({
    message: `the ledger row of ${job.sourceImageResourceId} kept changing; the queue will deliver the job again`,
  });
}

/** Past IMAGE_SYNC_TRANSIENT_RETRY_HOURS: the registration is recorded failed (nothing was created, or what was is adopted later). */
async function giveUpRegistering(deps: SyncDeps, job: RegisterJob, reason: string): Promise<void> {
  const row = await deps.ledger.get(job);
  if (row !== null && isSettled(row)) return;
  await failImage(
    deps,
    row,
    { sourceImageResourceId: job.sourceImageResourceId, displayName: job.displayName, version: job.version },
    { errorCode: 'transientFailure', reason },
  );
  await releaseSlot(deps, job);
}

function transientHandling(deps: SyncDeps, job: RegisterJob): TransientHandling<RegisterJob> {
  return {
    subject: `${job.sourceImageResourceId} ${job.version}`,
    resend: (again, delaySeconds) => deps.queues.sendRegisterJob(again, delaySeconds),
    giveUp: (again, reason) => giveUpRegistering(deps, again, reason),
  };
}

/**
 * The `registerImage` function's logic: parse the message at the edge, then register (or, for a
 * request from `image-sync register`, plan it first); transient failures come back later.
 */
export async function handleRegisterMessage(deps: SyncDeps, message: unknown, meta: MessageMeta): Promise<void> {
  const job = await parseQueueMessage(deps, deps.config.registerQueue, message, meta, parseRegisterJob);
  if (job === null) return;
  if (job.requested !== true) {
    await retryTransientLater(deps, job, transientHandling(deps, job), () => registerImage(deps, job));
    return;
  }
  await retryTransientLater(deps, job, transientHandling(deps, job), async () => {
    const outcome = await planRequestedRegistration(deps, job);
    const reason = 'reason' in outcome && outcome.reason !== null ? { reason: outcome.reason } : {};
    deps.log.info('RegisterRequestPlanned', {
      sourceImageResourceId: job.sourceImageResourceId,
      version: job.version,
      outcome: outcome.outcome,
      ...reason,
    });
  });
}
