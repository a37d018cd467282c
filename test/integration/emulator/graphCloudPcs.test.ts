// The emulator's Cloud PCs (DESIGN §18), read through the app's own Graph adapter (the real SDK
// client): per policy, paged, beta's status values; provisioned on the policy's image on the
// emulator's clock; the failure knob for all, or the next N, Cloud PCs on an image.
import { describe, expect, it } from 'vitest';
import { deviceImage, estate, managedImageResourceId, parseEstate, provisioningPolicy } from '../../../src/emulator';
import { testApp, testAppSettings } from '../../support/appDeps';
import { manualClock, startTestEmulator, useEmulator } from '../../support/emulator';
import { estateProblems, graphClient } from './graphClient';

const SUB = '12121212-1212-4212-8212-121212121212';
const GOLD = 'd1d1d1d1-0000-4000-8000-000000000001';
const PILOT = 'e1e1e1e1-0000-4000-8000-000000000001';
const OTHER = 'e1e1e1e1-0000-4000-8000-000000000002';
const ARRIVALS = 'e1e1e1e1-0000-4000-8000-000000000003';
const BLUE = 'd1d1d1d1-0000-4000-8000-000000000002';
const clock = manualClock();
const fixture = useEmulator(
  () =>
    estate({
      graph: { pageSize: 2 },
      deviceImages: [
        deviceImage({ id: GOLD, displayName: 'Gold', version: '1.0.0', sourceImageResourceId: managedImageResourceId(SUB, 'rg', 'gold') }),
        deviceImage({ id: BLUE, displayName: 'Blue', version: '1.0.0', sourceImageResourceId: managedImageResourceId(SUB, 'rg', 'blue') }),
      ],
      provisioningPolicies: [
        provisioningPolicy({ id: PILOT, displayName: 'Pilot', imageId: GOLD, imageDisplayName: 'Gold' }),
        provisioningPolicy({ id: OTHER, displayName: 'Other', imageId: GOLD, imageDisplayName: 'Gold' }),
        provisioningPolicy({ id: ARRIVALS, displayName: 'Arrivals', imageId: GOLD, imageDisplayName: 'Gold' }),
      ],
    }),
  { clock },
);

describe('emulated Cloud PCs', () => {
  it("lists a policy's Cloud PCs on every page, provisioning until the clock moves, and fails the ones the knob names", async () => {
    const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB }));
    const existing = fixture.emulator.putCloudPc(PILOT, 'provisionedWithWarnings');
    fixture.emulator.putCloudPc(OTHER);
    fixture.emulator.failCloudPcsOn(GOLD, 2);
    const fresh = fixture.emulator.provisionCloudPcs(PILOT, 4, 60);

    const during = await app.deps.deviceImages.listCloudPcs(PILOT);
    expect(during.map((cloudPc) => [cloudPc.id, cloudPc.status])).toEqual([
      [existing, 'provisionedWithWarnings'],
      ...fresh.map((id) => [id, 'provisioning']),
    ]);
    expect(fixture.emulator.count('graph.cloudPcs.list')).toBe(3);
    expect(fixture.emulator.requests.every((request) => request.kind !== 'graph.cloudPcs.list' || request.graphVersion === 'beta')).toBe(
      true,
    );

    clock.advance(61_000);
    const after = await app.deps.deviceImages.listCloudPcs(PILOT);
    expect(after.map((cloudPc) => cloudPc.outcome)).toEqual(['provisioned', 'failed', 'failed', 'provisioned', 'provisioned']);
    expect(after[1]?.statusDetail).toBe('imageNotSupported: The Cloud PC could not be provisioned from the image.');
    expect(fixture.emulator.cloudPcs().filter((cloudPc) => cloudPc.provisioningPolicyId === PILOT)).toHaveLength(5);
  });

  it('leaves status out on v1.0, where Graph has none', async () => {
    const page = (await graphClient(fixture.emulator)
      .api('/deviceManagement/virtualEndpoint/cloudPCs')
      .filter(`provisioningPolicyId eq '${OTHER}'`)
      .get()) as {
      value: Record<string, unknown>[];
    };
    expect(page.value).toEqual([expect.objectContaining({ provisioningPolicyId: OTHER })]);
    expect(page.value[0]).not.toHaveProperty('status');
  });

  it('provisions new Cloud PCs on the clock, each on the image its policy gave when it arrived', async () => {
    const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB }));
    fixture.emulator.arriveCloudPcs(ARRIVALS, 600, 60);
    clock.advance(1_200_000);
    await app.deps.deviceImages.pointPolicyAt(ARRIVALS, { imageId: BLUE, imageDisplayName: 'Blue', imageType: 'custom' });
    clock.advance(600_000);
    fixture.emulator.stopCloudPcArrivals(ARRIVALS);
    clock.advance(3_600_000);
    const arrived = fixture.emulator.cloudPcs().filter((cloudPc) => cloudPc.provisioningPolicyId === ARRIVALS);
    expect(arrived.map((cloudPc) => [cloudPc.imageId, cloudPc.status])).toEqual([
      [GOLD, 'provisioned'],
      [GOLD, 'provisioned'],
      [BLUE, 'provisioned'],
    ]);
    expect((await app.deps.deviceImages.listCloudPcs(ARRIVALS)).map((cloudPc) => cloudPc.id)).toEqual(arrived.map((cloudPc) => cloudPc.id));
  });

  it('takes Cloud PCs and arrivals from an estate file, and names a policy id the estate does not have', async () => {
    const file = {
      provisioningPolicies: [{ id: PILOT, displayName: 'Pilot', imageId: GOLD }],
      cloudPcs: [{ policyId: PILOT, count: 2, status: 'failed' }],
      cloudPcArrivals: [{ policyId: PILOT, everySeconds: 30, provisionSeconds: 0 }],
    };
    const own = manualClock();
    const emulator = await startTestEmulator(parseEstate(file), { clock: own });
    try {
      own.advance(65_000);
      expect(emulator.cloudPcs().map((cloudPc) => cloudPc.status)).toEqual(['failed', 'failed', 'provisioned', 'provisioned']);
    } finally {
      await emulator.stop();
    }
    expect(estateProblems({ ...file, cloudPcArrivals: [{ policyId: 'nope', everySeconds: 30 }] })).toMatch(
      /cloudPcArrivals.*policyId.*no provisioning policy of the estate has the id nope/,
    );
  });
});
