import { describe, expect, it } from 'vitest';
import { isTransientUploadError, remediationFor } from '../../../src/alerts/remediation';

/** Every code of the errorCode table in shared/api/graph-deviceimages.md, with a word its hint must carry. */
const GRAPH_CODES: readonly (readonly [string, RegExp])[] = [
  ['internalServerError', /support case/],
  ['sourceImageNotFound', /Reader/],
  ['osVersionNotSupported', /Enterprise/],
  ['sourceImageInvalid', /Generation 2/],
  ['sourceImageNotGeneralized', /sysprep/],
  ['vmAlreadyAzureAdJoined', /clean VM/],
  ['paidSourceImageNotSupport', /paid plan/],
  ['sourceImageNotSupportCustomizeVMName', /VM-name customisation/],
  ['sourceImageSizeExceedsLimitation', /64 GB/],
];

const APP_CODES: readonly (readonly [string, RegExp])[] = [
  ['uploadTimedOut', /IMAGE_SYNC_UPLOAD_TIMEOUT_HOURS/],
  ['createRejected', /refused/],
  ['poisonMessage', /every delivery/],
  ['invalidMessage', /not in the expected shape/],
  ['subscription-unreadable', /Reader on the subscription/],
  ['image-unreadable', /Reader/],
  ['graph-forbidden', /CloudPC\.ReadWrite\.All/],
];

describe('remediationFor', () => {
  it.each([...GRAPH_CODES, ...APP_CODES])('has a specific hint for %s', (code, expected) => {
    const hint = remediationFor(code);
    expect(hint).toMatch(expected);
    expect(hint).not.toContain('no specific advice');
  });

  it('gives every known code its own hint', () => {
    const hints = [...GRAPH_CODES, ...APP_CODES].map(([code]) => remediationFor(code));
    expect(new Set(hints).size).toBe(hints.length);
  });

  it('compares codes case-insensitively: the Entra code arrives as vmAlreadyAzureAdjoined', () => {
    expect(remediationFor('vmAlreadyAzureAdjoined')).toBe(remediationFor('vmAlreadyAzureAdJoined'));
    expect(remediationFor('SOURCEIMAGENOTFOUND')).toBe(remediationFor('sourceImageNotFound'));
    expect(remediationFor(' internalservererror ')).toBe(remediationFor('internalServerError'));
  });

  it('reads problem kinds and ledger codes alike (poison-message is poisonMessage)', () => {
    expect(remediationFor('poison-message')).toBe(remediationFor('poisonMessage'));
    expect(remediationFor('invalid-message')).toBe(remediationFor('invalidMessage'));
    expect(remediationFor('subscriptionUnreadable')).toBe(remediationFor('subscription-unreadable'));
  });

  it('gives a generic hint for an unknown code, naming the code exactly as received', () => {
    const hint = remediationFor('sourceImageHasDataDisks_Beta');
    expect(hint).toContain('"sourceImageHasDataDisks_Beta"');
    expect(hint).toContain('no specific advice');
    expect(remediationFor('')).toContain('""');
  });

  it('has a hint for unknownFutureValue (an evolvable enum Graph could not name)', () => {
    expect(remediationFor('unknownFutureValue')).toMatch(/cannot read/);
  });
});

describe('isTransientUploadError', () => {
  it('takes internalServerError, in any casing, as transient', () => {
    expect(isTransientUploadError('internalServerError')).toBe(true);
    expect(isTransientUploadError('InternalServerError')).toBe(true);
  });

  it('takes every other code, known or unknown, and no code at all as permanent', () => {
    for (const [code] of [...GRAPH_CODES.filter(([name]) => name !== 'internalServerError'), ...APP_CODES]) {
      expect(isTransientUploadError(code), code).toBe(false);
    }
    expect(isTransientUploadError('serviceUnavailable')).toBe(false);
    expect(isTransientUploadError(null)).toBe(false);
  });
});
