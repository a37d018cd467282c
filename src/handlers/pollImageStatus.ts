// The status poller: follows one upload until it settles, with a growing delay between checks,
// bounded retryUpload for transient failures, and a timeout. Each check message carries its number;
// the ledger remembers how many checks were done, so a duplicate delivery is recognised and dropped.
// A retryUpload is claimed in the ledger before it is sent, so of two deliveries of one check only
// the one whose write lands sends it.
import { remediationFor } from '../rules/remediation';
import type { LedgerRow, StatusCheck } from '../domain';
import { isCurrentCheck } from '../rules/lifecycle';
import { settleUpload } from '../rules/settleUpload';
import { parseVersion } from '../rules/naming';
import type { RegistrationRef } from '../ports';
import { statusCheckFor } from '../rules/statusCheckMessage';
import { retireVersions } from '../steps/retireVersions';
import { rollOut } from '../steps/rollOutPolicies';
import { readTenantView } from '../steps/tenantView';
import { warningCodes, warningsOf } from '../rules/warnings';
import { warnRegistration } from '../steps/warnRegistration';
import { ForbiddenError, LedgerConflictError, PermanentError, UNREADABLE_ANSWER, UnexpectedResponseError } from '../errors';
import { parseStatusCheck } from '../parse/parseMessage';
import { retryTransientLater } from '../steps/retryTransientLater';
import { type ImageIdentity, markReady, recordCheck, recordRetryUpload, releaseRetryUpload, rowToActOn } from '../steps/ledgerTransitions';
import type { SyncDeps } from '../ports';
import { type MessageMeta, parseQueueMessage } from '../steps/parseQueueMessage';
import { describeError, failImage, reportProblem } from '../steps/reportFailure';
import { statusCheckDelaySeconds } from '../rules/statusCheckDelay';
import { removeCopy } from '../steps/ensurePostedSource';

function later(now: Date, seconds: number): Date {
  return new Date(now.getTime() + seconds * 1000);
}

/**
 * Graph's device image; undefined when its answer could not be read (a recorded problem: the check
 * is not retried here, and the next reconcile resumes it once it is overdue).
 */
async function readDeviceImage(deps: SyncDeps, check: StatusCheck) {
  try {
    return await deps.deviceImages.get(check.deviceImageId);
  } catch (error) {
    if (!(error instanceof UnexpectedResponseError)) throw error;
    await reportProblem(deps, {
      kind: 'graph-unreadable',
      subject: 'graph',
      detail: `${describeError(error)}. ${remediationFor(UNREADABLE_ANSWER)}`,
    });
    return undefined;
  }
}

async function settle(deps: SyncDeps, row: LedgerRow, check: StatusCheck): Promise<void> {
  const identity: ImageIdentity = { sourceImageResourceId: row.sourceImageResourceId, displayName: row.displayName, version: row.version };
  const image = await readDeviceImage(deps, check);
  if (image === undefined) return;
  const now = deps.clock.now();
  const decision = settleUpload(check, image, deps.config, now);
  switch (decision.kind) {
    case 'ready': {
      const ready = await markReady(deps.ledger, row, identity, decision.deviceImage, now);
      deps.log.info('DeviceImageReady', {
        sourceImageResourceId: row.sourceImageResourceId,
        version: row.version,
        deviceImageId: decision.deviceImage.id,
        checks: check.check + 1,
      });
      // Windows 365 no longer needs the source once the upload is ready: a gallery version's copy goes (DESIGN §17).
      await removeCopy(deps, row.sourceImageResourceId);
      await afterReady(deps, ready);
      return;
    }
    case 'retry-upload':
      await retryUpload(deps, row, identity, check, decision.deviceImageId, decision.errorCode);
      return;
    case 'fail': {
      const { errorCode, reason, deviceImageId } = decision;
      await failImage(deps, row, identity, { errorCode, reason, ...(deviceImageId === null ? {} : { deviceImageId }) });
      // Only an upload Graph ended (after its retryUploads: a retried upload still reads its source)
      // removes the copy here; one whose device image is gone leaves it to the reconcile's sweep.
      if (deviceImageId !== null) await removeCopy(deps, row.sourceImageResourceId);
      return;
    }
    case 'check-later':
      await recordCheck(deps.ledger, row, decision.check, later(now, decision.delaySeconds), now);
      await deps.queues.sendStatusCheck(
        statusCheckFor(row, check.deviceImageId, { ...check, check: decision.check }),
        decision.delaySeconds,
      );
      return;
  }
}

/**
 * A version just became ready: its OS warnings are alerted (once); with IMAGE_SYNC_ROLLOUT on, the
 * policies its tag names are pointed at it; and with retention on, the older versions it supersedes
 * go now rather than at the next reconcile (after the rollout, so a policy it moved off an old
 * version no longer holds that one back). None may undo the ready: a failure here is logged, and
 * the next reconcile does them again.
 */
async function afterReady(deps: SyncDeps, ready: LedgerRow): Promise<void> {
  try {
    const fresh = warningsOf(ready, deps.clock.now(), deps.config.expiryWarningDays).filter(
      (warning) => !ready.alertedWarnings.includes(warning.code),
    );
    if (fresh.length > 0) {
      await deps.ledger.update(ready, { alertedWarnings: [...ready.alertedWarnings, ...warningCodes(fresh)] }, deps.clock.now());
      await warnRegistration(deps, ready, fresh);
    }
    const rollsOut = deps.config.rollout && ready.rolloutPolicies.length > 0;
    if (!rollsOut && deps.config.keepVersions === 0) return;
    let view = await readTenantView(deps, { readOnly: false });
    if (view === null) return;
    if (rollsOut) {
      await rollOut(deps, view.ledger, view.policies);
      if (deps.config.keepVersions > 0) view = (await readTenantView(deps, { readOnly: false })) ?? view;
    }
    if (deps.config.keepVersions > 0) await retireVersions(deps, view, { keep: deps.config.keepVersions, dryRun: false });
  } catch (error) {
    deps.log.warn('AfterReadyDeferred', {
      sourceImageResourceId: ready.sourceImageResourceId,
      version: ready.version,
      detail: describeError(error),
    });
  }
}

/** Whether the upload is running again (a retryUpload whose answer was lost, or refused because it had already taken effect). */
async function uploadRestarted(deps: SyncDeps, deviceImageId: string): Promise<boolean> {
  try {
    const image = await deps.deviceImages.get(deviceImageId);
    return image !== null && image.status !== 'failed';
  } catch {
    return false;
  }
}

/**
 * Claim, then act: the ledger records the retry first (ETag-guarded). When the call fails and the
 * upload is not running again, the claim is given back, so this check, delivered again, is current
 * and retries; a retryUpload Graph refuses is recorded as the upload's failure, not retried.
 */
async function retryUpload(
  deps: SyncDeps,
  row: LedgerRow,
  identity: ImageIdentity,
  check: StatusCheck,
  deviceImageId: string,
  errorCode: string,
): Promise<void> {
  const now = deps.clock.now();
  const delay = statusCheckDelaySeconds(deps.config, 0);
  const claimed = await recordRetryUpload(deps.ledger, row, check.check + 1, later(now, delay), now);
  try {
    await deps.deviceImages.retryUpload(deviceImageId);
  } catch (error) {
    if (!(await uploadRestarted(deps, deviceImageId))) {
      if (error instanceof PermanentError) {
        const refused = ` Graph refused retryUpload (${describeError(error)})${error instanceof ForbiddenError ? ': grant the app CloudPC.ReadWrite.All' : ''}.`;
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
  await deps.queues.sendStatusCheck(
    statusCheckFor(row, deviceImageId, { check: check.check + 1, since: now.toISOString(), retryUploads: check.retryUploads + 1 }),
    delay,
  );
  deps.log.warn('DeviceImageUploadRetried', {
    sourceImageResourceId: row.sourceImageResourceId,
    deviceImageId,
    errorCode,
    retryUploads: check.retryUploads + 1,
  });
}

/**
 * The registration a check is about. A check the previous release queued names no version: Graph's
 * device image says which; null when it is gone (the next reconcile re-drives the row).
 */
async function registrationOf(deps: SyncDeps, check: StatusCheck): Promise<RegistrationRef | null> {
  if (check.version !== undefined) return { sourceImageResourceId: check.sourceImageResourceId, version: check.version };
  const image = await deps.deviceImages.get(check.deviceImageId);
  return image === null
    ? null
    : { sourceImageResourceId: check.sourceImageResourceId, version: parseVersion(image.version) ?? image.version };
}

export async function pollImageStatus(deps: SyncDeps, check: StatusCheck): Promise<void> {
  const ref = await registrationOf(deps, check);
  if (ref === null) {
    deps.log.info('StatusCheckStale', { sourceImageResourceId: check.sourceImageResourceId, check: check.check, state: null });
    return;
  }
  // The row this process marked pending saves a read when the check is current against it: every
  // outcome is written ETag-guarded before anything is sent, so a stale row fails that write and
  // the check is made again on a read.
  for (const recall of [true, false]) {
    const { row, recalled } = await rowToActOn(deps.ledger, ref, {
      recall,
      leadsToWrite: (remembered) => isCurrentCheck(remembered, check),
    });
    const state = row?.state ?? null;
    if (!isCurrentCheck(row, check)) {
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

/** Past IMAGE_SYNC_TRANSIENT_RETRY_HOURS: the upload is recorded failed, if the check is still the current one. */
async function giveUpChecking(deps: SyncDeps, check: StatusCheck, reason: string): Promise<void> {
  const row =
    check.version === undefined
      ? null
      : await deps.ledger.get({ sourceImageResourceId: check.sourceImageResourceId, version: check.version });
  if (!isCurrentCheck(row, check)) {
    deps.log.info('StatusCheckStale', { sourceImageResourceId: check.sourceImageResourceId, check: check.check });
    return;
  }
  await failImage(deps, row, row, { errorCode: 'transientFailure', reason, deviceImageId: check.deviceImageId });
}

/**
 * A check that failed transiently comes back after delaySeconds, and the registration's next check
 * moves with it (DESIGN §15): a reconcile meanwhile finds the check not overdue and starts no second
 * chain. A check no longer current is not sent again. Without the ledger (a storage outage) the
 * check is sent all the same.
 */
async function checkAgainLater(deps: SyncDeps, check: StatusCheck, delaySeconds: number): Promise<void> {
  if (check.version !== undefined) {
    try {
      const row = await deps.ledger.get({ sourceImageResourceId: check.sourceImageResourceId, version: check.version });
      const state = row?.state ?? null;
      if (!isCurrentCheck(row, check)) {
        deps.log.info('StatusCheckStale', { sourceImageResourceId: check.sourceImageResourceId, check: check.check, state });
        return;
      }
      const now = deps.clock.now();
      await recordCheck(deps.ledger, row, row.statusChecks, later(now, delaySeconds), now);
    } catch (error) {
      deps.log.warn('StatusCheckNotPostponed', { sourceImageResourceId: check.sourceImageResourceId, detail: describeError(error) });
    }
  }
  await deps.queues.sendStatusCheck(check, delaySeconds);
}

/** The `pollImageStatus` function's logic: parse the message at the edge, then check; transient failures come back later. */
export async function handleStatusMessage(deps: SyncDeps, message: unknown, meta: MessageMeta): Promise<void> {
  const check = await parseQueueMessage(deps, deps.config.statusQueue, message, meta, parseStatusCheck);
  if (check === null) return;
  await retryTransientLater(
    deps,
    check,
    {
      subject: `${check.sourceImageResourceId} ${check.deviceImageId}`,
      resend: (again, delaySeconds) => checkAgainLater(deps, again, delaySeconds),
      giveUp: (again, reason) => giveUpChecking(deps, again, reason),
    },
    () => pollImageStatus(deps, check),
  );
}
