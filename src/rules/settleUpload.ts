// The status check's decision (DESIGN §8, §15): what one read of Graph's device image means for the
// upload the check follows. Pure: the poller (src/handlers/pollImageStatus.ts) reads the image, asks
// this, and carries the answer out (ledger first, then Graph or the queue).
//   ready         Graph calls the upload usable (`ready`, or beta's `warning`).
//   retry-upload  Graph calls it failed with a transient errorCode, and retryUploads are left.
//   fail          failed otherwise, not found, or still not done after IMAGE_SYNC_UPLOAD_TIMEOUT_HOURS.
//   check-later   still running (`pending`, or a status Graph added since): the next check, further out.
import type { Config } from '../config';
import { type DeviceImage, type StatusCheck, isUsable } from '../domain';
import { isTransientUploadError, remediationFor } from './remediation';
import { statusCheckDelaySeconds } from './statusCheckDelay';

export type UploadDecision =
  | { readonly kind: 'ready'; readonly deviceImage: DeviceImage }
  | { readonly kind: 'retry-upload'; readonly deviceImageId: string; readonly errorCode: string }
  /** deviceImageId: null when Graph has no such device image any more. */
  | { readonly kind: 'fail'; readonly errorCode: string; readonly reason: string; readonly deviceImageId: string | null }
  /** `check`: the number of the next check, sent after delaySeconds. */
  | { readonly kind: 'check-later'; readonly check: number; readonly delaySeconds: number };

export type SettleConfig = Pick<Config, 'maxRetryUploads' | 'uploadTimeoutHours' | 'pollIntervalSeconds' | 'pollMaxIntervalSeconds'>;

/** `image`: Graph's device image as read by this check; null when Graph answered 404. */
export function settleUpload(
  check: Pick<StatusCheck, 'check' | 'since' | 'retryUploads'>,
  image: DeviceImage | null,
  config: SettleConfig,
  now: Date,
): UploadDecision {
  if (image === null)
    return { kind: 'fail', errorCode: 'deviceImageNotFound', reason: remediationFor('deviceImageNotFound'), deviceImageId: null };
  const { status } = image;
  if (isUsable(status)) return { kind: 'ready', deviceImage: image };
  if (status === 'failed') {
    const errorCode = image.errorCode ?? 'unknown';
    if (isTransientUploadError(errorCode) && check.retryUploads < config.maxRetryUploads)
      return { kind: 'retry-upload', deviceImageId: image.id, errorCode };
    const retried = check.retryUploads > 0 ? ` (after ${check.retryUploads} retryUpload${check.retryUploads === 1 ? '' : 's'})` : '';
    return { kind: 'fail', errorCode, reason: `${remediationFor(errorCode)}${retried}`, deviceImageId: image.id };
  }
  const pendingMs = now.getTime() - Date.parse(check.since);
  if (pendingMs >= config.uploadTimeoutHours * 3600 * 1000) {
    return {
      kind: 'fail',
      errorCode: 'uploadTimedOut',
      reason: `still ${status} after ${config.uploadTimeoutHours} hours. ${remediationFor('uploadTimedOut')}`,
      deviceImageId: image.id,
    };
  }
  const next = check.check + 1;
  return { kind: 'check-later', check: next, delaySeconds: statusCheckDelaySeconds(config, next) };
}
