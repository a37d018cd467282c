// A Graph answer that arrived whole but is not what was asked for (a proxy rewriting answers, say)
// is permanent, never a network retry (DESIGN §8): recorded as a problem with its fix, the message
// completes, and the next reconcile reads Graph again. It is never taken for a permission problem.
import { describe, expect, it } from 'vitest';
import type { RegisterJob, StatusCheck } from '../../../src/domain';
import { estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../../src/emulator';
import { handleStatusMessage } from '../../../src/handlers/pollImageStatus';
import { reconcile } from '../../../src/handlers/reconcile';
import { handleRegisterMessage } from '../../../src/handlers/registerImage';
import { drainQueueForTest, testApp, testAppSettings } from '../../support/appDeps';
import { useEmulator } from '../../support/emulator';

const SUB = '4c4c4c4c-4c4c-4c4c-8c4c-4c4c4c4c4c4c';
const id = managedImageResourceId(SUB, 'rg-images', 'proxied-1.0.0');
const fixture = useEmulator(() =>
  estate({
    uploadSeconds: 30,
    subscriptions: [subscription({ id: SUB, resourceGroups: [resourceGroup('rg-images', [managedImage({ name: 'proxied-1.0.0' })])] })],
  }),
);

describe('an unreadable Graph answer', () => {
  it('to a status check is a recorded problem; the check completes and the row stays pending for the reconcile to resume', async () => {
    const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB }));
    const job: RegisterJob = {
      v: 1,
      sourceImageResourceId: id,
      displayName: 'proxied',
      version: '1.0.0',
      trigger: 'manual',
      enqueuedAt: new Date().toISOString(),
    };
    await handleRegisterMessage(app.deps, job, { messageId: 'r-1' });
    const [check] = (await drainQueueForTest(app, app.config.statusQueue, 5_000)) as StatusCheck[];
    fixture.emulator.setFaults({ service: 'graph', kinds: ['graph.deviceImages.get'], malformed: { next: 1 } });
    try {
      if (check !== undefined) await handleStatusMessage(app.deps, check, { messageId: 's-1' });
    } finally {
      fixture.emulator.clearFaults();
    }
    expect(fixture.emulator.count('graph.deviceImages.get')).toBe(1);
    expect(await app.deps.ledger.get(job)).toMatchObject({ state: 'pending' });
    expect(await app.deps.ledger.listProblems()).toEqual([
      expect.objectContaining({ kind: 'graph-unreadable', detail: expect.stringMatching(/cannot be read/) }),
    ]);
    expect(await drainQueueForTest(app, app.config.statusQueue)).toEqual([]);
  });

  it("to the reconcile's device image list is graph-unreadable, not graph-forbidden, and nothing is planned on it", async () => {
    const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB }));
    fixture.emulator.setFaults({ service: 'graph', kinds: ['graph.deviceImages.list'], malformed: { next: 1 } });
    try {
      const report = await reconcile(app.deps);
      expect(report.registered).toBe(0);
    } finally {
      fixture.emulator.clearFaults();
    }
    expect((await app.deps.ledger.listProblems()).map((problem) => problem.kind)).toEqual(['graph-unreadable']);
  });
});
