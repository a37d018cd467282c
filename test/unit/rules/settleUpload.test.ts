import { describe, expect, it } from 'vitest';
import { remediationFor } from '../../../src/rules/remediation';
import { type SettleConfig, settleUpload } from '../../../src/rules/settleUpload';
import { deviceImage } from '../../fixtures/deviceImage';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const CONFIG: SettleConfig = { maxRetryUploads: 2, uploadTimeoutHours: 6, pollIntervalSeconds: 60, pollMaxIntervalSeconds: 900 };
const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000).toISOString();
const check = (overrides: { check?: number; since?: string; retryUploads?: number } = {}) => ({
  check: 3,
  since: hoursAgo(1),
  retryUploads: 0,
  ...overrides,
});
const image = deviceImage();
const failedWith = (errorCode: string | null) => deviceImage({ status: 'failed', errorCode });

describe('settleUpload: what one status check decides', () => {
  it('is ready when Graph calls the upload ready, or warning (usable, flagged)', () => {
    expect(settleUpload(check(), image, CONFIG, NOW)).toEqual({ kind: 'ready', deviceImage: image });
    const warning = deviceImage({ status: 'warning' });
    expect(settleUpload(check(), warning, CONFIG, NOW)).toEqual({ kind: 'ready', deviceImage: warning });
  });

  it('retries the upload for a transient errorCode while retryUploads are left', () => {
    expect(settleUpload(check({ retryUploads: 1 }), failedWith('internalServerError'), CONFIG, NOW)).toEqual({
      kind: 'retry-upload',
      deviceImageId: image.id,
      errorCode: 'internalServerError',
    });
  });

  it('fails a transient errorCode once the retryUploads are used up, saying how many were made', () => {
    expect(settleUpload(check({ retryUploads: 2 }), failedWith('internalServerError'), CONFIG, NOW)).toEqual({
      kind: 'fail',
      errorCode: 'internalServerError',
      reason: `${remediationFor('internalServerError')} (after 2 retryUploads)`,
      deviceImageId: image.id,
    });
    const noRetries = settleUpload(check(), failedWith('internalServerError'), { ...CONFIG, maxRetryUploads: 0 }, NOW);
    expect(noRetries).toMatchObject({ kind: 'fail', reason: remediationFor('internalServerError') });
    const once = settleUpload(check({ retryUploads: 1 }), failedWith('internalServerError'), { ...CONFIG, maxRetryUploads: 1 }, NOW);
    expect(once).toMatchObject({ kind: 'fail', reason: `${remediationFor('internalServerError')} (after 1 retryUpload)` });
  });

  it('fails a lasting errorCode at once, and one Graph gave none as unknown', () => {
    expect(settleUpload(check(), failedWith('sourceImageNotFound'), CONFIG, NOW)).toEqual({
      kind: 'fail',
      errorCode: 'sourceImageNotFound',
      reason: remediationFor('sourceImageNotFound'),
      deviceImageId: image.id,
    });
    expect(settleUpload(check(), failedWith(null), CONFIG, NOW)).toMatchObject({ kind: 'fail', errorCode: 'unknown' });
  });

  it('fails an upload whose device image Graph no longer has, naming none', () => {
    expect(settleUpload(check(), null, CONFIG, NOW)).toEqual({
      kind: 'fail',
      errorCode: 'deviceImageNotFound',
      reason: remediationFor('deviceImageNotFound'),
      deviceImageId: null,
    });
  });

  it('checks a pending upload again later, each check further out up to the maximum', () => {
    const pending = deviceImage({ status: 'pending' });
    expect(settleUpload(check({ check: 0 }), pending, CONFIG, NOW)).toEqual({ kind: 'check-later', check: 1, delaySeconds: 120 });
    expect(settleUpload(check({ check: 3 }), pending, CONFIG, NOW)).toEqual({ kind: 'check-later', check: 4, delaySeconds: 900 });
  });

  it('checks an upload of a status it does not know (unknown) again later, like a pending one', () => {
    expect(settleUpload(check({ check: 1 }), deviceImage({ status: 'unknown' }), CONFIG, NOW)).toEqual({
      kind: 'check-later',
      check: 2,
      delaySeconds: 240,
    });
  });

  it('fails an upload still not done after IMAGE_SYNC_UPLOAD_TIMEOUT_HOURS (exactly counts), whatever its status', () => {
    const pending = deviceImage({ status: 'pending' });
    expect(settleUpload(check({ since: hoursAgo(6) }), pending, CONFIG, NOW)).toEqual({
      kind: 'fail',
      errorCode: 'uploadTimedOut',
      reason: `still pending after 6 hours. ${remediationFor('uploadTimedOut')}`,
      deviceImageId: image.id,
    });
    expect(settleUpload(check({ since: hoursAgo(7) }), deviceImage({ status: 'unknown' }), CONFIG, NOW)).toMatchObject({
      kind: 'fail',
      errorCode: 'uploadTimedOut',
      reason: expect.stringContaining('still unknown after 6 hours') as unknown,
    });
    expect(settleUpload(check({ since: hoursAgo(5.9) }), pending, CONFIG, NOW)).toMatchObject({ kind: 'check-later' });
  });

  it('decides a failed or ready upload before its timeout: a late answer still counts', () => {
    expect(settleUpload(check({ since: hoursAgo(10) }), image, CONFIG, NOW)).toMatchObject({ kind: 'ready' });
    expect(settleUpload(check({ since: hoursAgo(10) }), failedWith('internalServerError'), CONFIG, NOW)).toMatchObject({
      kind: 'retry-upload',
    });
  });
});
