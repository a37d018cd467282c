import { describe, expect, it } from 'vitest';
import { isTransientUploadError, remediationFor } from '../../../src/rules/remediation';
import { UNREADABLE_ANSWER } from '../../../src/errors';

/** Every code of the errorCode table in shared/api/graph-deviceimages.md, with a word its hint must carry. */
const GRAPH_CODES: readonly (readonly [string, RegExp])[] = [
  ['internalServerError', /support case/],
  ['sourceImageNotFound', /Reader/],
  ['osVersionNotSupported', /Enterprise/],
  ['sourceImageInvalid', /single-session/],
  ['sourceImageNotGeneralized', /sysprep/],
  ['vmAlreadyAzureAdJoined', /clean VM/],
  ['paidSourceImageNotSupport', /paid plan/],
  ['sourceImageNotSupportCustomizeVMName', /VM-name customisation/],
  ['sourceImageSizeExceedsLimitation', /64 GB/],
  ['sourceImageWithDataDiskNotSupported', /detach the data disks/],
  ['sourceImageWithDiskEncryptionSetNotSupported', /without a disk encryption set/],
];

const APP_CODES: readonly (readonly [string, RegExp])[] = [
  ['uploadTimedOut', /IMAGE_SYNC_UPLOAD_TIMEOUT_HOURS/],
  ['createRejected', /refused/],
  ['poisonMessage', /every delivery/],
  ['invalidMessage', /not in the expected shape/],
  ['subscription-unreadable', /Reader on the subscription/],
  ['image-unreadable', /Reader/],
  ['graph-forbidden', /CloudPC\.ReadWrite\.All/],
  ['deviceImageNotFound', /Intune admin center/],
  ['UnreadableGraphAnswer', /not a network failure/],
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

  it('compares the beta codes case-insensitively too', () => {
    expect(remediationFor('SOURCEIMAGEWITHDATADISKNOTSUPPORTED')).toBe(remediationFor('sourceImageWithDataDiskNotSupported'));
    expect(remediationFor('sourceimagewithdiskencryptionsetnotsupported')).toBe(
      remediationFor('sourceImageWithDiskEncryptionSetNotSupported'),
    );
    expect(remediationFor('DeviceImageNotFound')).toBe(remediationFor('deviceImageNotFound'));
  });

  it('has a hint for unknownFutureValue (an evolvable enum Graph could not name)', () => {
    expect(remediationFor('unknownFutureValue')).toMatch(/cannot read/);
  });
});

/** Requirements the app checks from ARM before it posts: a hint for an upload failure must not send the administrator back to them. */
const CHECKED_BEFORE_POSTING = [/Generation 2/i, /Gen ?2/, /hyperVGeneration/i, /no data disks/i, /generali[sz]ed/i, /disk encryption/i];

describe('remediationFor the failures ARM cannot show', () => {
  it('names every check of sourceImageInvalid that ARM cannot show', () => {
    const hint = remediationFor('sourceImageInvalid');
    expect(hint).toMatch(/single-session/);
    expect(hint).toMatch(/multi-session editions are refused/);
    expect(hint).toMatch(/no recovery partition/);
    expect(hint).toMatch(/no FSLogix components/);
    expect(hint).toMatch(/at most 3,000 Start-menu apps/);
    expect(hint).toMatch(/never joined to a domain or Entra ID nor enrolled in Intune/);
    expect(hint).toMatch(/Windows 10\/11 Enterprise on a supported release \(not N, not LTSC\)/);
  });

  it.each(['sourceImageInvalid', 'osVersionNotSupported'])('does not send %s back to the checks the app made before posting', (code) => {
    const hint = remediationFor(code);
    for (const checked of CHECKED_BEFORE_POSTING) expect(hint, String(checked)).not.toMatch(checked);
  });

  it('tells osVersionNotSupported to use a single-session Windows 10/11 Enterprise on a supported release, not N, not LTSC', () => {
    const hint = remediationFor('osVersionNotSupported');
    expect(hint).toMatch(/Windows 10 or 11 Enterprise on a supported release/);
    expect(hint).toMatch(/not an N or LTSC edition/);
    expect(hint).toMatch(/not a multi-session edition \(single-session only\)/);
  });

  it('does not name the checks already passed in the generic hint for an unknown code either', () => {
    const hint = remediationFor('sourceImageHasRecoveryPartition');
    for (const checked of CHECKED_BEFORE_POSTING) expect(hint, String(checked)).not.toMatch(checked);
    expect(hint).toMatch(/recovery partition/);
    expect(hint).toMatch(/3,000 Start-menu apps/);
  });

  it('tells a data-disk failure (beta code) to detach the data disks, capture again and register', () => {
    const hint = remediationFor('sourceImageWithDataDiskNotSupported');
    expect(hint).toMatch(/detach the data disks/);
    expect(hint).toMatch(/capture the image again/);
    expect(hint).toMatch(/image-sync register/);
  });

  it('tells a disk-encryption-set failure (beta code) to capture from an OS disk without one', () => {
    const hint = remediationFor('sourceImageWithDiskEncryptionSetNotSupported');
    expect(hint).toMatch(/OS disk without a disk encryption set/);
    expect(hint).toMatch(/image-sync register/);
  });

  it('tells a device image deleted during its upload (deviceImageNotFound) how to upload it again or let it go', () => {
    const hint = remediationFor('deviceImageNotFound');
    expect(hint).toMatch(/deleted from Windows 365/);
    expect(hint).toMatch(/Intune admin center/);
    expect(hint).toMatch(/run image-sync register/);
    expect(hint).toMatch(/remove the cloudpc-sync tag/);
    expect(hint).toMatch(/next reconcile/);
  });

  it('takes the beta codes and deviceImageNotFound as permanent', () => {
    for (const code of ['sourceImageWithDataDiskNotSupported', 'sourceImageWithDiskEncryptionSetNotSupported', 'deviceImageNotFound'])
      expect(isTransientUploadError(code), code).toBe(false);
  });

  it('has a hint for the code of a Graph answer that cannot be read, as the Graph client gives it', () => {
    expect(remediationFor(UNREADABLE_ANSWER)).toBe(remediationFor('unreadableGraphAnswer'));
    expect(remediationFor(UNREADABLE_ANSWER)).toMatch(/proxy or gateway/);
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
