// `image-sync sync` advances rings once before it exits (DESIGN §18) and never waits out a soak:
// the local runner over the real queues and table, the emulator on real time.
import { describe, expect, it } from 'vitest';
import type { StatusCheck } from '../../../src/domain';
import { pollImageStatus } from '../../../src/handlers/pollImageStatus';
import { reconcile } from '../../../src/handlers/reconcile';
import { handleRegisterMessage } from '../../../src/handlers/registerImage';
import { drainQueueForTest, testApp, testAppSettings } from '../../support/appDeps';
import { useEmulator } from '../../support/emulator';
import { syncLocally } from '../lifecycle/localSync';
import { BASELINE, SUB, deviceImageIdOf, ringEstate } from './ringFixture';

const fixture = useEmulator(() =>
  ringEstate([
    { group: 'rg-sync', tag: 'Sync Pilot > Sync Broad', policies: ['Sync Pilot', 'Sync Broad'] },
    { group: 'rg-soak', tag: 'Soak Pilot > Soak Broad', policies: ['Soak Pilot', 'Soak Broad'] },
    { group: 'rg-twice', tag: 'Twice Pilot > Twice Broad', policies: ['Twice Pilot', 'Twice Broad'], uploaded: false },
  ]),
);
const policy = (name: string) => fixture.emulator.provisioningPolicies().find((candidate) => candidate.displayName === name);
const app = (group: string, soakHours: string) =>
  testApp(
    testAppSettings(fixture.emulator, {
      IMAGE_SYNC_SUBSCRIPTION_IDS: SUB,
      IMAGE_SYNC_RESOURCE_GROUPS: group,
      IMAGE_SYNC_ROLLOUT: 'true',
      IMAGE_SYNC_RING_SOAK_HOURS: soakHours,
    }),
  );

describe('sync and rings', () => {
  it('judges the rings once before it exits: a pilot whose soak is over is promoted in the same run', async () => {
    const result = await syncLocally(app('rg-sync', '0'));
    expect(result.ending).toBe('settled');
    expect(policy('Sync Pilot')).toMatchObject({ imageId: deviceImageIdOf(0), updates: 1 });
    expect(policy('Sync Broad')).toMatchObject({ imageId: deviceImageIdOf(0), updates: 1 });
  });

  it('never waits out a soak: it ends with the pilot soaking and the next ring untouched', async () => {
    const started = Date.now();
    const soaking = app('rg-soak', '24');
    expect((await syncLocally(soaking)).ending).toBe('settled');
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(policy('Soak Pilot')).toMatchObject({ imageId: deviceImageIdOf(1), updates: 1 });
    expect(policy('Soak Broad')).toMatchObject({ imageId: BASELINE, updates: 0 });
    expect(await soaking.deps.rings.list()).toEqual([expect.objectContaining({ state: 'soaking', ring: 1 })]);
  });

  it('starts one rollout and patches the pilot once when the ready status check is delivered twice while a reconcile runs', async () => {
    const twice = app('rg-twice', '24');
    await reconcile(twice.deps);
    for (const job of await drainQueueForTest(twice, twice.config.registerQueue))
      await handleRegisterMessage(twice.deps, job, { messageId: null });
    const [check] = (await drainQueueForTest(twice, twice.config.statusQueue, 2_000)) as StatusCheck[];
    if (check === undefined) throw new Error('no status check queued');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await Promise.all([pollImageStatus(twice.deps, check), pollImageStatus(twice.deps, check), reconcile(twice.deps)]);
    const uploaded = fixture.emulator.deviceImages().find((image) => image.displayName === 'Rings rg-twice');
    expect(policy('Twice Pilot')).toMatchObject({ imageId: uploaded?.id, updates: 1 });
    expect(policy('Twice Broad')).toMatchObject({ imageId: BASELINE, updates: 0 });
    expect(await twice.deps.rings.list()).toEqual([expect.objectContaining({ state: 'soaking', ring: 1 })]);
  });
});
