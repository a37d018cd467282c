// DESIGN §15 "every path that ends a create without an image releases its reservation at once":
// with the tenant one image short of IMAGE_SYNC_TENANT_IMAGE_LIMIT, a slot left reserved (for up to
// RESERVATION_TTL_MS, 36 h) would block every other registration. Each case: reconcile 1 gives
// source `a` the last slot (`b` is skipped tenant-image-limit), `a`'s create ends without an image,
// and reconcile 2 must register `b`.
import { describe, expect, it } from 'vitest';
import { type RegisterJob, registrationKey } from '../../../src/domain';
import { deviceImage, estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../../src/emulator';
import { TransientError } from '../../../src/errors';
import { handlePoisonMessage } from '../../../src/handlers/poisonMessage';
import { reconcile } from '../../../src/handlers/reconcile';
import { handleRegisterMessage } from '../../../src/handlers/registerImage';
import type { SyncDeps } from '../../../src/ports';
import { slotName } from '../../../src/rules/slotName';
import { markFailed } from '../../../src/steps/ledgerTransitions';
import { type TestApp, drainQueueForTest, testAppSettings } from '../../support/appDeps';
import { appWithGraph } from '../reliability/reliabilityApp';
import { useEmulator } from '../../support/emulator';

const SUB = '7e7e7e7e-7e7e-4e7e-8e7e-7e7e7e7e7e7e';
const GROUPS = ['rg-poison', 'rg-settled', 'rg-lost-write', 'rg-skipped', 'rg-horizon'];
const imageId = (group: string, name: string) => managedImageResourceId(SUB, group, name);

const fixture = useEmulator(() =>
  estate({
    subscriptions: [
      subscription({
        id: SUB,
        resourceGroups: GROUPS.map((group) => resourceGroup(group, [managedImage({ name: 'a-1.0.0' }), managedImage({ name: 'b-1.0.0' })])),
      }),
    ],
    // Uploaded by hand: the tenant holds one image of a limit of two.
    deviceImages: [deviceImage({ displayName: 'manual', version: '1.0.0', sourceImageResourceId: imageId('rg-manual', 'manual-1.0.0') })],
  }),
);

function appFor(group: string): TestApp {
  return appWithGraph(
    testAppSettings(fixture.emulator, {
      IMAGE_SYNC_SUBSCRIPTION_IDS: SUB,
      IMAGE_SYNC_RESOURCE_GROUPS: group,
      IMAGE_SYNC_TENANT_IMAGE_LIMIT: '2',
      IMAGE_SYNC_TRANSIENT_RETRY_HOURS: '1',
    }),
    { retry: { delaySeconds: 0.1, maxRetries: 1 } },
  );
}

async function stateOf(deps: SyncDeps, group: string, name: string) {
  const row = await deps.ledger.get({ sourceImageResourceId: imageId(group, name), version: '1.0.0' });
  return { state: row?.state, reason: row?.reason };
}

/** Reconcile 1: `a` takes the last slot, `b` waits; returns `a`'s job (taken off the queue). */
async function lastSlotToA(app: TestApp, group: string): Promise<RegisterJob> {
  await reconcile(app.deps);
  expect(await stateOf(app.deps, group, 'b-1.0.0')).toEqual({ state: 'skipped', reason: 'tenant-image-limit' });
  const jobs = (await drainQueueForTest(app, app.config.registerQueue)) as RegisterJob[];
  expect(jobs.map((job) => job.sourceImageResourceId)).toEqual([imageId(group, 'a-1.0.0')]);
  const [job] = jobs;
  if (job === undefined) throw new Error('no job for a');
  return job;
}

async function expectBRegistered(app: TestApp, group: string): Promise<void> {
  await reconcile(app.deps);
  expect(await stateOf(app.deps, group, 'b-1.0.0')).toEqual({ state: 'queued', reason: null });
  expect(await app.deps.slots.reserved(new Date())).toEqual(new Set([slotName(registrationKey(imageId(group, 'b-1.0.0'), '1.0.0'))]));
}

describe('slots given back at once, with the tenant one image short of its limit', () => {
  it('a poisoned register job', async () => {
    const app = appFor('rg-poison');
    const job = await lastSlotToA(app, 'rg-poison');
    await handlePoisonMessage(app.deps, `${app.config.registerQueue}-poison`, job, { messageId: 'poisoned' });
    expect(await stateOf(app.deps, 'rg-poison', 'a-1.0.0')).toMatchObject({ state: 'failed' });
    await expectBRegistered(app, 'rg-poison');
  });

  it('a job that finds its registration failed by another worker (which died before giving the slot back)', async () => {
    const app = appFor('rg-settled');
    const job = await lastSlotToA(app, 'rg-settled');
    const row = await app.deps.ledger.get(job);
    await markFailed(app.deps.ledger, row, job, { errorCode: 'transientFailure', reason: 'given up' }, new Date());
    fixture.emulator.clearRequests();
    await handleRegisterMessage(app.deps, job, { messageId: 'late' });
    expect(fixture.emulator.count('graph.deviceImages.create')).toBe(0);
    await expectBRegistered(app, 'rg-settled');
  });

  it('a ledger write lost after the slot was reserved', async () => {
    const app = appFor('rg-lost-write');
    fixture.emulator.removeManagedImage(imageId('rg-lost-write', 'b-1.0.0'));
    // Storage fails the first rows' write (a table outage), after the slot was reserved.
    const failing: SyncDeps = {
      ...app.deps,
      ledger: {
        ...app.deps.ledger,
        insertMany: () => Promise.reject(new TransientError({ message: 'the table service is unavailable (503)' })),
      },
    };
    await expect(reconcile(failing)).rejects.toThrow(TransientError);
    expect(await app.deps.ledger.list()).toEqual([]);
    // The image team deletes a and builds b: b needs the slot a's lost write held.
    fixture.emulator.removeManagedImage(imageId('rg-lost-write', 'a-1.0.0'));
    fixture.emulator.putManagedImage(SUB, 'rg-lost-write', managedImage({ name: 'b-1.0.0' }));
    await expectBRegistered(app, 'rg-lost-write');
  });

  it('a create given up past IMAGE_SYNC_TRANSIENT_RETRY_HOURS (as before: a guard)', async () => {
    const app = appFor('rg-horizon');
    const job = await lastSlotToA(app, 'rg-horizon');
    const since = new Date(Date.now() - 2 * 3600_000).toISOString();
    fixture.emulator.setFaults({ service: 'graph', down: 'unavailable' });
    try {
      await handleRegisterMessage(
        app.deps,
        { ...job, retry: { attempt: 40, since, lastError: 'Graph answered 503' } },
        { messageId: 'last' },
      );
    } finally {
      fixture.emulator.clearFaults();
    }
    expect(await stateOf(app.deps, 'rg-horizon', 'a-1.0.0')).toMatchObject({ state: 'failed' });
    await expectBRegistered(app, 'rg-horizon');
  });

  it('a queued registration the planner skips (its source is no longer generalized)', async () => {
    const app = appFor('rg-skipped');
    await lastSlotToA(app, 'rg-skipped');
    fixture.emulator.putManagedImage(SUB, 'rg-skipped', managedImage({ name: 'a-1.0.0', osState: 'Specialized' }));
    await reconcile(app.deps);
    expect(await stateOf(app.deps, 'rg-skipped', 'a-1.0.0')).toEqual({ state: 'skipped', reason: 'not-generalized' });
    await expectBRegistered(app, 'rg-skipped');
  });
});
