// The one place an `image-status` message is made: what the poller needs to find the registration
// and to tell a duplicate delivery from the current check.
import type { LedgerEntry, StatusCheck } from '../domain';

export interface CheckProgress {
  /** The check's number: how many checks of this upload were done before it. */
  readonly check: number;
  /** When the current upload started. */
  readonly since: string;
  /** retryUpload calls so far (default: the row's). */
  readonly retryUploads?: number;
}

export function statusCheckFor(
  registration: Pick<LedgerEntry, 'sourceImageResourceId' | 'version' | 'retryUploads'>,
  deviceImageId: string,
  progress: CheckProgress,
): StatusCheck {
  return {
    v: 1,
    sourceImageResourceId: registration.sourceImageResourceId,
    deviceImageId,
    check: progress.check,
    since: progress.since,
    retryUploads: progress.retryUploads ?? registration.retryUploads,
    ...(registration.version === null ? {} : { version: registration.version }),
  };
}
