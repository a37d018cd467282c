import { describe, expect, it } from 'vitest';
import type { ProvisioningPolicy } from '../../../src/domain';
import { planRollout, previewRollout, rolloutTargets } from '../../../src/rules/planRollout';
import { ledgerRow } from '../../fixtures/ledgerRow';
import { sourceImage } from '../../fixtures/sourceImage';

const IMAGE = 'a4d1c7e2-3b8f-4e61-9c0a-5f2e8d7b6a01';
const policy = (overrides: Partial<ProvisioningPolicy> & { displayName: string }): ProvisioningPolicy => ({
  id: `policy-${overrides.displayName.toLowerCase().replace(/\s+/g, '-')}`,
  imageId: 'older-image',
  imageDisplayName: 'win11-ent',
  imageType: 'custom',
  ...overrides,
});
const engineering = policy({ displayName: 'Engineering' });
const sales = policy({ displayName: 'Sales', id: '0f3a9c1e-6b2d-4e8f-a1c7-93d5e2b4f680' });
const kiosk = policy({ displayName: 'Kiosk', imageType: 'gallery', imageId: 'microsoftwindowsdesktop_windows-ent-cpc_win11-24h2-ent-cpc' });

describe('rolloutTargets', () => {
  it('reads display names and ids separated by ;, trimmed, without blanks or repeats in any casing', () => {
    expect(
      rolloutTargets(
        sourceImage({
          tags: { 'CloudPC-Provisioning-Policies': ' Engineering ;;sales; ENGINEERING ; 0f3a9c1e-6b2d-4e8f-a1c7-93d5e2b4f680 ' },
        }),
      ),
    ).toEqual(['Engineering', 'sales', '0f3a9c1e-6b2d-4e8f-a1c7-93d5e2b4f680']);
    expect(rolloutTargets(sourceImage({ tags: {} }))).toEqual([]);
  });
});

describe('planRollout', () => {
  it('points each named custom-image policy at a ready version, matching names case-insensitively and ids', () => {
    const row = ledgerRow({ rolloutPolicies: ['engineering', '0F3A9C1E-6B2D-4E8F-A1C7-93D5E2B4F680'] });
    const steps = planRollout([row], [engineering, sales, kiosk]);
    expect(steps.map((step) => [step.kind, step.target, 'policy' in step ? step.policy?.displayName : null])).toEqual([
      ['point', 'engineering', 'Engineering'],
      ['point', '0F3A9C1E-6B2D-4E8F-A1C7-93D5E2B4F680', 'Sales'],
    ]);
  });

  it('records a name matching no policy and a gallery-image policy as problems, and a policy on the image already as in use', () => {
    const row = ledgerRow({ rolloutPolicies: ['Missing', 'Kiosk', 'Engineering'] });
    const steps = planRollout([row], [policy({ displayName: 'Engineering', imageId: IMAGE.toUpperCase() }), kiosk]);
    expect(steps.map((step) => [step.kind, step.target, step.kind === 'record' ? step.outcome : null])).toEqual([
      ['record', 'Missing', 'no-such-policy'],
      ['record', 'Kiosk', 'gallery-image'],
      ['in-use', 'Engineering', null],
    ]);
  });

  it('plans nothing for a target done once, even when the policy was moved since (rolled back, or by hand)', () => {
    const row = ledgerRow({
      rolloutPolicies: ['Engineering'],
      rollouts: [{ target: 'Engineering', policyId: engineering.id, outcome: 'rolled-out', at: '2026-11-20T10:00:00Z' }],
    });
    expect(planRollout([row], [engineering])).toEqual([]);
  });

  it('keys a done target by its policy id, not the tag wording: renamed, named by id, or in other casing, it is not planned again', () => {
    const rolledBack = ledgerRow({
      rolloutPolicies: [engineering.id.toUpperCase(), 'ENGINEERING renamed', 'Sales'],
      rollouts: [
        { target: 'Engineering', policyId: engineering.id, outcome: 'rolled-out', at: '2026-11-20T10:00:00Z' },
        { target: 'Sales', policyId: sales.id, outcome: 'rolled-back', at: '2026-11-21T10:00:00Z' },
      ],
    });
    expect(planRollout([rolledBack], [{ ...engineering, displayName: 'Engineering Renamed' }, sales])).toEqual([]);
    // The same target that named no policy is a different subject: it is planned when the policy appears.
    const missing = ledgerRow({
      rolloutPolicies: ['Engineering'],
      rollouts: [{ target: 'Engineering', policyId: null, outcome: 'no-such-policy', at: '2026-11-20T10:00:00Z' }],
    });
    expect(planRollout([missing], [engineering]).map((step) => step.kind)).toEqual(['point']);
  });

  it('plans one step for a policy the tag names twice (by name and by id)', () => {
    const row = ledgerRow({ rolloutPolicies: ['Sales', sales.id, 'sales'] });
    expect(planRollout([row], [sales]).map((step) => [step.kind, step.target])).toEqual([['point', 'Sales']]);
  });

  it('plans a problem again (fixing the name, the policy or the permission finishes it), but records the same problem only once', () => {
    const missing = ledgerRow({
      rolloutPolicies: ['Missing'],
      rollouts: [{ target: 'Missing', policyId: null, outcome: 'no-such-policy', at: '2026-11-20T10:00:00Z' }],
    });
    expect(planRollout([missing], [engineering])).toEqual([]);
    expect(planRollout([missing], [policy({ displayName: 'Missing' })]).map((step) => step.kind)).toEqual(['point']);
    const refused = ledgerRow({
      rolloutPolicies: ['Engineering'],
      rollouts: [{ target: 'Engineering', policyId: engineering.id, outcome: 'refused', at: '2026-11-20T10:00:00Z' }],
    });
    expect(planRollout([refused], [engineering]).map((step) => step.kind)).toEqual(['point']);
  });

  it('rolls out only the newest ready version of a source: an older one ready late is superseded', () => {
    const newer = ledgerRow({ version: '1.3.0', deviceImageId: 'newer-image', rolloutPolicies: ['Engineering'] });
    const older = ledgerRow({ version: '1.2.0', rolloutPolicies: ['Engineering'] });
    const steps = planRollout([older, newer], [engineering]);
    expect(steps.map((step) => [step.row.version, step.kind, step.kind === 'record' ? step.outcome : null])).toEqual([
      ['1.2.0', 'record', 'superseded'],
      ['1.3.0', 'point', null],
    ]);
  });

  it('waits for ready: a pending version rolls out nothing yet', () => {
    expect(planRollout([ledgerRow({ state: 'pending', rolloutPolicies: ['Engineering'] })], [engineering])).toEqual([]);
  });
});

describe('previewRollout', () => {
  const tagged = sourceImage({ tags: { 'cloudpc-sync': 'true', 'cloudpc-provisioning-policies': 'Engineering;Missing;Kiosk' } });
  const planned = [{ image: tagged, displayName: 'win11-ent', version: '1.2.0' }];

  it('says the tag changes nothing while IMAGE_SYNC_ROLLOUT is off', () => {
    expect(previewRollout(planned, [], [engineering], false).map((entry) => [entry.target, entry.outcome])).toEqual([
      ['Engineering', 'off'],
      ['Missing', 'off'],
      ['Kiosk', 'off'],
    ]);
  });

  it('says what each target will do once the version is ready, and what was done', () => {
    expect(previewRollout(planned, [], [engineering, kiosk], true).map((entry) => [entry.target, entry.outcome])).toEqual([
      ['Engineering', 'when-ready'],
      ['Missing', 'no-such-policy'],
      ['Kiosk', 'gallery-image'],
    ]);
    const done = ledgerRow({
      sourceImageResourceId: tagged.id,
      rollouts: [{ target: 'Engineering', policyId: engineering.id, outcome: 'rolled-out', at: '2026-11-20T10:00:00Z' }],
    });
    expect(previewRollout(planned, [done], [engineering], true)[0]).toMatchObject({
      target: 'Engineering',
      policyId: engineering.id,
      outcome: 'rolled-out',
    });
  });

  it('says which ring of the tag each target is in', () => {
    const ringed = sourceImage({ tags: { 'cloudpc-sync': 'true', 'cloudpc-provisioning-policies': 'Engineering > Missing; Kiosk' } });
    const preview = previewRollout([{ image: ringed, displayName: 'win11-ent', version: '1.2.0' }], [], [engineering, kiosk], true);
    expect(preview.map((entry) => [entry.target, entry.ring, entry.rings])).toEqual([
      ['Engineering', 1, 2],
      ['Missing', 2, 2],
      ['Kiosk', 2, 2],
    ]);
    expect(previewRollout(planned, [], [engineering], true)[0]).toMatchObject({ ring: 1, rings: 1 });
  });
});
