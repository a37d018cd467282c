import { describe, expect, it } from 'vitest';
import type { StatusCheck } from '../../../src/domain';
import { estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../../src/emulator';
import { pollImageStatus } from '../../../src/sync/pollImageStatus';
import { registerImage } from '../../../src/sync/registerImage';
import { registerManually } from '../../../src/sync/registerManually';
import { drainQueueForTest, testApp, testAppSettings } from '../../support/appDeps';
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
            managedImage({ name: 'unread-1.0.0', upload: { outcome: 'failed', errorCode: 'sourceImageNotFound', seconds: 0.1, retryOutcome: 'ready', retrySeconds: 0.1 } }),
            managedImage({ name: 'pipeline-2.0.0', tags: {} }),
          ]),
        ],
      }),
    ],
  }),
);

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('registerManually', () => {
  it('retries a failed upload in place once the administrator asks again, and the image ends ready', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    await registerImage(app.deps, { v: 1, sourceImageResourceId: id('unread-1.0.0'), displayName: 'unread', version: '1.0.0', trigger: 'reconcile', enqueuedAt: new Date().toISOString() });
    const [first] = (await drainQueueForTest(app, app.config.statusQueue, 1_500)) as StatusCheck[];
    await settle(200);
    if (first !== undefined) await pollImageStatus(app.deps, first);
    expect(await app.deps.ledger.get(registration(id('unread-1.0.0')))).toMatchObject({ state: 'failed', errorCode: 'sourceImageNotFound' });

    const outcome = await registerManually(app.deps, id('unread-1.0.0'), {});
    expect(outcome).toMatchObject({ outcome: 'unchanged', ledgerState: 'failed', retriedUpload: true });
    const [retry] = (await drainQueueForTest(app, app.config.statusQueue, 1_500)) as StatusCheck[];
    expect(retry).toMatchObject({ check: 1, retryUploads: 1 });
    await settle(200);
    if (retry !== undefined) await pollImageStatus(app.deps, retry);

    expect(await app.deps.ledger.get(registration(id('unread-1.0.0')))).toMatchObject({ state: 'ready' });
    expect(fixture.emulator.count('graph.deviceImages.create')).toBe(1);
    expect(fixture.emulator.count('graph.deviceImages.retryUpload')).toBe(1);
  });

  it('queues an untagged image with the name and version the pipeline gives', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    const outcome = await registerManually(app.deps, id('pipeline-2.0.0'), { displayName: 'Pipeline "Gold" image', version: '2.1.0' });
    expect(outcome).toMatchObject({ outcome: 'register', displayName: 'Pipeline "Gold" image', version: '2.1.0', retriedUpload: false });
    expect(await drainQueueForTest(app, app.config.registerQueue)).toEqual([expect.objectContaining({ displayName: 'Pipeline "Gold" image', version: '2.1.0', trigger: 'manual' })]);
  });

  it('says an image that does not exist is not there, naming the id', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    await expect(registerManually(app.deps, id('never-built-1.0.0'), {})).rejects.toThrow(/never-built-1\.0\.0 does not exist/);
  });
});
