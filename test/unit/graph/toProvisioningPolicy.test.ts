import { describe, expect, it } from 'vitest';
import { toProvisioningPolicy } from '../../../src/graph/toProvisioningPolicy';

/** A cloudPcProvisioningPolicy body as Graph sends it, with a few of the properties the app does not read. */
function body(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: '1d164206-bf41-4fd2-8424-a3192d39ffff',
    displayName: 'Finance',
    description: 'Cloud PCs for finance',
    imageId: 'a1b2c3d4-0000-4000-8000-000000000001',
    imageDisplayName: 'win11-ent 1.2.0',
    imageType: 'custom',
    enableSingleSignOn: true,
    domainJoinConfigurations: [{ domainJoinType: 'azureADJoin' }],
    ...overrides,
  };
}

describe('toProvisioningPolicy', () => {
  it('reads the id, the name and the image the policy provisions', () => {
    expect(toProvisioningPolicy(body())).toEqual({
      id: '1d164206-bf41-4fd2-8424-a3192d39ffff',
      displayName: 'Finance',
      imageId: 'a1b2c3d4-0000-4000-8000-000000000001',
      imageDisplayName: 'win11-ent 1.2.0',
      imageType: 'custom',
    });
  });

  it('keeps a gallery policy and an image type it does not know, as received', () => {
    expect(
      toProvisioningPolicy(body({ imageType: 'gallery', imageId: 'microsoftwindowsdesktop_windows-ent-cpc_win11-24h2-ent-cpc' })).imageType,
    ).toBe('gallery');
    expect(toProvisioningPolicy(body({ imageType: 'unknownFutureValue' })).imageType).toBe('unknownFutureValue');
  });

  it('reads absent, null and empty image fields as null', () => {
    const { imageId: _imageId, imageType: _imageType, ...withoutThem } = body({ imageDisplayName: '' });
    expect(toProvisioningPolicy(withoutThem)).toMatchObject({ imageId: null, imageDisplayName: null, imageType: null });
    expect(toProvisioningPolicy(body({ imageId: null })).imageId).toBeNull();
  });

  it('refuses a policy without an id with a one-line error naming the field', () => {
    const { id: _id, ...withoutId } = body();
    expect(() => toProvisioningPolicy(withoutId)).toThrow(/^Graph returned a provisioning policy that cannot be read: id: [^\n]+$/);
    expect(() => toProvisioningPolicy(body({ id: '' }))).toThrow(/: id: /);
  });

  it('refuses a non-text displayName or imageId, naming the field', () => {
    expect(() => toProvisioningPolicy(body({ displayName: 7 }))).toThrow(/: displayName: /);
    expect(() => toProvisioningPolicy(body({ imageId: {} }))).toThrow(/: imageId: /);
  });

  it('refuses something that is not an object', () => {
    expect(() => toProvisioningPolicy('policy')).toThrow(/^Graph returned a provisioning policy that cannot be read: body: /);
    expect(() => toProvisioningPolicy(null)).toThrow(/: body: /);
  });
});
