// Rollout (DESIGN §13, issue 14): with IMAGE_SYNC_ROLLOUT=true, a version that becomes ready is given
// to the provisioning policies its cloudpc-provisioning-policies tag names, once each, through the
// real queues and table and the emulator's policies; `rollBack` puts a policy back.
import { describe, expect, it } from 'vitest';
import {
  deviceImage,
  estate,
  managedImage,
  managedImageResourceId,
  provisioningPolicy,
  resourceGroup,
  subscription,
} from '../../../src/emulator';
import { buildStatusReport } from '../../../src/cli/statusReport';
import type { StatusCheck } from '../../../src/domain';
import { pollImageStatus } from '../../../src/handlers/pollImageStatus';
import { reconcile } from '../../../src/handlers/reconcile';
import { handleRegisterMessage } from '../../../src/handlers/registerImage';
import { rollBack } from '../../../src/handlers/rollBack';
import { drainQueueForTest, testApp, testAppSettings } from '../../support/appDeps';
import { useEmulator } from '../../support/emulator';
import { syncLocally } from './localSync';

const SUB = '66666666-6666-4666-8666-666666666666';
const ENGINEERING = '1e1e1e1e-0000-4000-8000-000000000001';
const SALES = '1e1e1e1e-0000-4000-8000-000000000002';
const KIOSK = '1e1e1e1e-0000-4000-8000-000000000003';
const BASELINE = 'b0b0b0b0-0000-4000-8000-000000000009';
const tags = (version: string, policies: string) => ({
  'cloudpc-sync': 'true',
  'cloudpc-version': version,
  'cloudpc-display-name': 'Win11 Rollout',
  'cloudpc-provisioning-policies': policies,
});
const imageIn = (group: string) => managedImageResourceId(SUB, group, 'win11-rollout');

const fixture = useEmulator(() =>
  estate({
    uploadSeconds: 0.3,
    subscriptions: [
      subscription({
        id: SUB,
        resourceGroups: [
          resourceGroup('rg-off', [managedImage({ name: 'win11-rollout', tags: tags('1.0.0', 'Engineering') })]),
          resourceGroup('rg-on', [
            managedImage({ name: 'win11-rollout', tags: tags('2.0.0', `engineering; ${SALES}; Missing Policy; Kiosk`) }),
          ]),
          resourceGroup('rg-twice', [managedImage({ name: 'win11-rollout', tags: tags('3.0.0', 'Twice') })]),
          resourceGroup('rg-lost', [managedImage({ name: 'win11-rollout', tags: tags('4.0.0', 'Lost Answer') })]),
          resourceGroup('rg-refused', [managedImage({ name: 'win11-rollout', tags: tags('5.0.0', 'Locked') })]),
        ],
      }),
    ],
    deviceImages: [
      deviceImage({
        id: BASELINE,
        displayName: 'Win11 Baseline',
        version: '0.9.0',
        sourceImageResourceId: managedImageResourceId(SUB, 'rg-baseline', 'win11-baseline'),
      }),
    ],
    provisioningPolicies: [
      provisioningPolicy({ id: ENGINEERING, displayName: 'Engineering', imageId: BASELINE, imageDisplayName: 'Win11 Baseline' }),
      provisioningPolicy({ id: SALES, displayName: 'Sales', imageId: BASELINE, imageDisplayName: 'Win11 Baseline' }),
      provisioningPolicy({
        id: KIOSK,
        displayName: 'Kiosk',
        imageType: 'gallery',
        imageId: 'microsoftwindowsdesktop_windows-ent-cpc_win11-24h2-ent-cpc',
      }),
      provisioningPolicy({ displayName: 'Twice', imageId: BASELINE, imageDisplayName: 'Win11 Baseline' }),
      provisioningPolicy({ displayName: 'Lost Answer', imageId: BASELINE, imageDisplayName: 'Win11 Baseline' }),
      provisioningPolicy({ displayName: 'Locked', imageId: BASELINE, imageDisplayName: 'Win11 Baseline' }),
    ],
  }),
);

const settings = (group: string, rollout: boolean) =>
  testAppSettings(fixture.emulator, {
    IMAGE_SYNC_SUBSCRIPTION_IDS: SUB,
    IMAGE_SYNC_RESOURCE_GROUPS: group,
    IMAGE_SYNC_ROLLOUT: String(rollout),
  });
const policyNamed = (name: string) => {
  const found = fixture.emulator.provisioningPolicies().find((policy) => policy.displayName === name);
  if (found === undefined) throw new Error(`no policy ${name}`);
  return found;
};
const deviceImageOf = (group: string) =>
  fixture.emulator.deviceImages().find((image) => image.sourceImageResourceId.toLowerCase() === imageIn(group).toLowerCase());

describe('rollout', () => {
  // The rollout and the rollback tests share one app: the rollback reads what the rollout recorded.
  let rolledOut: ReturnType<typeof testApp> | null = null;

  it('changes nothing while IMAGE_SYNC_ROLLOUT is off, whatever the tag says', async () => {
    const app = testApp(settings('rg-off', false));
    expect((await syncLocally(app)).ending).toBe('settled');
    expect(deviceImageOf('rg-off')).toMatchObject({ status: 'ready' });
    expect(policyNamed('Engineering')).toMatchObject({ imageId: BASELINE, updates: 0 });
    expect(fixture.emulator.count('graph.provisioningPolicies.update')).toBe(0);
  });

  it('points each named custom-image policy at the version once it is ready, once, records the image before, and reports the rest as problems', async () => {
    const app = testApp(settings('rg-on', true));
    rolledOut = app;
    const result = await syncLocally(app);
    expect(result.ending).toBe('settled');
    const image = deviceImageOf('rg-on');
    expect(image).toMatchObject({ status: 'ready', displayName: 'Win11 Rollout', version: '2.0.0' });
    for (const name of ['Engineering', 'Sales'])
      expect(policyNamed(name)).toMatchObject({ imageId: image?.id, imageDisplayName: 'Win11 Rollout', imageType: 'custom', updates: 1 });
    expect(policyNamed('Kiosk')).toMatchObject({ imageType: 'gallery', updates: 0 });

    // The two it could not do are problems with their fix, so the run needs attention (exit 2).
    expect(result.problems.map((problem) => problem.kind).sort()).toEqual(['rollout-gallery-image', 'rollout-no-such-policy']);
    expect(result.problems.find((problem) => problem.kind === 'rollout-no-such-policy')?.detail).toMatch(
      /no provisioning policy is named "Missing Policy".*correct the cloudpc-provisioning-policies tag/,
    );
    expect(result.problems.find((problem) => problem.kind === 'rollout-gallery-image')?.detail).toMatch(
      /"Kiosk" gives new Cloud PCs a gallery image/,
    );

    // Recorded: the outcome per target on the registration, the policies using it, the image each policy had before.
    const [row] = await app.deps.ledger.list();
    expect(row?.rollouts.map((outcome) => [outcome.target, outcome.outcome]).sort()).toEqual(
      [
        ['Kiosk', 'gallery-image'],
        ['Missing Policy', 'no-such-policy'],
        [SALES, 'rolled-out'],
        ['engineering', 'rolled-out'],
      ].sort(),
    );
    expect(buildStatusReport(row === undefined ? [] : [row], [], { now: new Date(), expiryWarningDays: 30 }).images[0]?.policies).toEqual([
      'Engineering',
      'Sales',
    ]);
    expect(await app.deps.rollouts.get(ENGINEERING)).toMatchObject({
      state: 'rolled-out',
      deviceImageId: image?.id,
      previousImageId: BASELINE,
      previousImageDisplayName: 'Win11 Baseline',
      version: '2.0.0',
    });

    // Later reconciles patch nothing again.
    await reconcile(app.deps);
    await reconcile(app.deps);
    expect(policyNamed('Engineering').updates).toBe(1);
    expect(policyNamed('Sales').updates).toBe(1);
  });

  it('rolls a policy back to the image it used before, once, and says why it cannot when it cannot', async () => {
    const app = rolledOut ?? testApp(settings('rg-on', true));
    const image = deviceImageOf('rg-on');

    const first = await rollBack(app.deps, 'ENGINEERING');
    expect(first.reason).toBeNull();
    expect(first).toMatchObject({
      outcome: 'rolled-back',
      policyId: ENGINEERING,
      from: { imageId: image?.id },
      to: { imageId: BASELINE, imageDisplayName: 'Win11 Baseline' },
    });
    expect(policyNamed('Engineering')).toMatchObject({ imageId: BASELINE, updates: 2 });
    expect(await rollBack(app.deps, 'Engineering')).toMatchObject({ outcome: 'already-rolled-back' });
    // The rolled-back version is not rolled out again by the next reconcile.
    await reconcile(app.deps);
    expect(policyNamed('Engineering')).toMatchObject({ imageId: BASELINE, updates: 2 });

    expect(await rollBack(app.deps, 'Kiosk')).toMatchObject({
      outcome: 'refused',
      reason: expect.stringMatching(/recorded no finished rollout to "Kiosk"/),
    });
    expect(await rollBack(app.deps, 'Nobody')).toMatchObject({
      outcome: 'refused',
      reason: expect.stringMatching(/no provisioning policy is named "Nobody"/),
    });

    // Someone moved Sales by hand since: nothing is changed.
    fixture.emulator.putProvisioningPolicy({ id: SALES, displayName: 'Sales', imageId: BASELINE, imageDisplayName: 'Win11 Baseline' });
    expect(await rollBack(app.deps, SALES)).toMatchObject({
      outcome: 'refused',
      reason: expect.stringMatching(/was changed since the app's last rollout/),
    });
  });

  it('patches each policy once when the ready status check is delivered twice at once', async () => {
    const app = testApp(settings('rg-twice', true));
    await reconcile(app.deps);
    for (const job of await drainQueueForTest(app, app.config.registerQueue))
      await handleRegisterMessage(app.deps, job, { messageId: null });
    const [check] = (await drainQueueForTest(app, app.config.statusQueue, 2_000)) as StatusCheck[];
    expect(check).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await Promise.all([
      pollImageStatus(app.deps, check as StatusCheck),
      pollImageStatus(app.deps, check as StatusCheck),
      reconcile(app.deps),
    ]);
    expect(policyNamed('Twice')).toMatchObject({ imageId: deviceImageOf('rg-twice')?.id, updates: 1 });
  });

  it('looks a policy up before sending a PATCH whose answer was lost again', async () => {
    const app = testApp(settings('rg-lost', true));
    fixture.emulator.setFaults({ kinds: ['graph.provisioningPolicies.update'], ambiguousCreates: { next: 1, answer: 'reset' } });
    try {
      expect((await syncLocally(app)).ending).toBe('settled');
    } finally {
      fixture.emulator.setFaults();
    }
    expect(policyNamed('Lost Answer')).toMatchObject({ imageId: deviceImageOf('rg-lost')?.id, updates: 1 });
    const policyId = policyNamed('Lost Answer').id;
    expect(await app.deps.rollouts.get(policyId)).toMatchObject({ state: 'rolled-out', previousImageId: BASELINE });
    const [row] = await app.deps.ledger.list();
    expect(row?.rollouts).toEqual([expect.objectContaining({ target: 'Lost Answer', outcome: 'rolled-out' })]);
  });

  // Refused twice: when the poller sees the version ready, and when sync finishes the rollouts it saw.
  it('records a PATCH Graph refuses as a problem with its fix, and tries again at the next reconcile', async () => {
    const app = testApp(settings('rg-refused', true));
    fixture.emulator.setFaults({ kinds: ['graph.provisioningPolicies.update'], refuse: { next: 2, status: 403 } });
    let result;
    try {
      result = await syncLocally(app);
    } finally {
      fixture.emulator.setFaults();
    }
    expect(result.problems).toEqual([
      expect.objectContaining({
        kind: 'rollout-refused',
        detail: expect.stringMatching(/Graph refused to point provisioning policy "Locked".*CloudPC\.ReadWrite\.All/),
      }),
    ]);
    expect(policyNamed('Locked')).toMatchObject({ imageId: BASELINE, updates: 0 });
    // The rollout row says what it said before: there is nothing to roll back.
    expect(await app.deps.rollouts.get(policyNamed('Locked').id)).toBeNull();

    await reconcile(app.deps);
    expect(policyNamed('Locked')).toMatchObject({ imageId: deviceImageOf('rg-refused')?.id, updates: 1 });
  });
});
