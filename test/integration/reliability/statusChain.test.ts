// DESIGN §15 "One status-check chain per registration": during an outage of Graph's device image
// GETs, a status check that fails transiently comes back later and moves the registration's next
// check with it, so the reconciles meanwhile (which resume overdue checks) start no second chain.
import { describe, expect, it } from 'vitest';
import type { RegisterJob } from '../../../src/domain';
import { estate, managedImage, resourceGroup, subscription } from '../../../src/emulator';
import { handleStatusMessage } from '../../../src/handlers/pollImageStatus';
import { reconcile } from '../../../src/handlers/reconcile';
import { handleRegisterMessage } from '../../../src/handlers/registerImage';
import { drainQueueForTest, queueLength, testAppSettings } from '../../support/appDeps';
import { manualClock, useEmulator } from '../../support/emulator';
import { appWithGraph, nextMessages } from './reliabilityApp';

const SUB = '8a8a8a8a-8a8a-4a8a-8a8a-8a8a8a8a8a8a';
const ROUND_MS = 20 * 60_000;

const fixture = useEmulator(() =>
  estate({
    uploadSeconds: 3600,
    subscriptions: [subscription({ id: SUB, resourceGroups: [resourceGroup('rg-images', [managedImage({ name: 'polled-1.0.0' })])] })],
  }),
);

describe('a partial outage: Graph answers 503 to every device image GET for hours', () => {
  it('keeps one status check in flight for the registration through reconcile after reconcile', async () => {
    const clock = manualClock(new Date());
    const app = appWithGraph(
      testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB }),
      { retry: { delaySeconds: 0.1, maxRetries: 1 } },
      clock,
    );
    await reconcile(app.deps);
    const [job] = (await drainQueueForTest(app, app.config.registerQueue)) as RegisterJob[];
    if (job === undefined) throw new Error('the reconcile queued no job');
    expect(job.sourceImageResourceId).toMatch(/polled-1\.0\.0$/);
    await handleRegisterMessage(app.deps, job, { messageId: 'register' });
    expect(await app.deps.ledger.get(job)).toMatchObject({ state: 'pending' });

    fixture.emulator.setFaults({ service: 'graph', kinds: ['graph.deviceImages.get'], down: 'unavailable' });
    const inFlight: number[] = [];
    try {
      for (let round = 0; round < 5; round++) {
        clock.advance(ROUND_MS);
        // Every check in flight comes due (its retry's delay is a few seconds), fails, and is sent again.
        const due = await nextMessages(app, app.config.statusQueue, await queueLength(app, app.config.statusQueue), 10_000);
        for (const [index, check] of due.entries()) await handleStatusMessage(app.deps, check, { messageId: `check-${round}-${index}` });
        await reconcile(app.deps);
        inFlight.push(await queueLength(app, app.config.statusQueue));
      }
    } finally {
      fixture.emulator.clearFaults();
    }
    expect(inFlight).toEqual([1, 1, 1, 1, 1]);
    const row = await app.deps.ledger.get(job);
    expect(Date.parse(row?.nextCheckAt ?? '')).toBeGreaterThan(clock.now().getTime());
    expect(app.lines.filter((line) => line.includes('StatusCheckResumed'))).toEqual([]);
  });
});
