// DESIGN §15 "A create posts the version the source carries now", through the real handlers, queues,
// table and the emulator: a register job held by an outage of POSTs while Image Builder rebuilds its
// managed image in place never uploads the new build under the old version.
import { describe, expect, it } from 'vitest';
import { type RegisterJob, registrationKey } from '../../../src/domain';
import {
  type Emulator,
  type FaultRule,
  estate,
  managedImage,
  managedImageResourceId,
  resourceGroup,
  subscription,
} from '../../../src/emulator';
import { reconcile } from '../../../src/handlers/reconcile';
import { slotName } from '../../../src/rules/slotName';
import { handleRegisterMessage } from '../../../src/handlers/registerImage';
import { requestRegistration } from '../../../src/handlers/requestRegistration';
import { type TestApp, drainQueueForTest, testAppSettings } from '../../support/appDeps';
import { manualClock, useEmulator } from '../../support/emulator';
import { appWithGraph } from '../reliability/reliabilityApp';
import { syncLocally } from './localSync';

const SUB = '15151515-1515-4515-8515-151515151515';
const imageId = (name: string) => managedImageResourceId(SUB, 'rg-aib', name);
const tagged = (version: string) => ({ 'cloudpc-sync': 'true', 'cloudpc-version': version });
const POSTS_DOWN: FaultRule = { service: 'graph', kinds: ['graph.deviceImages.create'], down: 'unavailable' };

/** A tenant of its own per case: one managed image, built once. */
function tenantWith(name: string, version: string) {
  return useEmulator(() =>
    estate({
      uploadSeconds: 0.3,
      subscriptions: [
        subscription({ id: SUB, resourceGroups: [resourceGroup('rg-aib', [managedImage({ name, tags: tagged(version), build: '1' })])] }),
      ],
    }),
  );
}

function appFor(emulator: Emulator): TestApp {
  return appWithGraph(testAppSettings(emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB }), { retry: { delaySeconds: 0.1, maxRetries: 1 } });
}

/** The reconcile's job, handled once while every create POST fails: it comes back later, on the queue. */
async function holdCreateByOutage(emulator: Emulator, app: TestApp): Promise<RegisterJob> {
  emulator.setFaults(POSTS_DOWN);
  try {
    await reconcile(app.deps);
    const [job, ...others] = (await drainQueueForTest(app, app.config.registerQueue)) as RegisterJob[];
    expect(others).toEqual([]);
    if (job === undefined) throw new Error('the reconcile queued no job');
    await handleRegisterMessage(app.deps, job, { messageId: 'held' });
    return job;
  } finally {
    emulator.clearFaults();
  }
}

describe('an in-place rebuild while a create is held by an outage of POSTs', () => {
  const fixture = tenantWith('win11-aib', '1.0.0');

  it('posts nothing for 1.0.0 (skipped superseded, no alert), and registers 1.1.0 with the new build, once', async () => {
    const app = appFor(fixture.emulator);
    const held = await holdCreateByOutage(fixture.emulator, app);
    expect(held).toMatchObject({ version: '1.0.0', fingerprint: expect.stringContaining('build-vm-1') });
    expect(await app.deps.ledger.get({ sourceImageResourceId: imageId('win11-aib'), version: '1.0.0' })).toMatchObject({
      state: 'creating',
    });
    fixture.emulator.rebuildManagedImage(imageId('win11-aib'), { build: '2', tags: tagged('1.1.0') });
    fixture.emulator.clearRequests();

    // The outage is over: the held job comes back (its delayed message) and the reconcile runs.
    const result = await syncLocally(app);

    const images = fixture.emulator.deviceImages();
    expect(images.map(({ version, sourceBuild, status }) => ({ version, sourceBuild, status }))).toEqual([
      { version: '1.1.0', sourceBuild: '2', status: 'ready' },
    ]);
    expect(fixture.emulator.duplicateDeviceImages()).toEqual([]);
    const posted = fixture.emulator.requests.filter((request) => request.kind === 'graph.deviceImages.create');
    expect(posted.map((request) => JSON.parse(request.body ?? '{}') as { version: string }).map((body) => body.version)).not.toContain(
      '1.0.0',
    );
    expect(await app.deps.ledger.get({ sourceImageResourceId: imageId('win11-aib'), version: '1.0.0' })).toMatchObject({
      state: 'skipped',
      reason: 'superseded',
      fix: expect.stringMatching(/rebuilt as 1\.1\.0/),
      deviceImageId: null,
    });
    expect(await app.deps.ledger.get({ sourceImageResourceId: imageId('win11-aib'), version: '1.1.0' })).toMatchObject({
      state: 'ready',
      contentFingerprint: expect.stringContaining('win11-aib-os-2'),
    });
    expect(app.lines.filter((line) => line.includes('ImageSyncFailure'))).toEqual([]);
    expect(result.rows.filter((row) => row.state === 'skipped').map((row) => row.reason)).toEqual(['superseded']);
    // Its slot is free at once: only 1.1.0's registration holds one (until Graph's list has counted it a while).
    expect(await app.deps.slots.reserved(new Date())).toEqual(new Set([slotName(registrationKey(imageId('win11-aib'), '1.1.0'))]));
  });
});

describe('the same version rebuilt with other content before anything was posted', () => {
  const fixture = tenantWith('win11-same', '2.0.0');

  it('posts the version with the content the source holds now, and the row records that content', async () => {
    const app = appFor(fixture.emulator);
    await holdCreateByOutage(fixture.emulator, app);
    fixture.emulator.rebuildManagedImage(imageId('win11-same'), { build: '2' });

    await syncLocally(app);

    expect(fixture.emulator.deviceImages().map(({ version, sourceBuild }) => ({ version, sourceBuild }))).toEqual([
      { version: '2.0.0', sourceBuild: '2' },
    ]);
    const row = await app.deps.ledger.get({ sourceImageResourceId: imageId('win11-same'), version: '2.0.0' });
    expect(row).toMatchObject({ state: 'ready', contentFingerprint: expect.stringContaining('win11-same-os-2'), sourceWarnings: [] });
    expect(app.lines.some((line) => line.includes('SourceContentChanged'))).toBe(true);
    expect(app.lines.filter((line) => line.includes('version-unchanged'))).toEqual([]);
  });
});

describe('what the read before each POST costs', () => {
  const fixture = useEmulator(() =>
    estate({
      uploadSeconds: 0.3,
      subscriptions: [
        subscription({
          id: SUB,
          resourceGroups: [
            resourceGroup(
              'rg-aib',
              ['a', 'b', 'c'].map((name) => managedImage({ name: `win11-${name}-1.0.0` })),
            ),
          ],
        }),
      ],
    }),
  );

  it('one ARM GET per POST, none in the reconcile', async () => {
    const app = appFor(fixture.emulator);
    await reconcile(app.deps);
    expect(fixture.emulator.count('arm.images.get')).toBe(0);
    await syncLocally(app);
    expect(fixture.emulator.count('graph.deviceImages.create')).toBe(3);
    expect(fixture.emulator.count('arm.images.get')).toBe(3);
  });
});

describe('an earlier attempt whose POST landed, then a rebuild', () => {
  const fixture = tenantWith('win11-own', '1.0.0');

  it("adopts this registration's own 1.0.0 (the look-up comes before the re-read), then registers 1.1.0", async () => {
    const app = appFor(fixture.emulator);
    await reconcile(app.deps);
    const [job] = (await drainQueueForTest(app, app.config.registerQueue)) as RegisterJob[];
    if (job === undefined) throw new Error('the reconcile queued no job');
    // The create takes effect but its answer is lost, and the look-up cannot list the tenant yet.
    fixture.emulator.setFaults(
      { service: 'graph', kinds: ['graph.deviceImages.create'], ambiguousCreates: { next: 1, answer: 500 } },
      { service: 'graph', kinds: ['graph.deviceImages.list'], down: 'unavailable' },
    );
    try {
      await handleRegisterMessage(app.deps, job, { messageId: 'ambiguous' });
    } finally {
      fixture.emulator.clearFaults();
    }
    expect(await app.deps.ledger.get(job)).toMatchObject({ state: 'creating' });
    fixture.emulator.rebuildManagedImage(imageId('win11-own'), { build: '2', tags: tagged('1.1.0') });

    await syncLocally(app);

    const images = fixture.emulator.deviceImages().map(({ version, sourceBuild }) => ({ version, sourceBuild }));
    expect(images.sort((a, b) => a.version.localeCompare(b.version))).toEqual([
      { version: '1.0.0', sourceBuild: '1' },
      { version: '1.1.0', sourceBuild: '2' },
    ]);
    expect(fixture.emulator.count('graph.deviceImages.create')).toBe(2);
    expect(await app.deps.ledger.get(job)).toMatchObject({ state: 'ready' });
  });
});

describe("an earlier version's job lost before it was handled, then a rebuild", () => {
  const fixture = tenantWith('win11-lost', '1.0.0');

  it('the next reconcile skips 1.0.0 superseded (no job, its slot given back) and queues 1.1.0; nothing posts 1.0.0', async () => {
    const clock = manualClock(new Date());
    const app = appWithGraph(
      testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB }),
      { retry: { delaySeconds: 0.1, maxRetries: 1 } },
      clock,
    );
    await reconcile(app.deps);
    // The message is lost (never handled); the image is rebuilt; the row goes stale.
    expect(await drainQueueForTest(app, app.config.registerQueue)).toHaveLength(1);
    fixture.emulator.rebuildManagedImage(imageId('win11-lost'), { build: '2', tags: tagged('1.1.0') });
    clock.advance(31 * 60_000);

    await reconcile(app.deps);

    const jobs = (await drainQueueForTest(app, app.config.registerQueue)) as RegisterJob[];
    expect(jobs.map((job) => job.version)).toEqual(['1.1.0']);
    expect(await app.deps.ledger.get({ sourceImageResourceId: imageId('win11-lost'), version: '1.0.0' })).toMatchObject({
      state: 'skipped',
      reason: 'superseded',
    });
    expect(await app.deps.slots.reserved(clock.now())).toEqual(new Set([slotName(registrationKey(imageId('win11-lost'), '1.1.0'))]));
    expect(app.lines.filter((line) => line.includes('ImageSyncFailure'))).toEqual([]);
  });
});

describe('image-sync register without --version, then an in-place rebuild while the create is held', () => {
  const fixture = tenantWith('win11-req', '1.0.0');

  /** The request, then the function app planning it: the planned job, held by an outage of POSTs. */
  async function requestAndHold(app: TestApp, overrides: { readonly version?: string }): Promise<RegisterJob> {
    const request = await requestRegistration(app.deps, imageId('win11-req'), overrides);
    expect(request.outcome).toBe('queued');
    const [requested] = (await drainQueueForTest(app, app.config.registerQueue)) as RegisterJob[];
    if (requested === undefined) throw new Error('the request queued no message');
    expect(requested).toMatchObject({ requested: true, versionFromCaller: overrides.version !== undefined });
    await handleRegisterMessage(app.deps, requested, { messageId: 'request' });
    const [planned] = (await drainQueueForTest(app, app.config.registerQueue)) as RegisterJob[];
    if (planned === undefined) throw new Error('the function app queued no planned job');
    fixture.emulator.setFaults(POSTS_DOWN);
    try {
      await handleRegisterMessage(app.deps, planned, { messageId: 'held' });
    } finally {
      fixture.emulator.clearFaults();
    }
    return planned;
  }

  it('posts nothing for the version read from the tags once the source carries another (skipped superseded)', async () => {
    const app = appFor(fixture.emulator);
    const planned = await requestAndHold(app, {});
    expect(planned).toMatchObject({ version: '1.0.0', trigger: 'manual', versionFromCaller: false });
    fixture.emulator.rebuildManagedImage(imageId('win11-req'), { build: '2', tags: tagged('1.1.0') });

    await syncLocally(app);

    expect(fixture.emulator.deviceImages().map(({ version, sourceBuild }) => ({ version, sourceBuild }))).toEqual([
      { version: '1.1.0', sourceBuild: '2' },
    ]);
    expect(await app.deps.ledger.get({ sourceImageResourceId: imageId('win11-req'), version: '1.0.0' })).toMatchObject({
      state: 'skipped',
      reason: 'superseded',
      deviceImageId: null,
    });
  });

  it('still posts the version the caller gave with --version, with the content the source holds now', async () => {
    const app = appFor(fixture.emulator);
    fixture.emulator.rebuildManagedImage(imageId('win11-req'), { build: '3', tags: { 'cloudpc-sync': 'true' } });
    const planned = await requestAndHold(app, { version: '7.0.0' });
    expect(planned).toMatchObject({ version: '7.0.0', versionFromCaller: true });
    fixture.emulator.rebuildManagedImage(imageId('win11-req'), { build: '4', tags: tagged('1.2.0') });

    await syncLocally(app);

    const images = fixture.emulator.deviceImages().map(({ version, sourceBuild }) => ({ version, sourceBuild }));
    expect(images).toContainEqual({ version: '7.0.0', sourceBuild: '4' });
    expect(await app.deps.ledger.get({ sourceImageResourceId: imageId('win11-req'), version: '7.0.0' })).toMatchObject({
      state: 'ready',
      contentFingerprint: expect.stringContaining('win11-req-os-4'),
    });
  });
});
