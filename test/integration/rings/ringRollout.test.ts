// Rollout rings with a health gate (DESIGN §18, issue 23), through the real reconcile handler, the
// real table in Azurite and the emulator's Cloud PCs, on a clock the test moves (a soak of 1 hour
// passes in a line): promotion on evidence, a halt that rolls the ring back, the minimum, status.
import { describe, expect, it } from 'vitest';
import { buildStatusReport } from '../../../src/cli/statusReport';
import { reconcile } from '../../../src/handlers/reconcile';
import { BASELINE, HOUR_MS, deviceImageIdOf, useRingTenant } from './ringFixture';

const tenant = useRingTenant([
  { group: 'rg-clean', tag: 'Clean Pilot > Clean Sales; Clean Finance', policies: ['Clean Pilot', 'Clean Sales', 'Clean Finance'] },
  { group: 'rg-fail', tag: 'Fail Pilot > Fail Broad', policies: ['Fail Pilot', 'Fail Broad'] },
  { group: 'rg-min', tag: 'Min Pilot > Min Broad', policies: ['Min Pilot', 'Min Broad'] },
  { group: 'rg-one', tag: 'One Ring A; One Ring B', policies: ['One Ring A', 'One Ring B'] },
  { group: 'rg-outage', tag: 'Outage Pilot > Outage Broad', policies: ['Outage Pilot', 'Outage Broad'] },
]);
const listsOf = (policyId: string) =>
  tenant.fixture.emulator.requests.filter(
    (request) => request.kind === 'graph.cloudPcs.list' && decodeURIComponent(request.path).includes(policyId),
  ).length;

describe('ring rollouts', () => {
  it('rolls a clean version to the pilot, soaks, promotes on the evidence of new Cloud PCs only, and completes: one PATCH per policy', async () => {
    const app = tenant.app('rg-clean');
    const image = deviceImageIdOf(0);
    const pilot = tenant.policy('Clean Pilot');
    // A Cloud PC the pilot had before the rollout fails later (say, a resize): it is not evidence about the new image.
    const old = tenant.fixture.emulator.putCloudPc(pilot.id, 'failed');

    await reconcile(app.deps);
    expect(tenant.policy('Clean Pilot')).toMatchObject({ imageId: image, updates: 1 });
    expect(tenant.policy('Clean Sales')).toMatchObject({ imageId: BASELINE, updates: 0 });
    const [started] = await app.deps.rings.list();
    if (started === undefined) throw new Error('no rollout started');
    expect(started).toMatchObject({
      state: 'soaking',
      ring: 1,
      rings: [['Clean Pilot'], ['Clean Sales', 'Clean Finance']],
      since: expect.any(String),
    });
    expect(await app.deps.rings.seen({ ...started, ring: 1, policyId: pilot.id })).toEqual(new Set([old]));

    tenant.fixture.emulator.provisionCloudPcs(pilot.id, 3, 60);
    tenant.clock.advance(30 * 60_000);
    const before = listsOf(pilot.id);
    await reconcile(app.deps);
    // Half-way through the soak: counted, not promoted; the gate read the pilot's Cloud PCs once (two pages).
    expect(listsOf(pilot.id) - before).toBe(2);
    expect(tenant.policy('Clean Sales').updates).toBe(0);
    expect((await app.deps.rings.list())[0]).toMatchObject({ ring: 1, provisioned: 3, failed: 0 });

    tenant.clock.advance(31 * 60_000);
    await reconcile(app.deps);
    expect(tenant.policy('Clean Sales')).toMatchObject({ imageId: image, updates: 1 });
    expect(tenant.policy('Clean Finance')).toMatchObject({ imageId: image, updates: 1 });
    const report = buildStatusReport(await app.deps.ledger.list(), [], {
      now: tenant.clock.now(),
      expiryWarningDays: 30,
      rollouts: await app.deps.rings.list(),
    });
    expect(report.rollouts).toEqual([
      expect.objectContaining({
        displayName: 'Rings rg-clean',
        version: '1.0.0',
        ring: 2,
        rings: 2,
        state: 'soaking',
        policies: ['Clean Sales', 'Clean Finance'],
        provisioned: 0,
        failed: 0,
      }),
    ]);

    tenant.clock.advance(HOUR_MS + 1000);
    await reconcile(app.deps);
    expect((await app.deps.rings.list())[0]).toMatchObject({ state: 'complete', ring: 2 });
    // Complete: no more Cloud PC lists, no more PATCHes.
    tenant.fixture.emulator.clearRequests();
    await reconcile(app.deps);
    expect(tenant.fixture.emulator.count('graph.cloudPcs.list')).toBe(0);
    for (const name of ['Clean Pilot', 'Clean Sales', 'Clean Finance']) expect(tenant.policy(name).updates).toBe(1);
  });

  it('halts on a pilot failure: the pilot is rolled back, an ImageSyncFailure names the Cloud PC, and the next ring never gets the version', async () => {
    const app = tenant.app('rg-fail');
    const pilot = tenant.policy('Fail Pilot');
    await reconcile(app.deps);
    expect(tenant.policy('Fail Pilot')).toMatchObject({ imageId: deviceImageIdOf(1), updates: 1 });

    tenant.fixture.emulator.failCloudPcsOn(deviceImageIdOf(1), 1);
    const [failedId] = tenant.fixture.emulator.provisionCloudPcs(pilot.id, 2, 60);
    tenant.clock.advance(5 * 60_000);
    const result = await reconcile(app.deps);
    expect(result.rollouts.filter((outcome) => outcome.outcome === 'rolled-out')).toEqual([]);
    expect(tenant.policy('Fail Pilot')).toMatchObject({ imageId: BASELINE, updates: 2 });
    expect((await app.deps.rings.list())[0]).toMatchObject({ state: 'halted', ring: 1, failed: 1, provisioned: 1 });
    const problems = await app.deps.ledger.listProblems();
    expect(problems).toEqual([
      expect.objectContaining({
        kind: 'rollout-halted',
        detail: expect.stringMatching(new RegExp(`halted at ring 1 of 2 \\(Fail Pilot\\).*${failedId}\\): imageNotSupported`)),
      }),
    ]);
    expect(app.lines.some((line) => line.includes('ImageSyncFailure') && line.includes('rollout-halted'))).toBe(true);

    tenant.clock.advance(3 * HOUR_MS);
    await reconcile(app.deps);
    await reconcile(app.deps);
    expect(tenant.policy('Fail Broad')).toMatchObject({ imageId: BASELINE, updates: 0 });
    expect(tenant.policy('Fail Pilot').updates).toBe(2);
  });

  it('waits past the soak until IMAGE_SYNC_RING_MIN_PROVISIONED new Cloud PCs provisioned, then promotes', async () => {
    const app = tenant.app('rg-min', { IMAGE_SYNC_RING_MIN_PROVISIONED: '2' });
    const pilot = tenant.policy('Min Pilot');
    await reconcile(app.deps);
    tenant.fixture.emulator.provisionCloudPcs(pilot.id, 1, 60);
    tenant.clock.advance(2 * HOUR_MS);
    await reconcile(app.deps);
    expect(tenant.policy('Min Broad').updates).toBe(0);
    expect((await app.deps.rings.list())[0]).toMatchObject({ state: 'soaking', ring: 1, provisioned: 1 });

    tenant.fixture.emulator.provisionCloudPcs(pilot.id, 1, 60);
    tenant.clock.advance(2 * 60_000);
    await reconcile(app.deps);
    expect(tenant.policy('Min Broad')).toMatchObject({ imageId: deviceImageIdOf(2), updates: 1 });
  });

  it('soaks and gates a tag without ">" as one ring: patched at once, then complete after a quiet soak', async () => {
    const app = tenant.app('rg-one');
    await reconcile(app.deps);
    expect(tenant.policy('One Ring A').updates).toBe(1);
    expect(tenant.policy('One Ring B').updates).toBe(1);
    expect((await app.deps.rings.list())[0]).toMatchObject({ state: 'soaking', ring: 1, rings: [['One Ring A', 'One Ring B']] });
    tenant.clock.advance(HOUR_MS + 1000);
    await reconcile(app.deps);
    expect((await app.deps.rings.list())[0]).toMatchObject({ state: 'complete' });
  });

  it("finishes a halt's rollback at the next reconcile when Graph was down for its PATCH", async () => {
    const app = tenant.app('rg-outage');
    const pilot = tenant.policy('Outage Pilot');
    await reconcile(app.deps);
    tenant.fixture.emulator.failCloudPcsOn(deviceImageIdOf(4));
    tenant.fixture.emulator.provisionCloudPcs(pilot.id, 1, 60);
    tenant.clock.advance(2 * 60_000);
    tenant.fixture.emulator.setFaults({ kinds: ['graph.provisioningPolicies.update'], down: 'unavailable' });
    try {
      await reconcile(app.deps);
    } finally {
      tenant.fixture.emulator.setFaults();
    }
    // Halted (durably) though the rollback's PATCH could not be sent: the pilot still has the version.
    expect((await app.deps.rings.list())[0]).toMatchObject({ state: 'halted', failed: 1 });
    expect(tenant.policy('Outage Pilot')).toMatchObject({ imageId: deviceImageIdOf(4), updates: 1 });
    expect(app.lines.some((line) => line.includes('RingRollbackDeferred'))).toBe(true);

    await reconcile(app.deps);
    expect(tenant.policy('Outage Pilot')).toMatchObject({ imageId: BASELINE, updates: 2 });
    await reconcile(app.deps);
    expect(tenant.policy('Outage Pilot').updates).toBe(2);
    expect(tenant.policy('Outage Broad').updates).toBe(0);
    expect((await app.deps.ledger.listProblems()).filter((problem) => problem.kind === 'rollout-halted')).toHaveLength(1);
  }, 30_000);
});
