import { describe, expect, it } from 'vitest';
import type { PolicyRollout, ProvisioningPolicy } from '../../../src/domain';
import { decidePatch, isBeingChanged, rolledBackFrom, wasRolledBackFrom } from '../../../src/rules/policyPatch';

const VERSION_IMAGE = 'a4d1c7e2-3b8f-4e61-9c0a-5f2e8d7b6a01';
const EARLIER_IMAGE = 'c1c1c1c1-0000-4000-8000-000000000001';
const HAND_PICKED = 'c1c1c1c1-0000-4000-8000-000000000002';
const fresh = (overrides: Partial<ProvisioningPolicy> = {}): ProvisioningPolicy => ({
  id: 'policy-engineering',
  displayName: 'Engineering',
  imageId: HAND_PICKED,
  imageDisplayName: 'win11-hand',
  imageType: 'custom',
  ...overrides,
});
const record = (overrides: Partial<PolicyRollout>): Pick<PolicyRollout, 'state' | 'deviceImageId' | 'rolledBackFrom'> => ({
  state: 'rolled-out',
  deviceImageId: VERSION_IMAGE,
  rolledBackFrom: [],
  ...overrides,
});

describe('decidePatch: what the read right before a PATCH allows', () => {
  it('patches a custom-image policy on another image, recording what the read returned as the image to restore', () => {
    expect(decidePatch(VERSION_IMAGE, fresh())).toEqual({ kind: 'patch', previous: fresh() });
  });

  it('sends nothing to a policy gone (404), switched to a gallery image, or on the version already (any casing)', () => {
    expect(decidePatch(VERSION_IMAGE, null)).toEqual({ kind: 'skip', outcome: 'no-such-policy' });
    expect(decidePatch(VERSION_IMAGE, fresh({ imageType: 'gallery', imageId: 'microsoftwindowsdesktop_windows-ent-cpc' }))).toEqual({
      kind: 'skip',
      outcome: 'gallery-image',
    });
    expect(decidePatch(VERSION_IMAGE, fresh({ imageType: 'unknownFutureValue' }))).toMatchObject({ outcome: 'gallery-image' });
    expect(decidePatch(VERSION_IMAGE, fresh({ imageId: VERSION_IMAGE.toUpperCase() }))).toMatchObject({ kind: 'in-use' });
  });
});

describe('rolledBackFrom: the versions the app never points a policy at again', () => {
  it("is the row's image when the row is rolled back, plus the rollbacks carried over from earlier rows", () => {
    expect(rolledBackFrom(null)).toEqual([]);
    expect(rolledBackFrom(record({}))).toEqual([]);
    expect(rolledBackFrom(record({ state: 'rolled-back' }))).toEqual([VERSION_IMAGE]);
    // Marked before the rollback's PATCH: it counts at once.
    expect(rolledBackFrom(record({ state: 'rolling-back' }))).toEqual([VERSION_IMAGE]);
    expect(rolledBackFrom(record({ state: 'pointing' }))).toEqual([]);
    // A newer version rolled out since: the earlier rollback still counts.
    const later = record({ state: 'rolled-out', deviceImageId: 'newer-image', rolledBackFrom: [EARLIER_IMAGE.toUpperCase()] });
    expect(rolledBackFrom(later)).toEqual([EARLIER_IMAGE]);
    expect(wasRolledBackFrom(later, EARLIER_IMAGE)).toBe(true);
    expect(wasRolledBackFrom(later, 'newer-image')).toBe(false);
    expect(rolledBackFrom(record({ state: 'rolled-back', rolledBackFrom: [VERSION_IMAGE] }))).toEqual([VERSION_IMAGE]);
  });
});

describe('isBeingChanged: another worker PATCHes the policy now', () => {
  const now = new Date('2026-12-06T10:00:00Z');
  const at = (secondsAgo: number) => new Date(now.getTime() - secondsAgo * 1000).toISOString();

  it("holds a rollout back while a rollout's pointing or a rollback's rolling-back row is younger than the lease", () => {
    expect(isBeingChanged({ state: 'pointing', updatedAt: at(10) }, now, 60_000)).toBe(true);
    expect(isBeingChanged({ state: 'rolling-back', updatedAt: at(10) }, now, 60_000)).toBe(true);
    expect(isBeingChanged({ state: 'rolling-back', updatedAt: at(61) }, now, 60_000)).toBe(false);
    expect(isBeingChanged({ state: 'rolled-out', updatedAt: at(1) }, now, 60_000)).toBe(false);
    expect(isBeingChanged({ state: 'rolled-back', updatedAt: at(1) }, now, 60_000)).toBe(false);
    expect(isBeingChanged(null, now, 60_000)).toBe(false);
  });
});
