// `image-sync register` in two halves: the request (the image's own rules, then one queue message),
// and the function app planning it against the tenant when the register handler receives it.
import { describe, expect, it } from 'vitest';
import type { RegisterJob, StatusCheck } from '../../../src/domain';
import { estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../../src/emulator';
import { pollImageStatus } from '../../../src/handlers/pollImageStatus';
import { handleRegisterMessage, registerImage } from '../../../src/handlers/registerImage';
import { requestRegistration } from '../../../src/handlers/requestRegistration';
import { type TestApp, drainQueueForTest, testApp, testAppSettings } from '../../support/appDeps';
import { registration } from '../../support/registration';
import { useEmulator } from '../../support/emulator';

const SUB = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const id = (name: string) => managedImageResourceId(SUB, 'rg-images', name);
const fixture = useEmulator(() =>
  estate({
    subscriptions: [
      subscription({
        id: SUB,
        resourceGroups: [
          resourceGroup('rg-images', [
            managedImage({
              name: 'unread-1.0.0',
              upload: { outcome: 'failed', errorCode: 'sourceImageNotFound', seconds: 0.1, retryOutcome: 'ready', retrySeconds: 0.1 },
            }),
            managedImage({ name: 'pipeline-2.0.0', tags: {} }),
            managedImage({ name: 'gen1-1.0.0', hyperVGeneration: 'V1' }),
          ]),
        ],
      }),
    ],
  }),
);

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the register function does with each message on the queue now, the way the host hands them over. */
async function handleRegisterQueue(app: TestApp): Promise<unknown[]> {
  const messages = await drainQueueForTest(app, app.config.registerQueue);
  for (const message of messages) await handleRegisterMessage(app.deps, message, { messageId: null });
  return messages;
}

describe('a register request', () => {
  it('is one message marked requested, which the function app plans and then registers under the name and version given', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    const request = await requestRegistration(app.deps, id('pipeline-2.0.0'), { displayName: 'Pipeline "Gold" image', version: '2.1.0' });
    expect(request).toMatchObject({
      outcome: 'queued',
      displayName: 'Pipeline "Gold" image',
      version: '2.1.0',
      ledgerState: null,
      ledgerRead: true,
    });
    expect(await app.deps.ledger.list()).toEqual([]);
    expect(fixture.emulator.requests.filter((request) => request.service === 'graph')).toEqual([]);

    const [requested] = (await handleRegisterQueue(app)) as RegisterJob[];
    expect(requested).toMatchObject({ displayName: 'Pipeline "Gold" image', version: '2.1.0', trigger: 'manual', requested: true });
    expect(await app.deps.ledger.get(registration(id('pipeline-2.0.0'), '2.1.0'))).toMatchObject({ state: 'queued' });

    const [planned] = (await handleRegisterQueue(app)) as RegisterJob[];
    expect(planned).toMatchObject({ displayName: 'Pipeline "Gold" image', version: '2.1.0', trigger: 'manual' });
    expect(planned).not.toHaveProperty('requested');
    expect(await app.deps.ledger.get(registration(id('pipeline-2.0.0'), '2.1.0'))).toMatchObject({ state: 'pending' });
    expect(fixture.emulator.deviceImages().filter((image) => image.sourceImageResourceId === id('pipeline-2.0.0'))).toEqual([
      expect.objectContaining({ displayName: 'Pipeline "Gold" image', version: '2.1.0' }),
    ]);
  });

  it('retries a failed upload in place once the administrator asks again, and the image ends ready', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    await registerImage(app.deps, {
      v: 1,
      sourceImageResourceId: id('unread-1.0.0'),
      displayName: 'unread',
      version: '1.0.0',
      trigger: 'reconcile',
      enqueuedAt: new Date().toISOString(),
    });
    const [first] = (await drainQueueForTest(app, app.config.statusQueue, 1_500)) as StatusCheck[];
    await settle(200);
    if (first !== undefined) await pollImageStatus(app.deps, first);
    expect(await app.deps.ledger.get(registration(id('unread-1.0.0')))).toMatchObject({
      state: 'failed',
      errorCode: 'sourceImageNotFound',
    });

    const request = await requestRegistration(app.deps, id('unread-1.0.0'), {});
    expect(request).toMatchObject({ outcome: 'queued', ledgerState: 'failed' });
    await handleRegisterQueue(app);
    expect(app.lines.some((line) => line.includes('RegisterRequestPlanned') && line.includes('upload-retried'))).toBe(true);
    const [retry] = (await drainQueueForTest(app, app.config.statusQueue, 1_500)) as StatusCheck[];
    expect(retry).toMatchObject({ check: 1, retryUploads: 1 });
    await settle(200);
    if (retry !== undefined) await pollImageStatus(app.deps, retry);

    expect(await app.deps.ledger.get(registration(id('unread-1.0.0')))).toMatchObject({ state: 'ready' });
    expect(fixture.emulator.deviceImages().filter((image) => image.sourceImageResourceId === id('unread-1.0.0'))).toHaveLength(1);
    expect(fixture.emulator.count('graph.deviceImages.retryUpload')).toBe(1);
    // Ready now: asking again sends nothing.
    expect(await requestRegistration(app.deps, id('unread-1.0.0'), {})).toMatchObject({ outcome: 'known', ledgerState: 'ready' });
    expect(await drainQueueForTest(app, app.config.registerQueue)).toEqual([]);
  });

  it('refuses an image that breaks one of its own rules with the reason and the fix, and sends nothing', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    expect(await requestRegistration(app.deps, id('gen1-1.0.0'), {})).toMatchObject({
      outcome: 'skip',
      reason: 'gen1',
      fix: expect.stringMatching(/Generation 2/),
    });
    expect(await drainQueueForTest(app, app.config.registerQueue)).toEqual([]);
  });

  it('says an image that does not exist is not there, naming the id', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    await expect(requestRegistration(app.deps, id('never-built-1.0.0'), {})).rejects.toThrow(/never-built-1\.0\.0 does not exist/);
  });

  it('records a problem naming the image when the image is gone by the time the function app plans it', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    const job: RegisterJob = {
      v: 1,
      sourceImageResourceId: id('deleted-3.0.0'),
      displayName: 'deleted',
      version: '3.0.0',
      trigger: 'manual',
      enqueuedAt: new Date().toISOString(),
      requested: true,
    };
    await app.deps.queues.sendRegisterJob(job);
    await handleRegisterQueue(app);
    const problems = await app.deps.ledger.listProblems();
    expect(problems).toEqual([expect.objectContaining({ kind: 'image-unreadable', detail: expect.stringContaining('deleted-3.0.0') })]);
    expect(await drainQueueForTest(app, app.config.registerQueue)).toEqual([]);
  });
});
