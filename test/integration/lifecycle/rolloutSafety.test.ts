// Rollout safety (DESIGN §15, issue 20 findings 3 and 4), through the real handlers, Azurite and the
// emulator: a rollback is durable whatever the tag's wording; outcomes are written as each PATCH
// lands; each PATCH reads its policy first, so a person's change between the reconcile's listing and
// its PATCH is what a rollback restores, and a policy switched to a gallery image is not patched.
import { afterAll, describe, expect, it } from 'vitest';
import {
  deviceImage,
  estate,
  managedImage,
  managedImageResourceId,
  provisioningPolicy,
  resourceGroup,
  subscription,
} from '../../../src/emulator';
import { reconcile } from '../../../src/handlers/reconcile';
import { rollBack } from '../../../src/handlers/rollBack';
import { type TestApp, testApp, testAppSettings } from '../../support/appDeps';
import { useEmulator } from '../../support/emulator';
import { type RestartableAzurite, restartableAzurite } from '../../support/restartableAzurite';
import { syncLocally } from './localSync';

const SUB = '77777777-7777-4777-8777-777777777777';
const BASELINE = 'b0b0b0b0-0000-4000-8000-000000000019';
const HAND_PICKED = 'b0b0b0b0-0000-4000-8000-000000000029';
const GALLERY_IMAGE = 'microsoftwindowsdesktop_windows-ent-cpc_win11-24h2-ent-cpc';
const BY_ID = '2e2e2e2e-0000-4000-8000-000000000001';
const BY_CASE = '2e2e2e2e-0000-4000-8000-000000000002';
const RENAMED = '2e2e2e2e-0000-4000-8000-000000000003';
const HAND = '2e2e2e2e-0000-4000-8000-000000000004';
const TURNED_GALLERY = '2e2e2e2e-0000-4000-8000-000000000005';
const FIRST = '2e2e2e2e-0000-4000-8000-000000000006';
const SECOND = '2e2e2e2e-0000-4000-8000-000000000007';
const LOST = '2e2e2e2e-0000-4000-8000-000000000008';
const DELETED = '2e2e2e2e-0000-4000-8000-000000000009';
const BY_HAND = '2e2e2e2e-0000-4000-8000-00000000000a';
const RACE = '2e2e2e2e-0000-4000-8000-00000000000b';

const NAME = 'win11-safety';
const tags = (displayName: string, version: string, policies: string) => ({
  'cloudpc-sync': 'true',
  'cloudpc-version': version,
  'cloudpc-display-name': displayName,
  'cloudpc-provisioning-policies': policies,
});
const imageIn = (group: string) => managedImageResourceId(SUB, group, NAME);
const onBaseline = (id: string, displayName: string) =>
  provisioningPolicy({ id, displayName, imageId: BASELINE, imageDisplayName: 'Win11 Baseline' });

const fixture = useEmulator(() =>
  estate({
    uploadSeconds: 0.3,
    // One page of policies: a change timed after the listing lands after the whole of it.
    graph: { pageSize: 50 },
    subscriptions: [
      subscription({
        id: SUB,
        resourceGroups: [
          resourceGroup('rg-byid', [managedImage({ name: NAME, tags: tags('Safety ById', '1.0.0', 'Durable Id') })]),
          resourceGroup('rg-bycase', [managedImage({ name: NAME, tags: tags('Safety ByCase', '1.0.0', 'Durable Case') })]),
          resourceGroup('rg-renamed', [managedImage({ name: NAME, tags: tags('Safety Renamed', '1.0.0', 'Durable Old') })]),
          resourceGroup('rg-hand', [managedImage({ name: NAME, tags: tags('Safety Hand', '1.0.0', 'Hand') })]),
          resourceGroup('rg-gallery', [managedImage({ name: NAME, tags: tags('Safety Gallery', '1.0.0', 'Turned Gallery') })]),
          resourceGroup('rg-outage', [managedImage({ name: NAME, tags: tags('Safety Outage', '1.0.0', 'Outage First; Outage Second') })]),
          resourceGroup('rg-lost', [managedImage({ name: NAME, tags: tags('Safety Lost', '1.0.0', 'Lost Rollback') })]),
          resourceGroup('rg-deleted', [managedImage({ name: NAME, tags: tags('Safety Deleted', '1.0.0', 'Deleted Meanwhile') })]),
          resourceGroup('rg-race', [managedImage({ name: NAME, tags: tags('Safety Race', '1.0.0', 'Race') })]),
          resourceGroup('rg-byhand', [managedImage({ name: NAME, tags: tags('Safety ByHand', '1.0.0', 'Pointed By Hand') })]),
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
      deviceImage({
        id: HAND_PICKED,
        displayName: 'Win11 Hand',
        version: '0.9.5',
        sourceImageResourceId: managedImageResourceId(SUB, 'rg-baseline', 'win11-hand'),
      }),
    ],
    provisioningPolicies: [
      onBaseline(BY_ID, 'Durable Id'),
      onBaseline(BY_CASE, 'Durable Case'),
      onBaseline(RENAMED, 'Durable Old'),
      onBaseline(HAND, 'Hand'),
      onBaseline(TURNED_GALLERY, 'Turned Gallery'),
      onBaseline(FIRST, 'Outage First'),
      onBaseline(SECOND, 'Outage Second'),
      onBaseline(LOST, 'Lost Rollback'),
      onBaseline(DELETED, 'Deleted Meanwhile'),
      onBaseline(BY_HAND, 'Pointed By Hand'),
      onBaseline(RACE, 'Race'),
    ],
  }),
);

const settings = (groups: string, rollout: boolean, shared: Record<string, string> = {}) => ({
  ...testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB, IMAGE_SYNC_RESOURCE_GROUPS: groups }),
  ...shared,
  IMAGE_SYNC_ROLLOUT: String(rollout),
});
const policy = (id: string) => {
  const found = fixture.emulator.provisioningPolicies().find((candidate) => candidate.id.toLowerCase() === id.toLowerCase());
  if (found === undefined) throw new Error(`no policy ${id}`);
  return found;
};
/** PATCHes of one policy that Graph applied (the emulator's `updates` restarts when a test replaces the policy). */
const patchesOf = (id: string) =>
  fixture.emulator.requests.filter(
    (request) => request.kind === 'graph.provisioningPolicies.update' && request.status === 204 && request.path.toLowerCase().includes(id),
  ).length;
const deviceImageOf = (group: string, version = '1.0.0') =>
  fixture.emulator
    .deviceImages()
    .find((image) => image.sourceImageResourceId.toLowerCase() === imageIn(group).toLowerCase() && image.version === version);
const retag = (group: string, displayName: string, policies: string) =>
  fixture.emulator.putManagedImage(SUB, group, managedImage({ name: NAME, tags: tags(displayName, '1.0.0', policies) }));

/**
 * The version registered and ready with IMAGE_SYNC_ROLLOUT off, then an app with it on over the same
 * table and queues: its next reconcile is the one that rolls out, so a test can time a change inside it.
 */
async function readyThenRolloutOn(group: string, storage: Record<string, string> = {}): Promise<TestApp> {
  const off = settings(group, false, storage);
  expect((await syncLocally(testApp(off))).ending).toBe('settled');
  expect(deviceImageOf(group)).toMatchObject({ status: 'ready' });
  return testApp({ ...off, IMAGE_SYNC_ROLLOUT: 'true' });
}

describe('a rollback is durable (DESIGN §15)', () => {
  it('never points a policy again at the version it was rolled back from, however the tag names it; a newer version still rolls out', async () => {
    const app = testApp(settings('rg-byid,rg-bycase,rg-renamed', true));
    expect((await syncLocally(app)).ending).toBe('settled');
    for (const [id, group] of [
      [BY_ID, 'rg-byid'],
      [BY_CASE, 'rg-bycase'],
      [RENAMED, 'rg-renamed'],
    ] as const) {
      expect(policy(id)).toMatchObject({ imageId: deviceImageOf(group)?.id });
      expect(await rollBack(app.deps, id)).toMatchObject({ outcome: 'rolled-back', to: { imageId: BASELINE } });
      const row = (await app.deps.ledger.list()).find((entry) => entry.deviceImageId === deviceImageOf(group)?.id);
      expect(row?.rollouts).toEqual([expect.objectContaining({ policyId: id, outcome: 'rolled-back' })]);
    }
    const before = { byId: patchesOf(BY_ID), byCase: patchesOf(BY_CASE), renamed: patchesOf(RENAMED) };

    // The tag names the policy by its id now; in other casing and spacing; and a person renamed the policy and the tag with it.
    retag('rg-byid', 'Safety ById', BY_ID.toUpperCase());
    retag('rg-bycase', 'Safety ByCase', '  DURABLE case ;');
    fixture.emulator.putProvisioningPolicy(onBaseline(RENAMED, 'Durable New'));
    retag('rg-renamed', 'Safety Renamed', 'Durable New');
    await reconcile(app.deps);
    await reconcile(app.deps);
    expect({ byId: patchesOf(BY_ID), byCase: patchesOf(BY_CASE), renamed: patchesOf(RENAMED) }).toEqual(before);
    // One PATCH to roll out (read first, so two workers that listed the policy at once do not both send it), one to roll back.
    expect(before).toEqual({ byId: 2, byCase: 2, renamed: 2 });
    for (const id of [BY_ID, BY_CASE, RENAMED]) expect(policy(id)).toMatchObject({ imageId: BASELINE });

    // Only a newer version rolls out to it, and the record of the rollback outlives that rollout.
    fixture.emulator.rebuildManagedImage(imageIn('rg-byid'), { build: 'build-2', tags: tags('Safety ById', '2.0.0', BY_ID) });
    expect((await syncLocally(app)).ending).toBe('settled');
    const newer = deviceImageOf('rg-byid', '2.0.0');
    expect(newer).toMatchObject({ status: 'ready' });
    expect(policy(BY_ID)).toMatchObject({ imageId: newer?.id });
    expect(patchesOf(BY_ID)).toBe(before.byId + 1);
    expect(await app.deps.rollouts.get(BY_ID)).toMatchObject({
      state: 'rolled-out',
      deviceImageId: newer?.id,
      previousImageId: BASELINE,
      rolledBackFrom: [deviceImageOf('rg-byid')?.id],
    });
  });

  it('marks a rollback before its PATCH: after a lost answer it is recorded, a second rollback says done, and no reconcile undoes it', async () => {
    const app = testApp(settings('rg-lost', true));
    expect((await syncLocally(app)).ending).toBe('settled');
    const rolledOut = deviceImageOf('rg-lost')?.id;
    expect(policy(LOST)).toMatchObject({ imageId: rolledOut });
    // A PATCH Graph refuses changes nothing: the row says what it said.
    fixture.emulator.setFaults({ kinds: ['graph.provisioningPolicies.update'], refuse: { next: 1, status: 403 } });
    try {
      await expect(rollBack(app.deps, 'Lost Rollback')).rejects.toThrow(/pointing provisioning policy/);
    } finally {
      fixture.emulator.setFaults();
    }
    expect(policy(LOST)).toMatchObject({ imageId: rolledOut });
    expect(await app.deps.rollouts.get(LOST)).toMatchObject({ state: 'rolled-out', deviceImageId: rolledOut });

    fixture.emulator.setFaults({ kinds: ['graph.provisioningPolicies.update'], ambiguousCreates: { next: 1, answer: 'reset' } });
    try {
      await expect(rollBack(app.deps, 'Lost Rollback')).rejects.toThrow();
    } finally {
      fixture.emulator.setFaults();
    }
    expect(policy(LOST)).toMatchObject({ imageId: BASELINE });
    expect(await app.deps.rollouts.get(LOST)).toMatchObject({ state: 'rolling-back', deviceImageId: rolledOut, previousImageId: BASELINE });
    expect(await rollBack(app.deps, 'Lost Rollback')).toMatchObject({ outcome: 'already-rolled-back' });
    expect(await app.deps.rollouts.get(LOST)).toMatchObject({ state: 'rolled-back', deviceImageId: rolledOut });
    const patches = patchesOf(LOST);
    retag('rg-lost', 'Safety Lost', LOST);
    await reconcile(app.deps);
    expect(patchesOf(LOST)).toBe(patches);
    expect(policy(LOST)).toMatchObject({ imageId: BASELINE });
  });
});

describe('a rollback in flight (DESIGN §15)', () => {
  it('holds back a rollout of a newer version that meets it, which then records the image the rollback restored as previous', async () => {
    const off = settings('rg-race', false);
    const app = await readyThenRolloutOn('rg-race');
    await reconcile(app.deps);
    const first = deviceImageOf('rg-race')?.id;
    expect(policy(RACE)).toMatchObject({ imageId: first });
    // 2.0.0 becomes ready while rollout is off (no PATCH yet); the rollback of 1.0.0 meets the reconcile that rolls 2.0.0 out.
    fixture.emulator.rebuildManagedImage(imageIn('rg-race'), { build: 'build-2', tags: tags('Safety Race', '2.0.0', 'Race') });
    expect((await syncLocally(testApp(off))).ending).toBe('settled');
    const second = deviceImageOf('rg-race', '2.0.0')?.id;
    expect(second).toBeDefined();
    let during: Awaited<ReturnType<typeof reconcile>> | null = null;
    fixture.emulator.beforeNext('graph.provisioningPolicies.update', async () => {
      during = await reconcile(app.deps);
    });
    expect(await rollBack(app.deps, 'Race')).toMatchObject({ outcome: 'rolled-back', to: { imageId: BASELINE } });
    expect(during).toMatchObject({ rollouts: [expect.objectContaining({ policyId: RACE, version: '2.0.0', outcome: 'deferred' })] });
    expect(policy(RACE)).toMatchObject({ imageId: BASELINE });

    await reconcile(app.deps);
    expect(policy(RACE)).toMatchObject({ imageId: second });
    expect(await app.deps.rollouts.get(RACE)).toMatchObject({
      state: 'rolled-out',
      deviceImageId: second,
      previousImageId: BASELINE,
      rolledBackFrom: [first],
    });
    expect(await rollBack(app.deps, 'Race')).toMatchObject({ outcome: 'rolled-back', to: { imageId: BASELINE } });
  });
});

describe('outcomes are written as each PATCH lands (DESIGN §15)', () => {
  let azurite: RestartableAzurite | null = null;
  afterAll(async () => {
    await azurite?.remove();
  });

  it('keeps the first policy outcome when storage stops during the second policy PATCH, so a rollback of it stays', async () => {
    azurite = await restartableAzurite();
    const storage = azurite;
    const app = await readyThenRolloutOn('rg-outage', { AzureWebJobsStorage: storage.connectionString });
    const image = deviceImageOf('rg-outage')?.id;
    // Storage stops while the second PATCH is on its way (it lands); the first has landed by then.
    fixture.emulator.afterNext('graph.provisioningPolicies.update', () =>
      fixture.emulator.beforeNext('graph.provisioningPolicies.update', () => storage.stop()),
    );
    const failed = await reconcile(app.deps).then(
      () => null,
      (error: unknown) => error,
    );
    await storage.start();
    expect(policy(FIRST)).toMatchObject({ imageId: image });
    expect(policy(SECOND)).toMatchObject({ imageId: image });
    expect(failed).toBeNull();
    const [row] = await app.deps.ledger.list();
    expect(row?.rollouts).toEqual([expect.objectContaining({ target: 'Outage First', policyId: FIRST, outcome: 'rolled-out' })]);

    // The person rolls the first policy back; later reconciles leave it there (and finish the second).
    expect(await rollBack(app.deps, 'Outage First')).toMatchObject({ outcome: 'rolled-back' });
    const patches = patchesOf(FIRST);
    await reconcile(app.deps);
    await reconcile(app.deps);
    expect(patchesOf(FIRST)).toBe(patches);
    expect(policy(FIRST)).toMatchObject({ imageId: BASELINE });
    expect(await app.deps.rollouts.get(SECOND)).toMatchObject({ state: 'rolled-out', deviceImageId: image });
  }, 60_000);
});

describe('each PATCH reads its policy first (DESIGN §15)', () => {
  it('records as previous the image a person chose between the listing and the PATCH, and a rollback restores that one', async () => {
    const app = await readyThenRolloutOn('rg-hand');
    const image = deviceImageOf('rg-hand')?.id;
    fixture.emulator.afterNext('graph.provisioningPolicies.list', () =>
      fixture.emulator.putProvisioningPolicy(
        provisioningPolicy({ id: HAND, displayName: 'Hand', imageId: HAND_PICKED, imageDisplayName: 'Win11 Hand' }),
      ),
    );
    await reconcile(app.deps);
    expect(policy(HAND)).toMatchObject({ imageId: image });
    expect(await app.deps.rollouts.get(HAND)).toMatchObject({
      state: 'rolled-out',
      deviceImageId: image,
      previousImageId: HAND_PICKED,
      previousImageDisplayName: 'Win11 Hand',
    });
    expect(await rollBack(app.deps, 'Hand')).toMatchObject({ outcome: 'rolled-back', to: { imageId: HAND_PICKED } });
    expect(policy(HAND)).toMatchObject({ imageId: HAND_PICKED, imageDisplayName: 'Win11 Hand' });
  });

  it('sends no PATCH to a policy switched to a gallery image meanwhile: a problem with its fix', async () => {
    const app = await readyThenRolloutOn('rg-gallery');
    fixture.emulator.afterNext('graph.provisioningPolicies.list', () =>
      fixture.emulator.putProvisioningPolicy(
        provisioningPolicy({ id: TURNED_GALLERY, displayName: 'Turned Gallery', imageType: 'gallery', imageId: GALLERY_IMAGE }),
      ),
    );
    await reconcile(app.deps);
    expect(patchesOf(TURNED_GALLERY)).toBe(0);
    expect(policy(TURNED_GALLERY)).toMatchObject({ imageType: 'gallery', imageId: GALLERY_IMAGE });
    expect(await app.deps.rollouts.get(TURNED_GALLERY)).toBeNull();
    expect(await app.deps.ledger.listProblems()).toEqual([
      expect.objectContaining({
        kind: 'rollout-gallery-image',
        detail: expect.stringMatching(/"Turned Gallery" gives new Cloud PCs a gallery image/),
      }),
    ]);
  });

  it('sends no PATCH to a policy deleted meanwhile: the tag names no policy now, a problem with its fix', async () => {
    const app = await readyThenRolloutOn('rg-deleted');
    fixture.emulator.afterNext('graph.provisioningPolicies.list', () => fixture.emulator.removeProvisioningPolicy(DELETED));
    await reconcile(app.deps);
    expect(
      fixture.emulator.requests.filter((request) => request.path.toLowerCase().includes(DELETED)).map((request) => request.kind),
    ).toEqual(['graph.provisioningPolicies.get']);
    expect(await app.deps.rollouts.get(DELETED)).toBeNull();
    expect(await app.deps.ledger.listProblems()).toEqual([
      expect.objectContaining({
        kind: 'rollout-no-such-policy',
        detail: expect.stringMatching(/no provisioning policy is named "Deleted Meanwhile"/),
      }),
    ]);
  });

  it('sends no PATCH to a policy a person pointed at the version meanwhile: recorded as already used', async () => {
    const app = await readyThenRolloutOn('rg-byhand');
    const image = deviceImageOf('rg-byhand')?.id ?? '';
    fixture.emulator.afterNext('graph.provisioningPolicies.list', () =>
      fixture.emulator.putProvisioningPolicy(
        provisioningPolicy({ id: BY_HAND, displayName: 'Pointed By Hand', imageId: image, imageDisplayName: 'Safety ByHand' }),
      ),
    );
    await reconcile(app.deps);
    expect(patchesOf(BY_HAND)).toBe(0);
    expect(await app.deps.rollouts.get(BY_HAND)).toBeNull();
    const [row] = await app.deps.ledger.list();
    expect(row?.rollouts).toEqual([expect.objectContaining({ policyId: BY_HAND, outcome: 'already-used' })]);
    expect(row?.policies).toEqual(['Pointed By Hand']);
  });
});
