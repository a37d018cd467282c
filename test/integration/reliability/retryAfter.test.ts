// Retry-After from Graph (429, and 503 with Retry-After) is honoured everywhere: by the retry
// middleware, by later calls of the same process, across a queue redelivery (the message is held
// until it has passed, so another instance cannot resend early), and a Retry-After the middleware
// would cut short is not retried there at all. Otherwise: backoff with jitter, bounded attempts.
import { describe, expect, it } from 'vitest';
import type { RegisterJob, StatusCheck } from '../../../src/domain';
import { estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../../src/emulator';
import { TransientError } from '../../../src/errors';
import { handleStatusMessage } from '../../../src/handlers/pollImageStatus';
import { reconcile } from '../../../src/handlers/reconcile';
import { handleRegisterMessage, registerImage } from '../../../src/handlers/registerImage';
import { testApp, testAppSettings } from '../../support/appDeps';
import { registration } from '../../support/registration';
import { useEmulator } from '../../support/emulator';
import { appWithGraph, nextMessages, pause, sameStorageSettings, sentBeforeRetryAfter } from './reliabilityApp';

const SUB = '44444444-4444-4444-8444-444444444444';
const imageId = (name: string) => managedImageResourceId(SUB, 'rg-images', name);
const CREATE = 'graph.deviceImages.create';

const fixture = useEmulator(
  () =>
    estate({
      subscriptions: [
        subscription({
          id: SUB,
          resourceGroups: [
            resourceGroup('rg-images', [
              ...['same-process', 'other-instance'].map((name) =>
                managedImage({ name: `${name}-1.0.0`, upload: { outcome: 'ready', seconds: 30 } }),
              ),
              managedImage({
                name: 'throttled-1.0.0',
                upload: { outcome: 'failed', errorCode: 'internalServerError', seconds: 0.2, retryOutcome: 'ready', retrySeconds: 0.2 },
              }),
            ]),
          ],
        }),
      ],
    }),
  { seed: 7 },
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

const deviceImagesFor = (name: string) =>
  fixture.emulator
    .deviceImages({ includeDeleted: true })
    .filter((image) => image.sourceImageResourceId.toLowerCase() === imageId(name).toLowerCase());
const since = (first: number) => fixture.emulator.requests.slice(first);

/** What the queue does with a message whose handler throws a TransientError: delivers it again. */
async function deliverUntilDone(handle: () => Promise<void>, deliveries = 10): Promise<number> {
  for (let delivery = 1; delivery <= deliveries; delivery++) {
    try {
      await handle();
      return delivery;
    } catch (error) {
      if (!(error instanceof TransientError)) throw error;
    }
  }
  throw new Error(`not done after ${deliveries} deliveries`);
}

describe('Retry-After from Graph', () => {
  it('is waited out by the middleware on a create (429), a read (503) and a retryUpload (429, 503) of a registration that ends ready', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    const first = fixture.emulator.requests.length;
    fixture.emulator.setFaults(
      { service: 'graph', kinds: [CREATE], throttle: { next: 1, retryAfterSeconds: 1 } },
      { service: 'graph', kinds: ['graph.deviceImages.get'], unavailable: { next: 1, retryAfterSeconds: 1 } },
      { service: 'graph', kinds: ['graph.deviceImages.retryUpload'], throttle: { next: 1, retryAfterSeconds: 1 } },
      { service: 'graph', kinds: ['graph.deviceImages.retryUpload'], unavailable: { next: 1, retryAfterSeconds: 1 } },
    );
    try {
      await deliverUntilDone(() => handleRegisterMessage(app.deps, job('throttled-1.0.0'), { messageId: 'm-throttled' }));
      for (
        let round = 0;
        round < 6 && (await app.deps.ledger.get(registration(imageId('throttled-1.0.0'))))?.state === 'pending';
        round++
      ) {
        const [check] = (await nextMessages(app, app.config.statusQueue, 1)) as StatusCheck[];
        if (check === undefined) break;
        await deliverUntilDone(() => handleStatusMessage(app.deps, check, { messageId: `c-${round}` }));
      }
    } finally {
      fixture.emulator.clearFaults();
    }
    const met = since(first).filter((request) => request.retryAfterSeconds !== null);
    expect(met.map((request) => `${request.kind} ${request.status}`).sort()).toEqual([
      `${CREATE} 429`,
      'graph.deviceImages.get 503',
      'graph.deviceImages.retryUpload 429',
      'graph.deviceImages.retryUpload 503',
    ]);
    expect(fixture.emulator.earlyRetries()).toEqual([]);
    // Each call carries a client-request-id, kept by its retries (so a retry is told from a look-alike).
    const graphRequests = since(first).filter((request) => request.service === 'graph');
    expect(graphRequests.every((request) => /^[0-9a-f-]{36}$/.test(request.headers['client-request-id'] ?? ''))).toBe(true);
    for (const answered of met) {
      const retry = graphRequests.find(
        (request) =>
          request.sequence > answered.sequence && request.path === answered.path && request.headers['retry-attempt'] !== undefined,
      );
      expect(retry?.headers['client-request-id'], answered.kind).toBe(answered.headers['client-request-id']);
    }
    expect(await app.deps.ledger.get(registration(imageId('throttled-1.0.0')))).toMatchObject({ state: 'ready', retryUploads: 1 });
    expect(deviceImagesFor('throttled-1.0.0')).toHaveLength(1);
  });

  it('on a create answered 503: the create is not sent again, even by the next delivery in the same process, before it has passed', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    fixture.emulator.setFaults({ service: 'graph', kinds: [CREATE], unavailable: { next: 1, retryAfterSeconds: 2 } });
    try {
      await expect(registerImage(app.deps, job('same-process-1.0.0'))).rejects.toBeInstanceOf(TransientError);
      // Delivered again at once (a visibility timeout shorter than Retry-After), to the same process.
      await registerImage(app.deps, job('same-process-1.0.0'));
    } finally {
      fixture.emulator.clearFaults();
    }
    const creates = fixture.emulator.requests.filter((request) => request.kind === CREATE && request.body.includes('same-process'));
    expect(creates.map((request) => request.status)).toEqual([503, 201]);
    expect(fixture.emulator.earlyRetries()).toEqual([]);
    expect(sentBeforeRetryAfter(creates)).toEqual([]);
    expect(deviceImagesFor('same-process-1.0.0')).toHaveLength(1);
  });

  it('on a create answered 503: the job comes back only once it has passed, so another instance taking it next cannot resend early', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    const other = testApp(sameStorageSettings(fixture.emulator, app));
    fixture.emulator.setFaults({ service: 'graph', kinds: [CREATE], unavailable: { next: 1, retryAfterSeconds: 2 } });
    const startedAt = Date.now();
    try {
      // The delivery completes: the job is sent again, hidden until the Retry-After has passed.
      await handleRegisterMessage(app.deps, job('other-instance-1.0.0'), { messageId: 'm-1' });
      const [again] = (await nextMessages(app, app.config.registerQueue, 1, 10_000)) as RegisterJob[];
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(2_000);
      expect(again?.retry).toMatchObject({ attempt: 1, lastError: expect.stringMatching(/503|unavailable/i) });
      if (again !== undefined) await handleRegisterMessage(other.deps, again, { messageId: 'm-2' });
    } finally {
      fixture.emulator.clearFaults();
    }
    expect(app.lines.some((line) => line.startsWith('warn: TransientRetryScheduled'))).toBe(true);
    expect(fixture.emulator.earlyRetries()).toEqual([]);
    expect(
      sentBeforeRetryAfter(
        fixture.emulator.requests.filter((request) => request.kind === CREATE && request.body.includes('other-instance')),
      ),
    ).toEqual([]);
    expect(deviceImagesFor('other-instance-1.0.0')).toHaveLength(1);
  });

  it('holds every other request of the process while one waits out its 429, instead of letting each meet its own', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    const first = fixture.emulator.requests.length;
    fixture.emulator.setFaults({ service: 'graph', kinds: ['graph.deviceImages.list'], throttle: { next: 1, retryAfterSeconds: 1 } });
    try {
      const throttled = app.deps.deviceImages.list();
      // Another call of the same process, once the 429 has come back: the emulator has answered it,
      // and the client has had a moment to read the answer (on a loaded machine it may not have yet
      // when the emulator's log shows it; the hold lasts a second, far longer than that moment).
      for (let waited = 0; waited < 2_000 && !since(first).some((request) => request.status === 429); waited += 10) await pause(10);
      await pause(200);
      await Promise.all([throttled, app.deps.deviceImages.list()]);
    } finally {
      fixture.emulator.clearFaults();
    }
    const lists = since(first).filter((request) => request.kind === 'graph.deviceImages.list');
    const refused = lists.find((request) => request.status === 429);
    if (refused === undefined) throw new Error('no 429');
    expect(lists.filter((request) => request.status === 429)).toHaveLength(1);
    const others = lists.filter((request) => request.headers['client-request-id'] !== refused.headers['client-request-id']);
    expect(others.length).toBeGreaterThan(0);
    for (const request of others) expect(request.receivedAtMs - refused.answeredAtMs).toBeGreaterThanOrEqual(1_000);
    expect(fixture.emulator.earlyRetries()).toEqual([]);
  });

  it('longer than the middleware will wait (180 s) fails the call at once, with the wait, instead of a retry that comes too early', async () => {
    const app = appWithGraph(testAppSettings(fixture.emulator), { retry: { delaySeconds: 1, maxRetries: 3 } });
    const first = fixture.emulator.requests.length;
    fixture.emulator.setFaults({ service: 'graph', throttle: { next: 1, retryAfterSeconds: 200 } });
    const startedAt = Date.now();
    try {
      const error = await app.deps.deviceImages.list().then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(TransientError);
      expect((error as TransientError).retryAfterMs).toBe(200_000);
    } finally {
      fixture.emulator.clearFaults();
    }
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    expect(since(first)).toHaveLength(1);
  });
});

describe('a Graph call that gets no answer', () => {
  it('is sent again with growing, jittered delays when it is a read, so a reset does not fail the reconcile', async () => {
    const app = appWithGraph(testAppSettings(fixture.emulator), { retry: { delaySeconds: 0.2, maxRetries: 3 } });
    const first = fixture.emulator.requests.length;
    fixture.emulator.setFaults({ service: 'graph', kinds: ['graph.deviceImages.list'], reset: { next: 2 } });
    try {
      await reconcile(app.deps);
    } finally {
      fixture.emulator.clearFaults();
    }
    const lists = since(first).filter((request) => request.kind === 'graph.deviceImages.list');
    expect(lists.map((request) => request.status)).toEqual(['reset', 'reset', 200]);
    const gaps = lists.slice(1).map((request, index) => request.receivedAtMs - (lists[index]?.answeredAtMs ?? 0));
    // Half the step fixed, half random: at least 100 ms, then 200 ms.
    expect(gaps[0]).toBeGreaterThanOrEqual(90);
    expect(gaps[1]).toBeGreaterThanOrEqual(190);
  });

  it('is given up after the bounded attempts with a TransientError, which sends the message back to the queue', async () => {
    const app = appWithGraph(testAppSettings(fixture.emulator), { retry: { delaySeconds: 0.1, maxRetries: 2 } });
    const first = fixture.emulator.requests.length;
    fixture.emulator.setFaults({ service: 'graph', kinds: ['graph.deviceImages.list'], down: 'reset' });
    try {
      await expect(app.deps.deviceImages.list()).rejects.toBeInstanceOf(TransientError);
    } finally {
      fixture.emulator.clearFaults();
    }
    expect(since(first).filter((request) => request.kind === 'graph.deviceImages.list')).toHaveLength(3);
  });
});
