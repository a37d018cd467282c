import { describe, expect, it } from 'vitest';
import type { ImageScope } from '../../../src/config';
import { type Plan, type PlanInput, plan } from '../../../src/rules/plan';
import { gallerySourceImage } from '../../fixtures/gallerySourceImage';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const optIn: ImageScope = { kind: 'tag', name: 'cloudpc-sync', value: 'true' };
const STAGING = '/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-cloudpc-staging';

function planFor(input: Partial<PlanInput>): Plan {
  return plan({
    sourceImages: [gallerySourceImage()],
    deviceImages: [],
    ledger: [],
    scope: optIn,
    trigger: 'reconcile',
    now: NOW,
    staleAfterMs: 15 * 60_000,
    capacity: null,
    visibleToWindows365: null,
    policies: null,
    expiryWarningDays: 30,
    ...input,
  });
}

describe('plan: gallery versions (DESIGN §17)', () => {
  it('skips gallery-region when copy mode stages in a region the version is not replicated to, naming both', () => {
    const planned = planFor({ galleryCopy: { stagingResourceGroup: STAGING, stagingRegion: 'eastus' } });
    expect(planned.actions).toHaveLength(1);
    const [action] = planned.actions;
    expect(action).toMatchObject({ kind: 'skip', reason: 'gallery-region' });
    expect(action?.kind === 'skip' && action.fix).toContain('eastus');
    expect(action?.kind === 'skip' && action.fix).toContain(STAGING);
  });

  it('registers a version replicated to the staging region, with sourceKind on the job', () => {
    const planned = planFor({ galleryCopy: { stagingResourceGroup: STAGING, stagingRegion: 'northeurope' } });
    expect(planned.actions).toEqual([
      expect.objectContaining({ kind: 'register', job: expect.objectContaining({ sourceKind: 'galleryImageVersion', version: '1.4.0' }) }),
    ]);
  });

  it('does not ask getSourceImages about a gallery version in copy mode, but does in direct mode', () => {
    const invisible = new Set<string>();
    const copy = planFor({ galleryCopy: { stagingResourceGroup: STAGING, stagingRegion: 'westeurope' }, visibleToWindows365: invisible });
    expect(copy.actions[0]).toMatchObject({ kind: 'register' });
    const direct = planFor({ visibleToWindows365: invisible });
    expect(direct.actions[0]).toMatchObject({ kind: 'skip', reason: 'not-visible-to-windows365' });
  });
});
