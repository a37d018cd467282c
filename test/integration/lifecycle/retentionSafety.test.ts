// Deletions justified by fresh evidence (DESIGN §15, issue 20 findings 2, 5, 6), through the real
// handlers against Azurite and the emulator: a row is retired only when Graph says its device image
// is gone; a refused DELETE leaves the row as it was and records retire-refused; an unfinished
// retirement is finished only when every rule still allows it; the planner retires a row only after a
// GET 404; retention reads Graph's status; it deletes only what the app's own POST created.
import { describe, expect, it } from 'vitest';
import { estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../../src/emulator';
import type { FaultRule } from '../../../src/emulator';
import { reconcile } from '../../../src/handlers/reconcile';
import { handleRegisterMessage } from '../../../src/handlers/registerImage';
import { requestRegistration } from '../../../src/handlers/requestRegistration';
import { markRetiring } from '../../../src/steps/retirementTransitions';
import type { LedgerRow } from '../../../src/domain';
import { type TestApp, drainQueueForTest, testApp, testAppSettings } from '../../support/appDeps';
import { useEmulator } from '../../support/emulator';
import { syncLocally } from './localSync';

const SUB = '52525252-5252-4252-8252-525252525252';
const tags = (version: string) => ({ 'cloudpc-sync': 'true', 'cloudpc-version': version });
const sharedTags = (group: string) => ({
  ...tags(group === 'rg-shared-a' ? '1.0.0' : '2.0.0'),
  'cloudpc-display-name': 'win11-shared',
});
/** Each group's image has a display name of its own: a displayName+version names one device image in the tenant. */
const imageName = (group: string) => `win11-${group.replace(/^rg-/, '')}`;
const GROUPS = [
  'rg-refuse-403',
  'rg-refuse-409',
  'rg-refuse-400',
  'rg-crash',
  'rg-legacy',
  'rg-lag',
  'rg-admin',
  'rg-graph-ready',
  'rg-ambiguous',
  'rg-retry',
  'rg-shared-a',
  'rg-shared-b',
  'rg-rollback',
];

const fixture = useEmulator(() =>
  estate({
    uploadSeconds: 0.3,
    graph: { maxDeviceImages: 100 },
    subscriptions: [
      subscription({
        id: SUB,
        resourceGroups: GROUPS.map((group) =>
          resourceGroup(group, [
            managedImage({
              name: imageName(group),
              // rg-shared-a (1.0.0) and rg-shared-b (2.0.0) share one display name.
              tags: group === 'rg-shared-a' || group === 'rg-shared-b' ? sharedTags(group) : tags('1.0.0'),
              build: 'b1',
              // The app's first upload in rg-admin fails (a problem with the build).
              ...(group === 'rg-admin' || group === 'rg-retry'
                ? { upload: { outcome: 'failed' as const, errorCode: 'sourceImageInvalid' } }
                : {}),
            }),
          ]),
        ),
      }),
    ],
  }),
);

const sourceIn = (group: string) => managedImageResourceId(SUB, group, imageName(group));
const imagesOf = (group: string) =>
  fixture.emulator
    .deviceImages()
    .filter((image) => image.sourceImageResourceId.toLowerCase() === sourceIn(group).toLowerCase())
    .map((image) => ({ id: image.id, version: image.version, status: image.status }))
    .sort((a, b) => a.version.localeCompare(b.version));
const idOf = (group: string, version: string) => imagesOf(group).find((image) => image.version === version)?.id ?? '';

/** One registration's settings (its own table and queues), with apps that differ only in IMAGE_SYNC_KEEP_VERSIONS. */
function appsFor(group: string): (keep: number) => TestApp {
  const settings = testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB, IMAGE_SYNC_RESOURCE_GROUPS: group });
  return (keep) => testApp({ ...settings, IMAGE_SYNC_KEEP_VERSIONS: String(keep) });
}

async function rowOf(app: TestApp, group: string, version: string): Promise<LedgerRow | null> {
  return app.deps.ledger.get({ sourceImageResourceId: sourceIn(group), version });
}

/** Two versions the app created, both ready, with retention off while they were registered. */
async function twoReadyVersions(app: TestApp, group: string): Promise<void> {
  expect((await syncLocally(app)).ending).toBe('settled');
  fixture.emulator.rebuildManagedImage(sourceIn(group), { build: 'b2', tags: tags('1.1.0') });
  expect((await syncLocally(app)).ending).toBe('settled');
  expect(imagesOf(group).map((image) => [image.version, image.status])).toEqual([
    ['1.0.0', 'ready'],
    ['1.1.0', 'ready'],
  ]);
}

const DELETE = 'graph.deviceImages.delete';

describe('a DELETE Graph refuses', () => {
  it.each([
    ['rg-refuse-403', { status: 403 }, /403 Forbidden: The caller does not have the permission/],
    [
      'rg-refuse-409',
      { status: 409, code: 'ImageLocked', message: 'The image is being replicated; try later.' },
      /409 ImageLocked: The image is being replicated; try later\./,
    ],
    [
      'rg-refuse-400',
      { status: 400, code: 'BadRequest', message: 'The image cannot be deleted while Cloud PCs are being reprovisioned from it.' },
      /400 BadRequest: The image cannot be deleted while Cloud PCs are being reprovisioned/,
    ],
  ] as const)(
    '(%s) leaves the row as it was, records retire-refused with the words, deletes nothing after IMAGE_SYNC_KEEP_VERSIONS=0, and is tried again',
    async (group, refuse, words) => {
      const app = appsFor(group);
      const off = app(0);
      await twoReadyVersions(off, group);
      const kept = idOf(group, '1.0.0');

      fixture.emulator.setFaults({ kinds: [DELETE], refuse: { next: 1, ...refuse } } satisfies FaultRule);
      const refused = await reconcile(app(1).deps);
      expect(await rowOf(off, group, '1.0.0')).toMatchObject({ state: 'ready', deviceImageId: kept });
      expect(refused.retention).toEqual([
        expect.objectContaining({ version: '1.0.0', outcome: 'refused', detail: expect.stringMatching(words) }),
      ]);
      expect(await rowOf(off, group, '1.0.0')).toMatchObject({ retiringAt: null });
      const problems = await off.deps.ledger.listProblems();
      expect(problems).toEqual([expect.objectContaining({ kind: 'retire-refused', subject: kept, detail: expect.stringMatching(words) })]);
      expect(problems[0]?.detail).toMatch(/next reconcile tries again/);

      // Retention switched off: nothing may be deleted any more, whatever happened before.
      fixture.emulator.clearFaults();
      await reconcile(off.deps);
      expect(imagesOf(group).map((image) => image.id)).toContain(kept);
      expect(await rowOf(off, group, '1.0.0')).toMatchObject({ state: 'ready' });

      // On again, and Graph agrees now: the next reconcile deletes it, and only then is the row retired.
      const again = await reconcile(app(1).deps);
      expect(again.retention).toEqual([expect.objectContaining({ version: '1.0.0', outcome: 'retired' })]);
      expect(imagesOf(group).map((image) => image.version)).toEqual(['1.1.0']);
      expect(await rowOf(off, group, '1.0.0')).toMatchObject({ state: 'retired', retiringAt: null });
    },
    60_000,
  );
});

describe('an unfinished retirement', () => {
  it('(a DELETE that never answered) is not finished once retention is off, is kept while a rule forbids it, and is finished when they allow it', async () => {
    const group = 'rg-crash';
    const app = appsFor(group);
    const off = app(0);
    await twoReadyVersions(off, group);
    const marked = idOf(group, '1.0.0');

    // The DELETE goes out and no answer comes back: the worker cannot tell whether it happened.
    fixture.emulator.setFaults({ kinds: [DELETE], down: 'reset' });
    const lost = await reconcile(app(1).deps);
    expect(lost.retention).toEqual([expect.objectContaining({ version: '1.0.0', outcome: 'failed' })]);
    fixture.emulator.clearFaults();
    expect(await rowOf(off, group, '1.0.0')).toMatchObject({ state: 'ready' });

    // Retention switched off since: the mark licenses nothing; the row follows Graph again.
    const before = fixture.emulator.count(DELETE);
    const offRun = await reconcile(off.deps);
    expect(fixture.emulator.count(DELETE)).toBe(before);
    expect(imagesOf(group).map((image) => image.id)).toContain(marked);
    expect(offRun.retention).toEqual([expect.objectContaining({ version: '1.0.0', outcome: 'kept', why: 'unfinished' })]);
    expect(imagesOf(group).map((image) => image.id)).toContain(marked);
    expect(await rowOf(off, group, '1.0.0')).toMatchObject({ state: 'ready', retiringAt: null });

    // Marked again, and a policy starts using the image before the next run: kept, nothing sent.
    fixture.emulator.setFaults({ kinds: [DELETE], down: 'reset' });
    await reconcile(app(1).deps);
    fixture.emulator.clearFaults();
    fixture.emulator.putProvisioningPolicy({ id: 'crash-policy', displayName: 'Crash', imageType: 'custom', imageId: marked });
    const sent = fixture.emulator.count(DELETE);
    const inUse = await reconcile(app(1).deps);
    expect(fixture.emulator.count(DELETE)).toBe(sent);
    expect(inUse.retention).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ version: '1.0.0', outcome: 'in-use', detail: 'used by provisioning policy "Crash"' }),
      ]),
    );
    expect(await rowOf(off, group, '1.0.0')).toMatchObject({ state: 'ready', retiringAt: null });

    // The policy moves on: every rule allows the deletion now, and it happens.
    fixture.emulator.putProvisioningPolicy({
      id: 'crash-policy',
      displayName: 'Crash',
      imageType: 'custom',
      imageId: idOf(group, '1.1.0'),
    });
    const done = await reconcile(app(1).deps);
    expect(done.retention).toEqual(expect.arrayContaining([expect.objectContaining({ version: '1.0.0', outcome: 'retired' })]));
    expect(imagesOf(group).map((image) => image.version)).toEqual(['1.1.0']);
  }, 90_000);

  it('(a row the previous release marked retired before its DELETE) is kept and follows Graph again: that release recorded no origin', async () => {
    const group = 'rg-legacy';
    const app = appsFor(group);
    const off = app(0);
    await twoReadyVersions(off, group);
    const row = await rowOf(off, group, '1.0.0');
    if (row === null) throw new Error('no row for 1.0.0');
    // What the previous release left: `retired` written before a DELETE that never happened, no origin field.
    await off.deps.ledger.update(row, { state: 'retired', origin: null, reason: 'deleted from Windows 365 by retention' }, new Date());

    const deletes = fixture.emulator.count(DELETE);
    const run = await reconcile(app(1).deps);
    expect(fixture.emulator.count(DELETE)).toBe(deletes);
    expect(imagesOf(group).map((image) => image.version)).toEqual(['1.0.0', '1.1.0']);
    expect(run.retention).toEqual([
      expect.objectContaining({ version: '1.0.0', outcome: 'kept', detail: expect.stringMatching(/did not create/) }),
    ]);
    expect(await rowOf(off, group, '1.0.0')).toMatchObject({ state: 'ready', retiringAt: null, reason: expect.stringMatching(/^kept: /) });
  }, 60_000);
  it('(a DELETE that never answered) is kept, and its row follows Graph again, once a policy rollback would restore the image', async () => {
    const group = 'rg-rollback';
    const app = appsFor(group);
    const off = app(0);
    await twoReadyVersions(off, group);
    const marked = idOf(group, '1.0.0');
    fixture.emulator.setFaults({ kinds: [DELETE], down: 'reset' });
    await reconcile(app(1).deps);
    fixture.emulator.clearFaults();

    // Meanwhile the app rolled a policy out from 1.0.0 to 1.1.0: image-sync rollback would restore 1.0.0.
    await off.deps.rollouts.save(
      {
        policyId: 'rollback-policy',
        policyDisplayName: 'Rollback',
        state: 'rolled-out',
        deviceImageId: idOf(group, '1.1.0'),
        deviceImageDisplayName: imageName(group),
        sourceImageResourceId: sourceIn(group),
        version: '1.1.0',
        previousImageId: marked,
        previousImageDisplayName: imageName(group),
        previousImageType: 'custom',
        updatedAt: new Date().toISOString(),
      },
      null,
    );
    const sent = fixture.emulator.count(DELETE);
    const run = await reconcile(app(1).deps);
    expect(fixture.emulator.count(DELETE)).toBe(sent);
    expect(imagesOf(group).map((image) => image.id)).toContain(marked);
    expect(await rowOf(off, group, '1.0.0')).toMatchObject({ state: 'ready', retiringAt: null });
    expect(run.retention).toEqual([
      expect.objectContaining({
        version: '1.0.0',
        outcome: 'in-use',
        detail: 'kept: image-sync rollback of provisioning policy "Rollback" restores it',
      }),
    ]);
  }, 60_000);

  it('(a DELETE that went through, the ledger write after it lost) is retired after a GET 404, not registered again', async () => {
    // Two sources share a display name: retention (keep 1) deletes source A's current version.
    const settings = testAppSettings(fixture.emulator, {
      IMAGE_SYNC_SUBSCRIPTION_IDS: SUB,
      IMAGE_SYNC_RESOURCE_GROUPS: 'rg-shared-a,rg-shared-b',
    });
    const off = testApp({ ...settings, IMAGE_SYNC_KEEP_VERSIONS: '0' });
    expect((await syncLocally(off)).ending).toBe('settled');
    const row = await rowOf(off, 'rg-shared-a', '1.0.0');
    if (row === null) throw new Error('no row for source A');
    // What a worker that stopped after its DELETE leaves: the mark, and the image gone.
    await markRetiring(off.deps.ledger, row, new Date());
    expect(fixture.emulator.deleteDeviceImage(row.deviceImageId ?? '')).toBe(true);

    fixture.emulator.clearRequests();
    const run = await reconcile(testApp({ ...settings, IMAGE_SYNC_KEEP_VERSIONS: '1' }).deps);
    expect(run.retention).toEqual([expect.objectContaining({ version: '1.0.0', outcome: 'retired', why: 'unfinished' })]);
    expect(fixture.emulator.count('graph.deviceImages.get')).toBe(1);
    expect(run.registered).toBe(0);
    expect(fixture.emulator.count('graph.deviceImages.create')).toBe(0);
    expect(await rowOf(off, 'rg-shared-a', '1.0.0')).toMatchObject({ state: 'retired', retiringAt: null });
  }, 60_000);
});

describe("the planner's retire (an earlier version's device image absent from the listing)", () => {
  it('retires nothing when a GET finds the image (a listing read while it was created), and nothing is deleted later', async () => {
    const group = 'rg-lag';
    const off = appsFor(group)(0);
    expect((await syncLocally(off)).ending).toBe('settled');
    const first = idOf(group, '1.0.0');
    fixture.emulator.rebuildManagedImage(sourceIn(group), { build: 'b2', tags: tags('1.1.0') });

    // This reconcile's listing does not show 1.0.0's device image yet.
    fixture.emulator.setFaults({ kinds: ['graph.deviceImages.list'], listingLag: { next: 1, seconds: 3600 } });
    fixture.emulator.clearRequests();
    const lagged = await reconcile(off.deps);
    expect(await rowOf(off, group, '1.0.0')).toMatchObject({ state: 'ready', deviceImageId: first });
    expect(lagged.retired).toBe(0);
    expect(fixture.emulator.count('graph.deviceImages.get')).toBe(1);

    fixture.emulator.clearFaults();
    expect((await syncLocally(off)).ending).toBe('settled');
    await reconcile(off.deps);
    expect(imagesOf(group).map((image) => [image.version, image.status])).toEqual([
      ['1.0.0', 'ready'],
      ['1.1.0', 'ready'],
    ]);
    expect(await rowOf(off, group, '1.0.0')).toMatchObject({ state: 'ready' });
  }, 60_000);

  it('retires the row when the GET answers 404 (deleted outside the app)', async () => {
    const group = 'rg-lag';
    const off = appsFor(group)(0);
    expect((await syncLocally(off)).ending).toBe('settled');
    // Both versions are in this app's ledger now; 1.0.0's device image is deleted by hand.
    expect(fixture.emulator.deleteDeviceImage(idOf(group, '1.0.0'))).toBe(true);
    fixture.emulator.clearRequests();
    const run = await reconcile(off.deps);
    expect(run.retired).toBe(1);
    expect(fixture.emulator.count('graph.deviceImages.get')).toBe(1);
    expect(await rowOf(off, group, '1.0.0')).toMatchObject({ state: 'retired', reason: expect.stringMatching(/deleted outside the app/) });
  }, 60_000);
});

describe('retention and what the app created', () => {
  it("never deletes the administrator's upload: the app's upload failed, the admin deleted it and uploaded the version by hand", async () => {
    const group = 'rg-admin';
    const app = appsFor(group);
    const keepOne = app(1);
    const deletes = fixture.emulator.count(DELETE);
    expect((await syncLocally(keepOne)).ending).not.toBe('timeout');
    const failed = await rowOf(keepOne, group, '1.0.0');
    expect(failed).toMatchObject({ state: 'failed', attempts: 1 });

    // The administrator deletes the failed device image and uploads 1.0.0 by hand.
    expect(fixture.emulator.deleteDeviceImage(failed?.deviceImageId ?? '')).toBe(true);
    const byHand = fixture.emulator.putDeviceImage({
      displayName: imageName(group),
      version: '1.0.0',
      sourceImageResourceId: sourceIn(group),
    });
    await reconcile(keepOne.deps);
    expect(await rowOf(keepOne, group, '1.0.0')).toMatchObject({ state: 'ready', deviceImageId: byHand, attempts: 1 });

    // The build is fixed and the source moves on to 1.1.0; retention keeps 1 version.
    fixture.emulator.putManagedImage(SUB, group, managedImage({ name: imageName(group), tags: tags('1.1.0'), build: 'b2' }));
    expect((await syncLocally(keepOne)).ending).toBe('settled');
    await reconcile(keepOne.deps);
    expect(imagesOf(group)).toEqual([
      { id: byHand, version: '1.0.0', status: 'ready' },
      expect.objectContaining({ version: '1.1.0', status: 'ready' }),
    ]);
    expect(fixture.emulator.count(DELETE)).toBe(deletes);
    expect(await rowOf(keepOne, group, '1.0.0')).toMatchObject({ state: 'ready', origin: 'adopted' });
    expect(await rowOf(keepOne, group, '1.1.0')).toMatchObject({ state: 'ready', origin: 'created' });
  }, 60_000);

  it("never deletes an administrator's upload that a retried register job finds by its look-up (the row was queued, not creating)", async () => {
    const group = 'rg-retry';
    const keepOne = appsFor(group)(1);
    const deletes = fixture.emulator.count(DELETE);
    expect((await syncLocally(keepOne)).ending).not.toBe('timeout');
    const failed = await rowOf(keepOne, group, '1.0.0');
    expect(failed).toMatchObject({ state: 'failed', attempts: 1 });
    expect(fixture.emulator.deleteDeviceImage(failed?.deviceImageId ?? '')).toBe(true);

    // image-sync register retries it; the function app plans the request and queues the job.
    await requestRegistration(keepOne.deps, sourceIn(group), {});
    const deliver = async () => {
      for (const message of await drainQueueForTest(keepOne, keepOne.config.registerQueue))
        await handleRegisterMessage(keepOne.deps, message, { messageId: null });
    };
    await deliver();
    expect(await rowOf(keepOne, group, '1.0.0')).toMatchObject({ state: 'queued', attempts: 1 });
    // Meanwhile the administrator uploads 1.0.0 by hand; the job's look-up finds it before posting.
    const byHand = fixture.emulator.putDeviceImage({
      displayName: imageName(group),
      version: '1.0.0',
      sourceImageResourceId: sourceIn(group),
    });
    const creates = fixture.emulator.count('graph.deviceImages.create');
    await deliver();
    expect(fixture.emulator.count('graph.deviceImages.create')).toBe(creates);
    expect(await rowOf(keepOne, group, '1.0.0')).toMatchObject({ state: 'ready', deviceImageId: byHand, attempts: 2 });

    fixture.emulator.putManagedImage(SUB, group, managedImage({ name: imageName(group), tags: tags('1.1.0'), build: 'b2' }));
    expect((await syncLocally(keepOne)).ending).toBe('settled');
    expect(imagesOf(group).map((image) => image.id)).toContain(byHand);
    expect(fixture.emulator.count(DELETE)).toBe(deletes);
    expect(await rowOf(keepOne, group, '1.0.0')).toMatchObject({ state: 'ready', origin: 'adopted' });
  }, 60_000);

  it("deletes the app's own image whose create answer was lost (found by the look-up while the row was creating)", async () => {
    const group = 'rg-ambiguous';
    const keepOne = appsFor(group)(1);
    fixture.emulator.setFaults({ kinds: ['graph.deviceImages.create'], ambiguousCreates: { next: 1 } });
    expect((await syncLocally(keepOne)).ending).toBe('settled');
    fixture.emulator.clearFaults();
    expect(fixture.emulator.requests.filter((request) => request.fault === 'ambiguous-create')).toHaveLength(1);
    expect(await rowOf(keepOne, group, '1.0.0')).toMatchObject({ state: 'ready', origin: 'created' });

    fixture.emulator.rebuildManagedImage(sourceIn(group), { build: 'b2', tags: tags('1.1.0') });
    expect((await syncLocally(keepOne)).ending).toBe('settled');
    expect(imagesOf(group).map((image) => image.version)).toEqual(['1.1.0']);
    expect(await rowOf(keepOne, group, '1.0.0')).toMatchObject({ state: 'retired' });
  }, 60_000);

  it('counts a version Graph lists as ready as ready though the ledger says failed: keep 2 deletes the oldest, not that one', async () => {
    const group = 'rg-graph-ready';
    const app = appsFor(group);
    const off = app(0);
    expect((await syncLocally(off)).ending).toBe('settled');
    // 1.1.0's upload fails (the ledger records it failed); a retry of it would succeed.
    fixture.emulator.putManagedImage(
      SUB,
      group,
      managedImage({
        name: imageName(group),
        tags: tags('1.1.0'),
        build: 'b2',
        upload: { outcome: 'failed', errorCode: 'sourceImageInvalid', retryOutcome: 'ready' },
      }),
    );
    await syncLocally(off);
    expect(await rowOf(off, group, '1.1.0')).toMatchObject({ state: 'failed' });
    fixture.emulator.putManagedImage(SUB, group, managedImage({ name: imageName(group), tags: tags('1.2.0'), build: 'b3' }));
    expect((await syncLocally(off)).ending).not.toBe('timeout');

    // The administrator retries 1.1.0's upload in the Intune admin center; it finishes ready.
    await off.deps.deviceImages.retryUpload(idOf(group, '1.1.0'));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(imagesOf(group).map((image) => [image.version, image.status])).toEqual([
      ['1.0.0', 'ready'],
      ['1.1.0', 'ready'],
      ['1.2.0', 'ready'],
    ]);
    expect(await rowOf(off, group, '1.1.0')).toMatchObject({ state: 'failed' });

    const run = await reconcile(app(2).deps);
    expect(run.retention).toEqual([expect.objectContaining({ version: '1.0.0', outcome: 'retired', why: 'superseded' })]);
    expect(imagesOf(group).map((image) => image.version)).toEqual(['1.1.0', '1.2.0']);
    expect(await rowOf(off, group, '1.1.0')).toMatchObject({ state: 'ready' });
  }, 60_000);
});
