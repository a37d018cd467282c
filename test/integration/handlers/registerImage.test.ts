import { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../../src/emulator';
import { encodeMessage } from '../../../src/queue/messageEncoding';
import { claimImage, markFailed, queueImage } from '../../../src/steps/ledgerTransitions';
import type { Ledger } from '../../../src/ports';
import { handleRegisterMessage, registerImage } from '../../../src/handlers/registerImage';
import { CLAIM_LEASE_MS } from '../../../src/rules/times';
import type { RegisterJob } from '../../../src/domain';
import { type TestApp, drainQueueForTest, testApp, testAppSettings } from '../../support/appDeps';
import { registration } from '../../support/registration';
import { manualClock, useEmulator } from '../../support/emulator';

const SUB = '11111111-1111-4111-8111-111111111111';
const imageId = (name: string) => managedImageResourceId(SUB, 'rg-images', name);

const fixture = useEmulator(() =>
  estate({
    uploadSeconds: 30,
    subscriptions: [
      subscription({
        id: SUB,
        resourceGroups: [
          resourceGroup(
            'rg-images',
            ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'l', 'm', 'n', 'o'].map((letter) =>
              managedImage({ name: `win11-${letter}-1.0.0` }),
            ),
          ),
        ],
      }),
    ],
  }),
);

function job(name: string, overrides: Partial<RegisterJob> = {}): RegisterJob {
  return {
    v: 1,
    sourceImageResourceId: imageId(name),
    displayName: name.replace(/-1\.0\.0$/, ''),
    version: '1.0.0',
    trigger: 'reconcile',
    enqueuedAt: '2026-11-23T09:00:00.000Z',
    ...overrides,
  };
}

function deviceImagesFor(name: string) {
  const key = imageId(name).toLowerCase();
  return fixture.emulator.deviceImages().filter((image) => image.sourceImageResourceId.toLowerCase() === key);
}

/** Another instance of the app: its own clients and memory, the same table and queues. */
function otherInstance(app: TestApp): TestApp {
  return testApp({
    ...testAppSettings(fixture.emulator),
    IMAGE_SYNC_TABLE: app.config.table,
    IMAGE_SYNC_REGISTER_QUEUE: app.config.registerQueue,
    IMAGE_SYNC_STATUS_QUEUE: app.config.statusQueue,
  });
}

/** The ledger, counting its reads. */
function countingReads(ledger: Ledger): { ledger: Ledger; reads: () => number } {
  let reads = 0;
  return {
    ledger: {
      ...ledger,
      get: (ref) => {
        reads += 1;
        return ledger.get(ref);
      },
    },
    reads: () => reads,
  };
}

describe('registerImage', () => {
  it('creates one device image, records it pending and schedules the first status check after the poll interval', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    await registerImage(app.deps, job('win11-a-1.0.0'));

    const [created, ...others] = deviceImagesFor('win11-a-1.0.0');
    expect(others).toHaveLength(0);
    expect(created).toMatchObject({ displayName: 'win11-a', version: '1.0.0', status: 'pending' });
    const row = await app.deps.ledger.get(registration(imageId('win11-a-1.0.0')));
    expect(row).toMatchObject({ state: 'pending', deviceImageId: created?.id, attempts: 1, statusChecks: 0 });
    expect(await drainQueueForTest(app, app.config.statusQueue, 0)).toEqual([]);
    const checks = await drainQueueForTest(app, app.config.statusQueue, 2_500);
    expect(checks).toEqual([expect.objectContaining({ v: 1, deviceImageId: created?.id, check: 0, retryUploads: 0 })]);
  });

  it('does nothing for the same job delivered again after it was handled', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    await registerImage(app.deps, job('win11-b-1.0.0'));
    const creates = fixture.emulator.count('graph.deviceImages.create');
    await registerImage(app.deps, job('win11-b-1.0.0'));
    expect(fixture.emulator.count('graph.deviceImages.create')).toBe(creates);
    expect(deviceImagesFor('win11-b-1.0.0')).toHaveLength(1);
  });

  it('creates one device image when two workers take the same job at once', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    const other = testApp({
      ...testAppSettings(fixture.emulator),
      IMAGE_SYNC_TABLE: app.config.table,
      IMAGE_SYNC_REGISTER_QUEUE: app.config.registerQueue,
      IMAGE_SYNC_STATUS_QUEUE: app.config.statusQueue,
    });
    const creates = fixture.emulator.count('graph.deviceImages.create');
    const outcomes = await Promise.allSettled([
      registerImage(app.deps, job('win11-c-1.0.0')),
      registerImage(other.deps, job('win11-c-1.0.0')),
    ]);
    // The one that lost the claim backs off (the queue would deliver its message again), or, when
    // it came late enough, finds the image registered and completes.
    const backedOff = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect(backedOff.length).toBeLessThanOrEqual(1);
    for (const outcome of backedOff) expect(String(outcome.reason)).toMatch(/another worker/);
    expect(fixture.emulator.count('graph.deviceImages.create') - creates).toBe(1);
    expect(deviceImagesFor('win11-c-1.0.0')).toHaveLength(1);
    expect(await app.deps.ledger.get(registration(imageId('win11-c-1.0.0')))).toMatchObject({ state: 'pending' });
  });

  it('claims from the row this process queued, without reading it back', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    await queueImage(app.deps.ledger, null, job('win11-m-1.0.0'), new Date());
    const counted = countingReads(app.deps.ledger);
    await registerImage({ ...app.deps, ledger: counted.ledger }, job('win11-m-1.0.0'));
    expect(counted.reads()).toBe(0);
    expect(deviceImagesFor('win11-m-1.0.0')).toHaveLength(1);
    expect(await otherInstance(app).deps.ledger.get(registration(imageId('win11-m-1.0.0')))).toMatchObject({
      state: 'pending',
      attempts: 1,
    });
  });

  it('posts no second image for a job another instance handled since this one queued it', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    const other = otherInstance(app);
    await queueImage(app.deps.ledger, null, job('win11-n-1.0.0'), new Date());
    await registerImage(other.deps, job('win11-n-1.0.0'));
    const creates = fixture.emulator.count('graph.deviceImages.create');
    // This instance still remembers the row queued: its claim fails on the stale ETag, and the read
    // that follows finds the image registered.
    await registerImage(app.deps, job('win11-n-1.0.0'));
    expect(fixture.emulator.count('graph.deviceImages.create')).toBe(creates);
    expect(deviceImagesFor('win11-n-1.0.0')).toHaveLength(1);
    expect(app.lines.some((line) => line.includes('RegisterJobAlreadyHandled'))).toBe(true);
  });

  it('takes up a job another instance queued again, although this one remembers the image handled', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    const other = otherInstance(app);
    await registerImage(app.deps, job('win11-o-1.0.0'));
    expect(app.deps.ledger.remembered(registration(imageId('win11-o-1.0.0')))).toMatchObject({ state: 'pending' });
    // The other instance records the image failed, and an administrator registers it again there.
    const pending = await other.deps.ledger.get(registration(imageId('win11-o-1.0.0')));
    const failed = await markFailed(
      other.deps.ledger,
      pending,
      job('win11-o-1.0.0'),
      { errorCode: 'internalServerError', reason: 'upload failed' },
      new Date(),
    );
    await queueImage(other.deps.ledger, failed, job('win11-o-1.0.0', { trigger: 'manual' }), new Date());
    await registerImage(app.deps, job('win11-o-1.0.0', { trigger: 'manual' }));
    // Not dropped as handled: claimed and adopted (the device image exists), so it is followed again.
    expect(await other.deps.ledger.get(registration(imageId('win11-o-1.0.0')))).toMatchObject({ state: 'pending', attempts: 2 });
    expect(deviceImagesFor('win11-o-1.0.0')).toHaveLength(1);
  });

  it("lets a second worker back off while the first one's create is in flight, so it never posts a second image", async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    const other = testApp({
      ...testAppSettings(fixture.emulator),
      IMAGE_SYNC_TABLE: app.config.table,
      IMAGE_SYNC_REGISTER_QUEUE: app.config.registerQueue,
      IMAGE_SYNC_STATUS_QUEUE: app.config.statusQueue,
    });
    fixture.emulator.setFaults({ service: 'graph', kinds: ['graph.deviceImages.create'], latencyMs: 1_000 });
    try {
      const first = registerImage(app.deps, job('win11-l-1.0.0'));
      await new Promise((resolve) => setTimeout(resolve, 300));
      // A duplicate delivery arrives while the first POST is still on its way.
      await expect(registerImage(other.deps, job('win11-l-1.0.0'))).rejects.toThrow(/another worker/);
      await first;
    } finally {
      fixture.emulator.clearFaults();
    }
    expect(deviceImagesFor('win11-l-1.0.0')).toHaveLength(1);
    // Delivered again later, the job finds the image registered and does nothing.
    await registerImage(other.deps, job('win11-l-1.0.0'));
    expect(deviceImagesFor('win11-l-1.0.0')).toHaveLength(1);
    expect(fixture.emulator.duplicateDeviceImages()).toEqual([]);
  });

  it.each([
    ['answers 500', 500 as const, 'win11-d-1.0.0'],
    ['resets the connection', 'reset' as const, 'win11-e-1.0.0'],
  ])('adopts the image when the create takes effect but then %s, without posting again', async (_what, answer, name) => {
    const app = testApp(testAppSettings(fixture.emulator));
    fixture.emulator.setFaults({ service: 'graph', kinds: ['graph.deviceImages.create'], ambiguousCreates: { next: 1, answer } });
    try {
      const creates = fixture.emulator.count('graph.deviceImages.create');
      await registerImage(app.deps, job(name));
      expect(fixture.emulator.count('graph.deviceImages.create')).toBe(creates + 1);
    } finally {
      fixture.emulator.clearFaults();
    }
    const [adopted, ...others] = deviceImagesFor(name);
    expect(others).toHaveLength(0);
    expect(await app.deps.ledger.get(registration(imageId(name)))).toMatchObject({ state: 'pending', deviceImageId: adopted?.id });
  });

  it('adopts the image created before a crash between the POST and the ledger write', async () => {
    const clock = manualClock(new Date());
    const app = testApp(testAppSettings(fixture.emulator), clock);
    const lost = job('win11-f-1.0.0');
    // The first delivery claimed the row and posted, then the worker died before recording it.
    await claimImage(app.deps.ledger, null, lost, clock.now());
    const created = await app.deps.deviceImages.create({
      displayName: lost.displayName,
      version: lost.version,
      sourceImageResourceId: lost.sourceImageResourceId,
    });
    const creates = fixture.emulator.count('graph.deviceImages.create');
    // The queue delivers the message again after its visibility timeout; by then the claim is stale.
    clock.advance(CLAIM_LEASE_MS);

    await registerImage(app.deps, lost);

    expect(fixture.emulator.count('graph.deviceImages.create')).toBe(creates);
    expect(deviceImagesFor('win11-f-1.0.0')).toHaveLength(1);
    expect(await app.deps.ledger.get(lost)).toMatchObject({ state: 'pending', deviceImageId: created.id, attempts: 2 });
  });

  it('records a display name and version Graph refuses as failed createRejected, alerted once', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    // Requested (image-sync register --display-name taken --version 9.9.9): the caller's version stands for the tags.
    await registerImage(app.deps, job('win11-g-1.0.0', { displayName: 'taken', version: '9.9.9', trigger: 'manual' }));
    await registerImage(app.deps, job('win11-h-1.0.0', { displayName: 'taken', version: '9.9.9', trigger: 'manual' }));
    expect(await app.deps.ledger.get(registration(imageId('win11-h-1.0.0'), '9.9.9'))).toMatchObject({
      state: 'failed',
      errorCode: 'createRejected',
      alertedAt: expect.any(String),
    });
    expect(app.lines.filter((line) => line.startsWith('error: ImageSyncFailure') && line.includes('win11-h-1.0.0'))).toHaveLength(1);
    expect(deviceImagesFor('win11-h-1.0.0')).toHaveLength(0);
  });

  it('records a message that is not a register job as one problem, and completes it', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    await handleRegisterMessage(app.deps, '{"v":2,"sourceImageResourceId":"/subscriptions/x"}', { messageId: 'm-1' });
    const problems = await app.deps.ledger.listProblems();
    expect(problems).toEqual([expect.objectContaining({ kind: 'invalid-message', subject: `${app.config.registerQueue}/m-1` })]);
    expect(problems[0]?.detail).toMatch(/v/);
    expect(app.lines.some((line) => line.startsWith('error: ImageSyncFailure'))).toBe(true);
  });
});

describe('registerImage when Graph refuses the app', () => {
  const strict = useEmulator(
    () =>
      estate({
        subscriptions: [subscription({ id: SUB, resourceGroups: [resourceGroup('rg-images', [managedImage({ name: 'win11-k-1.0.0' })])] })],
      }),
    { token: 'the-right-token' },
  );

  it('creates nothing, records one problem and leaves the image queued for the next reconcile', async () => {
    // Graph alone refuses (403): ARM reads the source before the create, as every create does (DESIGN §15).
    const app = testApp(testAppSettings(strict.emulator, { IMAGE_SYNC_STATIC_TOKEN: 'the-right-token' }));
    strict.emulator.setFaults({ service: 'graph', kinds: ['graph.deviceImages.create'], refuse: { probability: 1, status: 403 } });
    try {
      await registerImage(app.deps, job('win11-k-1.0.0'));
      await registerImage(app.deps, job('win11-k-1.0.0'));
    } finally {
      strict.emulator.clearFaults();
    }

    expect(strict.emulator.deviceImages()).toHaveLength(0);
    expect(await app.deps.ledger.get(registration(imageId('win11-k-1.0.0')))).toMatchObject({ state: 'queued' });
    const problems = await app.deps.ledger.listProblems();
    expect(problems).toEqual([expect.objectContaining({ kind: 'graph-forbidden', subject: 'graph' })]);
    expect(app.lines.filter((line) => line.startsWith('error: ImageSyncFailure'))).toHaveLength(1);
  });

  it('posts nothing when ARM refuses the read before the create: one problem, the image queued for the next reconcile', async () => {
    const app = testApp(testAppSettings(strict.emulator, { IMAGE_SYNC_STATIC_TOKEN: 'a-token-everyone-refuses' }));
    strict.emulator.clearRequests();
    await registerImage(app.deps, job('win11-k-1.0.0'));

    expect(strict.emulator.count('graph.deviceImages.create')).toBe(0);
    expect(await app.deps.ledger.get(registration(imageId('win11-k-1.0.0')))).toMatchObject({ state: 'queued' });
    const problems = await app.deps.ledger.listProblems();
    expect(problems).toEqual([expect.objectContaining({ kind: 'image-unreadable', subject: imageId('win11-k-1.0.0') })]);
    expect(app.lines.filter((line) => line.startsWith('error: ImageSyncFailure'))).toHaveLength(1);
    expect(app.lines.join('\n')).not.toContain('a-token-everyone-refuses');
  });
});

describe('the registerImage function', () => {
  it('takes the message the host hands it (parsed JSON) with an InvocationContext and registers the image', async () => {
    const settings = testAppSettings(fixture.emulator);
    Object.assign(process.env, settings);
    const { registerImageHandler } = await import('../../../functions/registerImage.js');
    const lines: string[] = [];
    const context = new InvocationContext({
      functionName: 'registerImage',
      invocationId: 'inv-1',
      triggerMetadata: { id: 'msg-1', dequeueCount: 1 },
      logHandler: (level, ...args) => lines.push(`${level} ${args.join(' ')}`),
    });
    const message = JSON.parse(Buffer.from(encodeMessage(job('win11-j-1.0.0')), 'base64').toString('utf8')) as unknown;

    await registerImageHandler(message, context);

    expect(deviceImagesFor('win11-j-1.0.0')).toHaveLength(1);
    expect(lines.some((line) => line.startsWith('information DeviceImageCreated'))).toBe(true);
    const app = testApp(settings);
    expect(await app.deps.ledger.get(registration(imageId('win11-j-1.0.0')))).toMatchObject({ state: 'pending' });
  });
});
