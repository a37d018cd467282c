// Transient is never terminal before IMAGE_SYNC_TRANSIENT_RETRY_HOURS (DESIGN §8): a job failing
// transiently is sent again later, carrying when its failures began; past the horizon the
// registration is recorded failed with transientFailure, the last error and the fix, alerted once.
import { describe, expect, it } from 'vitest';
import type { RegisterJob, StatusCheck } from '../../../src/domain';
import { estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../../src/emulator';
import { handleStatusMessage } from '../../../src/handlers/pollImageStatus';
import { handleRegisterMessage } from '../../../src/handlers/registerImage';
import { drainQueueForTest, testAppSettings } from '../../support/appDeps';
import { useEmulator } from '../../support/emulator';
import { appWithGraph } from './reliabilityApp';

const SUB = '4a4a4a4a-4a4a-4a4a-8a4a-4a4a4a4a4a4a';
const imageId = (name: string) => managedImageResourceId(SUB, 'rg-images', name);

const fixture = useEmulator(() =>
  estate({
    uploadSeconds: 30,
    subscriptions: [
      subscription({
        id: SUB,
        resourceGroups: [resourceGroup('rg-images', [managedImage({ name: 'outage-1.0.0' }), managedImage({ name: 'polled-1.0.0' })])],
      }),
    ],
  }),
);

const job = (retrySince?: string): RegisterJob => ({
  v: 1,
  sourceImageResourceId: imageId('outage-1.0.0'),
  displayName: 'outage',
  version: '1.0.0',
  trigger: 'reconcile',
  enqueuedAt: new Date().toISOString(),
  ...(retrySince === undefined ? {} : { retry: { attempt: 12, since: retrySince, lastError: 'Graph answered 503' } }),
});

describe('a Graph outage', () => {
  it('sends the job again with a growing delay while within the horizon, spending no delivery', async () => {
    const app = appWithGraph(
      testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB, IMAGE_SYNC_TRANSIENT_RETRY_HOURS: '2' }),
      { retry: { delaySeconds: 0.1, maxRetries: 1 } },
    );
    fixture.emulator.setFaults({ service: 'graph', down: 'unavailable' });
    try {
      const first = new Date(Date.now() - 3600_000).toISOString();
      await handleRegisterMessage(app.deps, job(first), { messageId: 'm-1' });
      const [again] = (await drainQueueForTest(app, app.config.registerQueue, 6_000)) as RegisterJob[];
      expect(again?.retry).toMatchObject({ attempt: 13, since: first, lastError: expect.stringMatching(/503|unavailable/i) });
      expect(await app.deps.ledger.get(job())).toMatchObject({ state: 'creating' });
    } finally {
      fixture.emulator.clearFaults();
    }
  });

  it('records the registration failed with transientFailure past the horizon, alerted once, and sends nothing more', async () => {
    const app = appWithGraph(
      testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB, IMAGE_SYNC_TRANSIENT_RETRY_HOURS: '2' }),
      { retry: { delaySeconds: 0.1, maxRetries: 1 } },
    );
    fixture.emulator.setFaults({ service: 'graph', down: 'unavailable' });
    try {
      await handleRegisterMessage(app.deps, job(new Date(Date.now() - 3 * 3600_000).toISOString()), { messageId: 'm-2' });
    } finally {
      fixture.emulator.clearFaults();
    }
    const row = await app.deps.ledger.get(job());
    expect(row).toMatchObject({
      state: 'failed',
      errorCode: 'transientFailure',
      reason: expect.stringMatching(/after 2 hours of retries.*last error: .*(503|unavailable).*service health/i),
    });
    expect(await drainQueueForTest(app, app.config.registerQueue)).toEqual([]);
    expect(app.lines.filter((line) => line.includes('ImageSyncFailure') && line.includes('transientFailure'))).toHaveLength(1);
  });

  it('records an upload failed with transientFailure when its status checks fail past the horizon', async () => {
    const app = appWithGraph(
      testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB, IMAGE_SYNC_TRANSIENT_RETRY_HOURS: '1' }),
      { retry: { delaySeconds: 0.1, maxRetries: 1 } },
    );
    const polled: RegisterJob = { ...job(), sourceImageResourceId: imageId('polled-1.0.0'), displayName: 'polled' };
    await handleRegisterMessage(app.deps, polled, { messageId: 'm-3' });
    const [check] = (await drainQueueForTest(app, app.config.statusQueue, 6_000)) as StatusCheck[];
    expect(check).toMatchObject({ version: '1.0.0', check: 0 });
    fixture.emulator.setFaults({ service: 'graph', down: 'reset' });
    try {
      if (check !== undefined)
        await handleStatusMessage(
          app.deps,
          { ...check, retry: { attempt: 30, since: new Date(Date.now() - 2 * 3600_000).toISOString(), lastError: 'reset' } },
          { messageId: 'm-4' },
        );
    } finally {
      fixture.emulator.clearFaults();
    }
    expect(await app.deps.ledger.get(polled)).toMatchObject({ state: 'failed', errorCode: 'transientFailure' });
  });
});
