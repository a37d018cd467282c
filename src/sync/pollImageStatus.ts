// The status poller: follows one upload until it settles, with a growing delay between checks,
// bounded retryUpload for transient failures, and a timeout. Each check message carries its number;
// the ledger remembers how many checks were done, so a duplicate delivery is recognised and dropped.
// A retryUpload is claimed in the ledger before it is sent, so of two deliveries of one check only
// the one whose write lands sends it.
import { isTransientUploadError, remediationFor } from '../alerts/remediation';
import type { LedgerRow, StatusCheck } from '../domain';
import { LedgerConflictError, PermanentError } from '../errors';
import { parseStatusCheck } from '../queue/parseMessage';
import { holdForRetryAfter } from './holdForRetryAfter';
import { type ImageIdentity, markReady, recordCheck, recordRetryUpload, releaseRetryUpload, rowToActOn } from './ledgerTransitions';
import type { SyncDeps } from './ports';
import { type MessageMeta, parseQueueMessage } from './parseQueueMessage';
import { describeError, failImage } from './reportFailure';
import { statusCheckDelaySeconds } from './statusCheckDelay';

function isCurrent(row: LedgerRow | null, check: StatusCheck): row is LedgerRow {
  return (
    row !== null &&
    row.state === 'pending' &&
    row.deviceImageId !== null &&
    row.deviceImageId.toLowerCase() === check.deviceImageId.toLowerCase() &&
    check.check >= row.statusChecks
  );
}

function later(now: Date, seconds: number): Date {
  return new Date(now.getTime() + seconds * 1000);
}

async function settle(deps: SyncDeps, row: LedgerRow, check: StatusCheck): Promise<void> {
  const identity: ImageIdentity = { sourceImageResourceId: row.sourceImageResourceId, displayName: row.displayName, version: row.version };
  const image = await deps.deviceImages.get(check.deviceImageId);
  const now = deps.clock.now();
  if (image === null) {
    await failImage(deps, row, identity, { errorCode: 'deviceImageNotFound', reason: remediationFor('deviceImageNotFound') });
    return;
  }
  const status = image.status.toLowerCase();
  if (status === 'ready' || status === 'warning') {
    await markReady(deps.ledger, row, identity, image, now);
    deps.log.info('DeviceImageReady', { sourceImageResourceId: row.sourceImageResourceId, deviceImageId: image.id, checks: check.check + 1 });
    return;
  }
  if (status === 'failed') {
    const errorCode = image.errorCode ?? 'unknown';
    if (isTransientUploadError(errorCode) && check.retryUploads < deps.config.maxRetryUploads) {
      await retryUpload(deps, row, identity, check, image.id, errorCode);
      return;
    }
    const retried = check.retryUploads > 0 ? ` (after ${check.retryUploads} retryUpload${check.retryUploads === 1 ? '' : 's'})` : '';
    await failImage(deps, row, identity, { errorCode, reason: `${remediationFor(errorCode)}${retried}`, deviceImageId: image.id });
    return;
  }
  const pendingMs = now.getTime() - Date.parse(check.since);
  if (pendingMs >= deps.config.uploadTimeoutHours * 3600 * 1000) {
    await failImage(deps, row, identity, { errorCode: 'uploadTimedOut', reason: `still ${image.status} after ${deps.config.uploadTimeoutHours} hours. ${remediationFor('uploadTimedOut')}`, deviceImageId: image.id });
    return;
  }
  const next = check.check + 1;
  const delay = statusCheckDelaySeconds(deps.config, next);
  await recordCheck(deps.ledger, row, next, later(now, delay), now);
  await deps.queues.sendStatusCheck({ ...check, check: next }, delay);
}

/** Whether the upload is running again (a retryUpload whose answer was lost, or refused because it had already taken effect). */
async function uploadRestarted(deps: SyncDeps, deviceImageId: string): Promise<boolean> {
  try {
    const image = await deps.deviceImages.get(deviceImageId);
    return image !== null && image.status.toLowerCase() !== 'failed';
  } catch {
    return false;
  }
}

/**
 * Claim, then act: the ledger records the retry first (ETag-guarded). When the call fails and the
 * upload is not running again, the claim is given back, so this check, delivered again, is current
 * and retries; a retryUpload Graph refuses is recorded as the upload's failure, not retried.
 */
async function retryUpload(deps: SyncDeps, row: LedgerRow, identity: ImageIdentity, check: StatusCheck, deviceImageId: string, errorCode: string): Promise<void> {
  const now = deps.clock.now();
  const delay = statusCheckDelaySeconds(deps.config, 0);
  const claimed = await recordRetryUpload(deps.ledger, row, check.check + 1, later(now, delay), now);
  try {
    await deps.deviceImages.retryUpload(deviceImageId);
  } catch (error) {
    if (!(await uploadRestarted(deps, deviceImageId))) {
      if (error instanceof PermanentError) {
        const refused = ` Graph refused retryUpload (${describeError(error)})${error.status === 401 || error.status === 403 ? ': grant the app CloudPC.ReadWrite.All' : ''}.`;
        await failImage(deps, claimed, identity, { errorCode, reason: `${remediationFor(errorCode)}.${refused}`, deviceImageId });
        return;
      }
      try {
        await releaseRetryUpload(deps.ledger, claimed, row, deps.clock.now());
      } catch (releaseError) {
        // The next reconcile resumes the overdue check (nextCheckAt) instead.
        deps.log.warn('RetryUploadNotReleased', { sourceImageResourceId: row.sourceImageResourceId, detail: describeError(releaseError) });
      }
      throw error;
    }
  }
  await deps.queues.sendStatusCheck({ ...check, check: check.check + 1, since: now.toISOString(), retryUploads: check.retryUploads + 1 }, delay);
  deps.log.warn('DeviceImageUploadRetried', { sourceImageResourceId: row.sourceImageResourceId, deviceImageId, errorCode, retryUploads: check.retryUploads + 1 });
}

export async function pollImageStatus(deps: SyncDeps, check: StatusCheck): Promise<void> {
  // The row this process marked pending saves a read when the check is current against it: every
  // outcome is written ETag-guarded before anything is sent, so a stale row fails that write and
  // the check is made again on a read.
  for (const recall of [true, false]) {
    const { row, recalled } = await rowToActOn(deps.ledger, check.sourceImageResourceId, { recall, leadsToWrite: (remembered) => isCurrent(remembered, check) });
    const state = row?.state ?? null;
    if (!isCurrent(row, check)) {
      deps.log.info('StatusCheckStale', { sourceImageResourceId: check.sourceImageResourceId, check: check.check, state });
      return;
    }
    try {
      await settle(deps, row, check);
      return;
    } catch (error) {
      if (!(error instanceof LedgerConflictError)) throw error;
      if (recalled) continue;
      // Another delivery of this check (or the planner's repair) changed the row first and carries on.
      deps.log.info('StatusCheckSuperseded', { sourceImageResourceId: check.sourceImageResourceId, check: check.check });
      return;
    }
  }
}

/** The `pollImageStatus` function's logic: parse the message at the edge, then check. */
export async function handleStatusMessage(deps: SyncDeps, message: unknown, meta: MessageMeta): Promise<void> {
  const check = await parseQueueMessage(deps, deps.config.statusQueue, message, meta, parseStatusCheck);
  if (check !== null) await holdForRetryAfter(deps, check.sourceImageResourceId, () => pollImageStatus(deps, check));
}
