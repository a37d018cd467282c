// How often a registration's status is checked, and how long uploads and transient failures are retried.
import { ConfigError, type Environment } from './configError';
import { integer } from './read';

export interface PollingPart {
  readonly pollIntervalSeconds: number;
  readonly pollMaxIntervalSeconds: number;
  readonly uploadTimeoutHours: number;
  readonly maxRetryUploads: number;
  /** How long transient failures are retried before an image is recorded failed (transientFailure). */
  readonly transientRetryHours: number;
}

const WEEK_SECONDS = 7 * 24 * 3600;

export function loadPolling(env: Environment): PollingPart {
  const pollIntervalSeconds = integer(env, 'IMAGE_SYNC_POLL_INTERVAL_SECONDS', 1, WEEK_SECONDS);
  const pollMaxIntervalSeconds = integer(env, 'IMAGE_SYNC_POLL_MAX_INTERVAL_SECONDS', 1, WEEK_SECONDS);
  if (pollMaxIntervalSeconds < pollIntervalSeconds) {
    throw new ConfigError(
      'IMAGE_SYNC_POLL_MAX_INTERVAL_SECONDS',
      `${pollMaxIntervalSeconds} is below IMAGE_SYNC_POLL_INTERVAL_SECONDS (${pollIntervalSeconds})`,
      'set it at least as large as the poll interval',
    );
  }
  return {
    pollIntervalSeconds,
    pollMaxIntervalSeconds,
    uploadTimeoutHours: integer(env, 'IMAGE_SYNC_UPLOAD_TIMEOUT_HOURS', 1, 24 * 30),
    maxRetryUploads: integer(env, 'IMAGE_SYNC_MAX_RETRY_UPLOADS', 0, 10),
    // A queue message lives at most 7 days per send, but each retry is a new send: a week is a bound people understand.
    transientRetryHours: integer(env, 'IMAGE_SYNC_TRANSIENT_RETRY_HOURS', 1, 168),
  };
}
