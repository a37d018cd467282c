// Ring rollouts when things go another way (DESIGN §18, issue 23): a rollback during the soak, a
// newer version mid-rollout, concurrent reconciles at a promotion, a Cloud PC list that fails or is
// throttled, and bad ring tags, through the real handlers, Azurite and the emulator on a moved clock.
import { describe, expect, it } from 'vitest';
import { reconcile } from '../../../src/handlers/reconcile';
import { rollBack } from '../../../src/handlers/rollBack';
import { BASELINE, HOUR_MS, deviceImageIdOf, imageIn, tagsOf, useRingTenant } from './ringFixture';

const tenant = useRingTenant([
  { group: 'rg-back', tag: 'Back Pilot > Back Broad', policies: ['Back Pilot', 'Back Broad'] },
  { group: 'rg-newer', tag: 'New Pilot > New Broad', policies: ['New Pilot', 'New Broad'] },
  { group: 'rg-race', tag: 'Race Pilot > Race Broad', policies: ['Race Pilot', 'Race Broad'] },
  { group: 'rg-down', tag: 'Down Pilot > Down Broad', policies: ['Down Pilot', 'Down Broad'] },
  { group: 'rg-empty', tag: 'Empty Pilot >> Empty Broad', policies: ['Empty Pilot', 'Empty Broad'] },
  { group: 'rg-twice', tag: 'Twice Pilot > Twice Broad; twice pilot', policies: ['Twice Pilot', 'Twice Broad'] },
  { group: 'rg-gallery', tag: 'Gallery Pilot; Gal Custom > Gal Broad', policies: ['Gallery Pilot', 'Gal Custom', 'Gal Broad'] },
  { group: 'rg-share-a', tag: 'Shared Pilot > Share Broad', policies: ['Shared Pilot', 'Share Broad'] },
  { group: 'rg-share-b', tag: 'Shared Pilot', policies: [] },
  { group: 'rg-half', tag: 'Half A; Half B > Half Broad', policies: ['Half A', 'Half B', 'Half Broad'] },
]);

describe('ring rollouts, safety', () => {
  it('stops at the ring when an administrator rolls a pilot policy back during the soak: later rings never get the version', async () => {
    const app = tenant.app('rg-back');
    await reconcile(app.deps);
    expect(tenant.policy('Back Pilot')).toMatchObject({ imageId: deviceImageIdOf(0), updates: 1 });
    expect(await rollBack(app.deps, 'Back Pilot')).toMatchObject({ outcome: 'rolled-back', to: { imageId: BASELINE } });
    expect((await app.deps.rings.list())[0]).toMatchObject({ state: 'rolled-back', ring: 1 });
    tenant.clock.advance(2 * HOUR_MS);
    await reconcile(app.deps);
    expect(tenant.policy('Back Broad')).toMatchObject({ imageId: BASELINE, updates: 0 });
    expect(tenant.policy('Back Pilot')).toMatchObject({ imageId: BASELINE, updates: 2 });
  });

  it('supersedes an unfinished rollout with a newer version of the same display name, which starts over at ring 1', async () => {
    const app = tenant.app('rg-newer');
    await reconcile(app.deps);
    tenant.clock.advance(HOUR_MS + 1000);
    await reconcile(app.deps);
    // 1.0.0 reached ring 2 (both policies); now 2.0.0 is built and uploaded.
    expect(tenant.policy('New Broad')).toMatchObject({ imageId: deviceImageIdOf(1), updates: 1 });
    const newer = 'c0c0c0c0-0000-4000-8000-0000010000a2';
    tenant.fixture.emulator.rebuildManagedImage(imageIn('rg-newer'), {
      build: 'build-2',
      tags: tagsOf({ group: 'rg-newer', tag: 'New Pilot > New Broad', version: '2.0.0' }),
    });
    tenant.fixture.emulator.putDeviceImage({
      id: newer,
      displayName: 'Rings rg-newer',
      version: '2.0.0',
      sourceImageResourceId: imageIn('rg-newer'),
    });
    await reconcile(app.deps);
    const rollouts = await app.deps.rings.list();
    expect(rollouts.map((rollout) => [rollout.version, rollout.state, rollout.ring]).sort()).toEqual([
      ['1.0.0', 'superseded', 2],
      ['2.0.0', 'soaking', 1],
    ]);
    expect(tenant.policy('New Pilot')).toMatchObject({ imageId: newer, updates: 2 });
    // Ring 2 keeps what it has until the newer version's pilot has soaked.
    expect(tenant.policy('New Broad')).toMatchObject({ imageId: deviceImageIdOf(1), updates: 1 });
    tenant.clock.advance(HOUR_MS + 1000);
    await reconcile(app.deps);
    expect(tenant.policy('New Broad')).toMatchObject({ imageId: newer, updates: 2 });
  });

  it('patches the next ring once when reconciles meet at the promotion', async () => {
    const app = tenant.app('rg-race');
    const other = tenant.app('rg-race', { IMAGE_SYNC_TABLE: app.config.table });
    await reconcile(app.deps);
    tenant.clock.advance(HOUR_MS + 1000);
    await Promise.all([reconcile(app.deps), reconcile(other.deps), reconcile(app.deps)]);
    await reconcile(other.deps);
    expect(tenant.policy('Race Broad')).toMatchObject({ imageId: deviceImageIdOf(2), updates: 1 });
    expect(tenant.policy('Race Pilot').updates).toBe(1);
    expect((await app.deps.rings.list())[0]).toMatchObject({ state: 'soaking', ring: 2 });
  });

  it('waits while the Cloud PC list fails or is throttled: it never promotes on missing evidence', async () => {
    const app = tenant.app('rg-down');
    await reconcile(app.deps);
    tenant.clock.advance(HOUR_MS + 1000);
    tenant.fixture.emulator.setFaults({ kinds: ['graph.cloudPcs.list'], refuse: { next: 1, status: 403 } });
    await reconcile(app.deps);
    expect(tenant.policy('Down Broad').updates).toBe(0);
    tenant.fixture.emulator.setFaults({ kinds: ['graph.cloudPcs.list'], throttle: { next: 10, retryAfterSeconds: 1 } });
    await reconcile(app.deps);
    expect(tenant.policy('Down Broad').updates).toBe(0);
    expect(app.lines.filter((line) => line.includes('RingGateDeferred')).length).toBe(2);
    tenant.fixture.emulator.setFaults();
    await reconcile(app.deps);
    expect(tenant.policy('Down Broad')).toMatchObject({ imageId: deviceImageIdOf(3), updates: 1 });
  }, 30_000);

  it.each([
    ['rg-empty', /ring 2 of the cloudpc-provisioning-policies tag names no provisioning policy .*give every ring at least one policy/],
    ['rg-twice', /provisioning policy "Twice Pilot" is in ring 1 and ring 2 .*name each policy in one ring only/],
  ])('refuses a bad ring tag (%s) as a problem with its fix and patches nothing', async (group, message) => {
    const app = tenant.app(group);
    const result = await reconcile(app.deps);
    expect(result.rollouts).toEqual([]);
    expect(await app.deps.ledger.listProblems()).toEqual([
      expect.objectContaining({ kind: 'rollout-ring-tag', detail: expect.stringMatching(message) }),
    ]);
    expect(await app.deps.rings.list()).toEqual([]);
    for (const policy of tenant.fixture.emulator
      .provisioningPolicies()
      .filter((candidate) => candidate.displayName.toLowerCase().startsWith(group.slice(3))))
      expect(policy.updates).toBe(0);
  });

  it('holds a ring that names a gallery-image policy: a problem with its fix, and the ring does not soak until it is fixed', async () => {
    const app = tenant.app('rg-gallery');
    await reconcile(app.deps);
    expect(tenant.policy('Gal Custom')).toMatchObject({ imageId: deviceImageIdOf(6), updates: 1 });
    expect(await app.deps.ledger.listProblems()).toEqual([
      expect.objectContaining({
        kind: 'rollout-gallery-image',
        detail: expect.stringMatching(
          /"Gallery Pilot" gives new Cloud PCs a gallery image.*remove it from the cloudpc-provisioning-policies tag/,
        ),
      }),
    ]);
    tenant.clock.advance(2 * HOUR_MS);
    await reconcile(app.deps);
    expect((await app.deps.rings.list())[0]).toMatchObject({ state: 'soaking', ring: 1, since: null });
    expect(tenant.policy('Gal Broad').updates).toBe(0);
  });

  it('holds back the rollout of another image that names a policy of a live rollout until that one ends', async () => {
    const app = tenant.app('rg-share-a,rg-share-b');
    const [imageA, imageB] = [deviceImageIdOf(7), deviceImageIdOf(8)];
    await reconcile(app.deps);
    expect(tenant.policy('Shared Pilot')).toMatchObject({ imageId: imageA, updates: 1 });
    expect((await app.deps.rings.list()).map((rollout) => rollout.displayName)).toEqual(['Rings rg-share-a']);
    expect(app.lines.some((line) => line.includes('RingRolloutWaiting') && line.includes('Rings rg-share-b'))).toBe(true);
    tenant.clock.advance(HOUR_MS + 1000);
    await reconcile(app.deps);
    expect(tenant.policy('Shared Pilot')).toMatchObject({ imageId: imageA, updates: 1 });
    tenant.clock.advance(HOUR_MS + 1000);
    await reconcile(app.deps);
    // A completed: B starts at its ring 1, which is the shared policy.
    expect(tenant.policy('Shared Pilot')).toMatchObject({ imageId: imageB, updates: 2 });
    expect((await app.deps.rings.list()).map((rollout) => [rollout.displayName, rollout.state]).sort()).toEqual([
      ['Rings rg-share-a', 'complete'],
      ['Rings rg-share-b', 'soaking'],
    ]);
  });

  it('halts on the failures it could read even when another policy of the ring could not be listed', async () => {
    const app = tenant.app('rg-half');
    await reconcile(app.deps);
    tenant.fixture.emulator.failCloudPcsOn(deviceImageIdOf(9));
    tenant.fixture.emulator.provisionCloudPcs(tenant.policy('Half B').id, 1, 60);
    tenant.clock.advance(2 * 60_000);
    // The first list of the gate (Half A's) is refused.
    tenant.fixture.emulator.setFaults({ kinds: ['graph.cloudPcs.list'], refuse: { next: 1, status: 403 } });
    try {
      await reconcile(app.deps);
    } finally {
      tenant.fixture.emulator.setFaults();
    }
    expect((await app.deps.rings.list())[0]).toMatchObject({ state: 'halted', failed: 1 });
    expect(tenant.policy('Half A')).toMatchObject({ imageId: BASELINE, updates: 2 });
    expect(tenant.policy('Half B')).toMatchObject({ imageId: BASELINE, updates: 2 });
    expect(tenant.policy('Half Broad').updates).toBe(0);
  });
});
