// Exactly one device image per source image under at-least-once delivery (DESIGN §8), beyond what
// test/integration/handlers/registerImage.test.ts proves: slow and timed-out creates, two workers at
// once, a status check delivered twice across a retryUpload, and a Graph outage longer than the
// in-process retries, after which the queue delivers again.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RegisterJob, StatusCheck } from '../../../src/domain';
import { estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../../src/emulator';
import { LedgerConflictError, TransientError } from '../../../src/errors';
import { runLocalSync } from '../../../src/local/runLocalSync';
import { pollImageStatus } from '../../../src/handlers/pollImageStatus';
import { registerImage } from '../../../src/handlers/registerImage';
import { CLAIM_LEASE_MS } from '../../../src/rules/times';
import { type TestApp, drainQueueForTest, testApp, testAppSettings } from '../../support/appDeps';
import { registration } from '../../support/registration';
import { manualClock, useEmulator } from '../../support/emulator';
import { appWithGraph, nextMessages, pause, sameStorageSettings } from './reliabilityApp';

const SUB = '33333333-3333-4333-8333-333333333333';
const imageId = (name: string) => managedImageResourceId(SUB, 'rg-images', name);
const CREATE = 'graph.deviceImages.create';

const fixture = useEmulator(() =>
  estate({
    uploadSeconds: 30,
    subscriptions: [
      subscription({
        id: SUB,
        resourceGroups: [
          resourceGroup('rg-images', [
            ...['late', 'amb-x', 'amb-y', 'outlived'].map((name) => managedImage({ name: `${name}-1.0.0` })),
            ...['flaky', 'refused'].map((name) =>
              managedImage({
                name: `${name}-1.0.0`,
                upload: { outcome: 'failed', errorCode: 'internalServerError', seconds: 0.2, retryOutcome: 'ready', retrySeconds: 0.2 },
              }),
            ),
          ]),
          // Registered by the outage test through the real queues; nothing else touches them.
          resourceGroup(
            'rg-outage',
            ['o1', 'o2', 'o3', 'o4'].map((name) => managedImage({ name: `${name}-1.0.0`, upload: { outcome: 'ready', seconds: 0.3 } })),
          ),
        ],
      }),
    ],
  }),
);

function job(name: string): RegisterJob {
  return {
    v: 1,
    sourceImageResourceId: imageId(name),
    displayName: name.replace(/-1\.0\.0$/, ''),
    version: '1.0.0',
    trigger: 'reconcile',
    enqueuedAt: new Date().toISOString(),
  };
}

function deviceImagesFor(sourceImageResourceId: string) {
  const key = sourceImageResourceId.toLowerCase();
  return fixture.emulator.deviceImages({ includeDeleted: true }).filter((image) => image.sourceImageResourceId.toLowerCase() === key);
}

const alerts = (app: TestApp) => app.lines.filter((line) => line.startsWith('error: ImageSyncFailure'));

async function withFaults<T>(rules: Parameters<typeof fixture.emulator.setFaults>, work: () => Promise<T>): Promise<T> {
  fixture.emulator.setFaults(...rules);
  try {
    return await work();
  } finally {
    fixture.emulator.clearFaults();
  }
}

describe('exactly one device image per source image', () => {
  it('adopts on the next delivery a create that timed out in the client but took effect later, without posting again', async () => {
    const app = appWithGraph(testAppSettings(fixture.emulator), { timeoutMs: 300, retry: { delaySeconds: 0.2, maxRetries: 1 } });
    const posted = fixture.emulator.count(CREATE);
    await withFaults([{ service: 'graph', kinds: [CREATE], latencyMs: 800 }], async () => {
      await expect(registerImage(app.deps, job('late-1.0.0'))).rejects.toBeInstanceOf(TransientError);
      expect(await app.deps.ledger.get(registration(imageId('late-1.0.0')))).toMatchObject({ state: 'creating' });
      // The queue hides a failed message (host.json visibilityTimeout) before delivering it again.
      await pause(900);
    });
    await registerImage(app.deps, job('late-1.0.0'));

    expect(fixture.emulator.count(CREATE)).toBe(posted + 1);
    const [created, ...more] = deviceImagesFor(imageId('late-1.0.0'));
    expect(more).toEqual([]);
    expect(await app.deps.ledger.get(registration(imageId('late-1.0.0')))).toMatchObject({
      state: 'pending',
      deviceImageId: created?.id,
      attempts: 2,
    });
  });

  it('lets two workers whose creates both lose their answer adopt each its own image', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    const other = testApp(sameStorageSettings(fixture.emulator, app));
    await withFaults(
      [
        { service: 'graph', kinds: [CREATE], ambiguousCreates: { next: 1, answer: 500 } },
        { service: 'graph', kinds: [CREATE], ambiguousCreates: { next: 1, answer: 'reset' } },
      ],
      () => Promise.all([registerImage(app.deps, job('amb-x-1.0.0')), registerImage(other.deps, job('amb-y-1.0.0'))]),
    );
    for (const name of ['amb-x-1.0.0', 'amb-y-1.0.0']) {
      const [created, ...more] = deviceImagesFor(imageId(name));
      expect(more).toEqual([]);
      expect(created).toMatchObject({ sourceImageResourceId: imageId(name) });
      expect(await app.deps.ledger.get(registration(imageId(name)))).toMatchObject({ state: 'pending', deviceImageId: created?.id });
    }
  });

  it('adopts, rather than records as rejected, a create refused because a create that outlived its claim landed first', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    // Another instance whose clock is past the first claim's lease (a long wait before that POST, or clocks apart).
    const lateClock = manualClock(new Date(Date.now() + CLAIM_LEASE_MS + 10_000));
    const other = testApp(sameStorageSettings(fixture.emulator, app), lateClock);
    // As the planner sends it: with the source's fingerprint, so the read before the POST writes nothing.
    const fingerprint = (await app.deps.sourceImages.get(imageId('outlived-1.0.0')))?.contentFingerprint ?? undefined;
    const planned: RegisterJob = { ...job('outlived-1.0.0'), ...(fingerprint === undefined ? {} : { fingerprint }) };
    const outcomes = await withFaults([{ service: 'graph', kinds: [CREATE], latencyMs: 600 }], async () => {
      const first = registerImage(app.deps, planned);
      // The first worker has claimed the row, read its source (DESIGN §15) and its POST is on its way.
      await pause(300);
      return Promise.allSettled([first, registerImage(other.deps, planned)]);
    });

    // The later worker adopts the first one's image; the first, whose ledger write then lost, leaves
    // its message to the queue (a LedgerConflictError), and delivered again it finds the job done.
    const [firstOutcome, laterOutcome] = outcomes;
    expect(laterOutcome?.status).toBe('fulfilled');
    if (firstOutcome?.status === 'rejected') expect(firstOutcome.reason).toBeInstanceOf(LedgerConflictError);
    await registerImage(app.deps, job('outlived-1.0.0'));
    const [created, ...more] = deviceImagesFor(imageId('outlived-1.0.0'));
    expect(more).toEqual([]);
    expect(
      fixture.emulator.requests
        .filter((request) => request.kind === CREATE && request.body.includes('outlived'))
        .map((request) => request.status),
    ).toEqual([201, 409]);
    expect(await app.deps.ledger.get(registration(imageId('outlived-1.0.0')))).toMatchObject({
      state: 'pending',
      deviceImageId: created?.id,
      errorCode: null,
    });
    expect([...alerts(app), ...alerts(other)]).toEqual([]);
  });

  it('sends one retryUpload for a status check delivered twice at once, and the upload ends ready', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    const other = testApp(sameStorageSettings(fixture.emulator, app));
    await registerImage(app.deps, job('flaky-1.0.0'));
    const [check] = (await nextMessages(app, app.config.statusQueue, 1)) as StatusCheck[];
    if (check === undefined) throw new Error('no status check was scheduled');
    await pause(300);
    const retries = fixture.emulator.count('graph.deviceImages.retryUpload');
    await withFaults([{ service: 'graph', kinds: ['graph.deviceImages.retryUpload'], latencyMs: 300 }], () =>
      Promise.all([pollImageStatus(app.deps, check), pollImageStatus(other.deps, check)]),
    );

    expect(fixture.emulator.count('graph.deviceImages.retryUpload')).toBe(retries + 1);
    expect(await app.deps.ledger.get(registration(imageId('flaky-1.0.0')))).toMatchObject({
      state: 'pending',
      retryUploads: 1,
      statusChecks: 1,
    });
    const next = (await drainQueueForTest(app, app.config.statusQueue, 2_500)) as StatusCheck[];
    expect(next).toEqual([{ ...check, check: 1, since: expect.any(String), retryUploads: 1 }]);
    await pause(300);
    if (next[0] !== undefined) await pollImageStatus(app.deps, next[0]);
    expect(await app.deps.ledger.get(registration(imageId('flaky-1.0.0')))).toMatchObject({ state: 'ready', retryUploads: 1 });
    expect(deviceImagesFor(imageId('flaky-1.0.0'))).toHaveLength(1);
  });
});

describe('a retryUpload that does not go through', () => {
  it('is given back, so the check, delivered again, retries the upload, which ends ready', async () => {
    const app = appWithGraph(testAppSettings(fixture.emulator), { retry: { delaySeconds: 0.1, maxRetries: 1 } });
    await registerImage(app.deps, job('refused-1.0.0'));
    const [check] = (await nextMessages(app, app.config.statusQueue, 1)) as StatusCheck[];
    if (check === undefined) throw new Error('no status check was scheduled');
    await pause(300);
    await withFaults([{ service: 'graph', kinds: ['graph.deviceImages.retryUpload'], unavailable: { next: 2 } }], () =>
      expect(pollImageStatus(app.deps, check)).rejects.toBeInstanceOf(TransientError),
    );
    expect(await app.deps.ledger.get(registration(imageId('refused-1.0.0')))).toMatchObject({
      state: 'pending',
      retryUploads: 0,
      statusChecks: 0,
    });

    await pollImageStatus(app.deps, check);
    const [next] = (await nextMessages(app, app.config.statusQueue, 1)) as StatusCheck[];
    expect(next).toMatchObject({ check: 1, retryUploads: 1 });
    await pause(300);
    if (next !== undefined) await pollImageStatus(app.deps, next);
    expect(await app.deps.ledger.get(registration(imageId('refused-1.0.0')))).toMatchObject({ state: 'ready', retryUploads: 1 });
  });
});

describe('a Graph outage longer than the in-process retries', () => {
  it('ends, with the jobs sent again later, with every image registered once and ready, nothing poisoned', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'image-sync-outage-'));
    const hostJsonPath = path.join(directory, 'host.json');
    // The deployed host.json, with a 1 s visibility timeout so the test does not wait 30 s per delivery.
    await writeFile(
      hostJsonPath,
      JSON.stringify({
        version: '2.0',
        extensions: {
          queues: {
            maxPollingInterval: '00:00:00.500',
            visibilityTimeout: '00:00:01',
            batchSize: 16,
            newBatchThreshold: 8,
            maxDequeueCount: 5,
            messageEncoding: 'base64',
          },
        },
      }),
    );
    const app = appWithGraph(testAppSettings(fixture.emulator, { IMAGE_SYNC_RESOURCE_GROUPS: 'rg-outage' }), {
      retry: { delaySeconds: 0.2, maxRetries: 1 },
    });
    const ids = ['o1', 'o2', 'o3', 'o4'].map((name) => managedImageResourceId(SUB, 'rg-outage', `${name}-1.0.0`));
    let outage: { startedAt: number; endedAt: number } | null = null;
    const startOutage = () => {
      if (outage !== null) return;
      // Reconcile has queued the jobs: Graph goes down for 4 s, longer than a call's retries (about 1 s).
      fixture.emulator.setFaults({ service: 'graph', down: 'unavailable' });
      const startedAt = Date.now();
      outage = { startedAt, endedAt: startedAt + 4_000 };
      setTimeout(() => fixture.emulator.clearFaults(), 4_000);
    };
    const firstRequest = fixture.emulator.requests.length;
    try {
      const result = await runLocalSync({ deps: app.deps, clients: app.clients, hostJsonPath, timeoutMs: 25_000, onProgress: startOutage });

      expect(result.ending).toBe('settled');
      expect(result.rows.map((row) => row.state)).toEqual(['ready', 'ready', 'ready', 'ready']);
      expect(result.problems).toEqual([]);
      for (const id of ids) expect(deviceImagesFor(id)).toHaveLength(1);
      const during = fixture.emulator.requests.slice(firstRequest).filter((request) => request.fault === 'down');
      expect(during.length).toBeGreaterThan(0);
      // Transient failures come back as jobs sent again later, never by spending the queue's deliveries.
      expect(app.lines.filter((line) => line.startsWith('warn: TransientRetryScheduled')).length).toBeGreaterThan(0);
      expect(app.lines.filter((line) => line.startsWith('warn: QueueMessageFailed'))).toEqual([]);
      expect(app.lines.filter((line) => line.includes('QueueMessagePoisoned'))).toEqual([]);
      expect(fixture.emulator.earlyRetries()).toEqual([]);
    } finally {
      fixture.emulator.clearFaults();
      await rm(directory, { recursive: true, force: true });
    }
  });
});
