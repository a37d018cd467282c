import { describe, expect, it } from 'vitest';
import { isTransientUploadError, remediationFor } from '../../../src/rules/remediation';
import { ATTENTION_SKIP_REASONS } from '../../../src/domain';

const WINDOWS_365_APP_ID = '0af06dc6-e4b5-4f28-818e-e78e62d137a5';

describe('remediationFor lifecycle codes (DESIGN §13)', () => {
  it('tells a full tenant to delete unused images or turn retention on', () => {
    const hint = remediationFor('tenant-image-limit');
    expect(hint).toContain('IMAGE_SYNC_TENANT_IMAGE_LIMIT');
    expect(hint).toContain('delete unused custom images');
    expect(hint).toContain('IMAGE_SYNC_KEEP_VERSIONS');
  });

  it('tells an image Windows 365 cannot see to grant its service principal Reader on the subscription', () => {
    const hint = remediationFor('not-visible-to-windows365');
    expect(hint).toContain(WINDOWS_365_APP_ID);
    expect(hint).toMatch(/Reader on the image's subscription/);
  });

  it('tells a device image in use to move the provisioning policy off it first', () => {
    const hint = remediationFor('deviceImageInUse');
    expect(hint).toMatch(/provisioning policy/);
    expect(hint).toMatch(/image-sync prune/);
  });

  it('tells a failure after long transient errors which setting bounded the retries', () => {
    expect(remediationFor('transientFailure')).toContain('IMAGE_SYNC_TRANSIENT_RETRY_HOURS');
  });

  it('has a specific hint for every attention skip reason, as the alert raises it', () => {
    for (const reason of ATTENTION_SKIP_REASONS) expect(remediationFor(reason), reason).not.toContain('no specific advice');
  });

  it('reads each code in its skip-reason and camelCase spellings alike', () => {
    expect(remediationFor('tenantImageLimit')).toBe(remediationFor('tenant-image-limit'));
    expect(remediationFor('notVisibleToWindows365')).toBe(remediationFor('not-visible-to-windows365'));
    expect(remediationFor('device-image-in-use')).toBe(remediationFor('deviceImageInUse'));
  });

  it('gives each lifecycle code its own hint, distinct from the older codes', () => {
    const codes = [
      'tenant-image-limit',
      'not-visible-to-windows365',
      'deviceImageInUse',
      'transientFailure',
      'sourceImageNotFound',
      'createRejected',
      'subscription-unreadable',
    ];
    const hints = codes.map((code) => remediationFor(code));
    expect(new Set(hints).size).toBe(codes.length);
  });

  it('never takes a lifecycle code for a transient upload error', () => {
    for (const code of ['tenant-image-limit', 'not-visible-to-windows365', 'deviceImageInUse', 'transientFailure'])
      expect(isTransientUploadError(code), code).toBe(false);
  });
});

describe('remediationFor rollout rings (DESIGN §18)', () => {
  it('tells a halted rollout what the app did and what to do: a new version, and reprovision the failed Cloud PCs', () => {
    const hint = remediationFor('rollout-halted');
    expect(hint).toMatch(/rolled back to the image they used before and later rings never get this version/);
    expect(hint).toMatch(/publish a new version/);
    expect(hint).toMatch(/Reprovision/);
  });

  it('tells a bad ring tag how rings are written', () => {
    expect(remediationFor('rollout-ring-tag')).toMatch(/cloudpc-provisioning-policies .*"Pilot > Sales; Finance"/);
  });
});
