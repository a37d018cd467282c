// Transient is never terminal (DESIGN §8). A job whose work failed transiently after the in-process
// retries (throttling, 5xx, resets, timeouts, an outage of Graph or ARM) is sent again, delayed, and
// completes: the host's maxDequeueCount is kept for failures nobody understands, so an outage of any
// length up to IMAGE_SYNC_TRANSIENT_RETRY_HOURS never poisons a message. The delay follows the
// status checks' schedule (the poll interval, doubling to the maximum), never shorter than a
// Retry-After, with jitter so that a tenant's jobs do not all come back at once. Past the horizon the
// registration is recorded failed with `transientFailure`, the last error and the fix.
import { remediationFor } from '../rules/remediation';
import type { TransientRetry } from '../domain';
import { TransientError } from '../errors';
import type { SyncDeps } from '../ports';
import { describeError } from './reportFailure';
import { statusCheckDelaySeconds } from '../rules/statusCheckDelay';

/** ±20 %, so that jobs failing together spread out when they come back. */
const JITTER = 0.2;
const LAST_ERROR_LENGTH = 500;

export interface RetriableJob {
  readonly retry?: TransientRetry;
}

/** Seconds until the next try: the status checks' schedule for this attempt, at least the Retry-After. */
export function transientRetryDelaySeconds(
  deps: Pick<SyncDeps, 'config'>,
  attempt: number,
  retryAfterMs: number | null,
  random: () => number = Math.random,
): number {
  const scheduled = statusCheckDelaySeconds(deps.config, attempt) * (1 - JITTER + 2 * JITTER * random());
  return Math.max(Math.round(scheduled), Math.ceil((retryAfterMs ?? 0) / 1000));
}

/** Whether the job has been failing transiently for longer than IMAGE_SYNC_TRANSIENT_RETRY_HOURS. */
export function pastHorizon(deps: Pick<SyncDeps, 'config'>, retry: TransientRetry, now: Date): boolean {
  const since = Date.parse(retry.since);
  return Number.isNaN(since) || now.getTime() - since >= deps.config.transientRetryHours * 3600_000;
}

export interface TransientHandling<J extends RetriableJob> {
  /** Sends the job again with its retry record, after delaySeconds. */
  readonly resend: (job: J, delaySeconds: number) => Promise<void>;
  /** Records the registration failed (transientFailure): the horizon has passed. */
  readonly giveUp: (job: J, reason: string) => Promise<void>;
  readonly subject: string;
}

/**
 * Runs the work; a TransientError it throws is answered by sending the job again later (or, past
 * the horizon, by recording the failure), and the delivery completes. Anything else propagates: the
 * host delivers it again and, after maxDequeueCount, poisons it (a recorded problem).
 */
export async function retryTransientLater<J extends RetriableJob>(
  deps: SyncDeps,
  job: J,
  handling: TransientHandling<J>,
  work: () => Promise<void>,
): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!(error instanceof TransientError)) throw error;
    const now = deps.clock.now();
    const lastError = describeError(error).slice(0, LAST_ERROR_LENGTH);
    const retry: TransientRetry = { attempt: (job.retry?.attempt ?? 0) + 1, since: job.retry?.since ?? now.toISOString(), lastError };
    if (pastHorizon(deps, retry, now)) {
      deps.log.warn('TransientRetriesExhausted', { subject: handling.subject, attempts: retry.attempt, since: retry.since, lastError });
      await handling.giveUp(
        job,
        `still failing after ${deps.config.transientRetryHours} hours of retries (${retry.attempt} attempts since ${retry.since}); last error: ${lastError}. ${remediationFor('transientFailure')}`,
      );
      return;
    }
    const delaySeconds = transientRetryDelaySeconds(deps, retry.attempt - 1, error.retryAfterMs);
    try {
      await handling.resend({ ...job, retry }, delaySeconds);
    } catch (sendError) {
      // Storage itself is failing: the host delivers the original again after its visibility timeout.
      deps.log.warn('TransientRetryNotSent', { subject: handling.subject, detail: describeError(sendError) });
      throw error;
    }
    deps.log.warn('TransientRetryScheduled', {
      subject: handling.subject,
      attempt: retry.attempt,
      delaySeconds,
      since: retry.since,
      lastError,
    });
  }
}
