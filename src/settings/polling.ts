// How often a registration's status is checked, and how long uploads and transient failures are retried.
import { z } from 'zod';
import type { Environment } from './configError';
import { wholeNumber } from './read';
import { parseSettings, refuse } from './schema';

export interface PollingPart {
  readonly pollIntervalSeconds: number;
  readonly pollMaxIntervalSeconds: number;
  readonly uploadTimeoutHours: number;
  readonly maxRetryUploads: number;
  /** How long transient failures are retried before an image is recorded failed (transientFailure). */
  readonly transientRetryHours: number;
}

const WEEK_SECONDS = 7 * 24 * 3600;

const pollingSchema = z
  .object({
    IMAGE_SYNC_POLL_INTERVAL_SECONDS: wholeNumber('IMAGE_SYNC_POLL_INTERVAL_SECONDS', 1, WEEK_SECONDS),
    IMAGE_SYNC_POLL_MAX_INTERVAL_SECONDS: wholeNumber('IMAGE_SYNC_POLL_MAX_INTERVAL_SECONDS', 1, WEEK_SECONDS),
    IMAGE_SYNC_UPLOAD_TIMEOUT_HOURS: wholeNumber('IMAGE_SYNC_UPLOAD_TIMEOUT_HOURS', 1, 24 * 30),
    IMAGE_SYNC_MAX_RETRY_UPLOADS: wholeNumber('IMAGE_SYNC_MAX_RETRY_UPLOADS', 0, 10),
    // A queue message lives at most 7 days per send, but each retry is a new send: a week is a bound people understand.
    IMAGE_SYNC_TRANSIENT_RETRY_HOURS: wholeNumber('IMAGE_SYNC_TRANSIENT_RETRY_HOURS', 1, 168),
  })
  .transform((settings, context): PollingPart => {
    const pollIntervalSeconds = settings.IMAGE_SYNC_POLL_INTERVAL_SECONDS;
    const pollMaxIntervalSeconds = settings.IMAGE_SYNC_POLL_MAX_INTERVAL_SECONDS;
    if (pollMaxIntervalSeconds < pollIntervalSeconds) {
      return refuse(
        context,
        `${pollMaxIntervalSeconds} is below IMAGE_SYNC_POLL_INTERVAL_SECONDS (${pollIntervalSeconds})`,
        'set it at least as large as the poll interval',
        'IMAGE_SYNC_POLL_MAX_INTERVAL_SECONDS',
      );
    }
    return {
      pollIntervalSeconds,
      pollMaxIntervalSeconds,
      uploadTimeoutHours: settings.IMAGE_SYNC_UPLOAD_TIMEOUT_HOURS,
      maxRetryUploads: settings.IMAGE_SYNC_MAX_RETRY_UPLOADS,
      transientRetryHours: settings.IMAGE_SYNC_TRANSIENT_RETRY_HOURS,
    };
  });

export function loadPolling(env: Environment): PollingPart {
  return parseSettings(pollingSchema, env);
}
