// Retention deletes only what the app created, and reads Graph's status (DESIGN §15, issue 20
// findings 5 and 6), through the real handlers against Azurite and the emulator.
import { describe, expect, it } from 'vitest';
import { managedImage } from '../../../src/emulator';
import { reconcile } from '../../../src/handlers/reconcile';
import { handleRegisterMessage } from '../../../src/handlers/registerImage';
import { requestRegistration } from '../../../src/handlers/requestRegistration';
import { drainQueueForTest } from '../../support/appDeps';
import { syncLocally } from './localSync';
import { DELETE, SUB, imageName, tags, useRetentionTenant } from './retentionTenant';

const tenant = useRetentionTenant([
  { group: 'rg-admin', uploadFails: true },
  { group: 'rg-retry', uploadFails: true },
  { group: 'rg-ambiguous' },
  { group: 'rg-graph-ready' },
]);

describe('retention and what the app created', () => {
  it("never deletes the administrator's upload: the app's upload failed, the admin deleted it and uploaded the version by hand", async () => {
    const group = 'rg-admin';
    const app = tenant.appsFor(group);
    const keepOne = app(1);
    const deletes = tenant.emulator.count(DELETE);
    expect((await syncLocally(keepOne)).ending).not.toBe('timeout');
    const failed = await tenant.rowOf(keepOne, group, '1.0.0');
    expect(failed).toMatchObject({ state: 'failed', attempts: 1 });

    // The administrator deletes the failed device image and uploads 1.0.0 by hand.
    expect(tenant.emulator.deleteDeviceImage(failed?.deviceImageId ?? '')).toBe(true);
    const byHand = tenant.emulator.putDeviceImage({
      displayName: imageName(group),
      version: '1.0.0',
      sourceImageResourceId: tenant.sourceIn(group),
    });
    await reconcile(keepOne.deps);
    expect(await tenant.rowOf(keepOne, group, '1.0.0')).toMatchObject({ state: 'ready', deviceImageId: byHand, attempts: 1 });

    // The build is fixed and the source moves on to 1.1.0; retention keeps 1 version.
    tenant.emulator.putManagedImage(SUB, group, managedImage({ name: imageName(group), tags: tags('1.1.0'), build: 'b2' }));
    expect((await syncLocally(keepOne)).ending).toBe('settled');
    await reconcile(keepOne.deps);
    expect(tenant.imagesOf(group)).toEqual([
      { id: byHand, version: '1.0.0', status: 'ready' },
      expect.objectContaining({ version: '1.1.0', status: 'ready' }),
    ]);
    expect(tenant.emulator.count(DELETE)).toBe(deletes);
    expect(await tenant.rowOf(keepOne, group, '1.0.0')).toMatchObject({ state: 'ready', origin: 'adopted' });
    expect(await tenant.rowOf(keepOne, group, '1.1.0')).toMatchObject({ state: 'ready', origin: 'created' });
  }, 60_000);

  it("never deletes an administrator's upload that a retried register job finds by its look-up (the row was queued, not creating)", async () => {
    const group = 'rg-retry';
    const keepOne = tenant.appsFor(group)(1);
    const deletes = tenant.emulator.count(DELETE);
    expect((await syncLocally(keepOne)).ending).not.toBe('timeout');
    const failed = await tenant.rowOf(keepOne, group, '1.0.0');
    expect(failed).toMatchObject({ state: 'failed', attempts: 1 });
    expect(tenant.emulator.deleteDeviceImage(failed?.deviceImageId ?? '')).toBe(true);

    // image-sync register retries it; the function app plans the request and queues the job.
    await requestRegistration(keepOne.deps, tenant.sourceIn(group), {});
    const deliver = async () => {
      for (const message of await drainQueueForTest(keepOne, keepOne.config.registerQueue))
        await handleRegisterMessage(keepOne.deps, message, { messageId: null });
    };
    await deliver();
    expect(await tenant.rowOf(keepOne, group, '1.0.0')).toMatchObject({ state: 'queued', attempts: 1 });
    // Meanwhile the administrator uploads 1.0.0 by hand; the job's look-up finds it before posting.
    const byHand = tenant.emulator.putDeviceImage({
      displayName: imageName(group),
      version: '1.0.0',
      sourceImageResourceId: tenant.sourceIn(group),
    });
    const creates = tenant.emulator.count('graph.deviceImages.create');
    await deliver();
    expect(tenant.emulator.count('graph.deviceImages.create')).toBe(creates);
    expect(await tenant.rowOf(keepOne, group, '1.0.0')).toMatchObject({ state: 'ready', deviceImageId: byHand, attempts: 2 });

    tenant.emulator.putManagedImage(SUB, group, managedImage({ name: imageName(group), tags: tags('1.1.0'), build: 'b2' }));
    expect((await syncLocally(keepOne)).ending).toBe('settled');
    expect(tenant.imagesOf(group).map((image) => image.id)).toContain(byHand);
    expect(tenant.emulator.count(DELETE)).toBe(deletes);
    expect(await tenant.rowOf(keepOne, group, '1.0.0')).toMatchObject({ state: 'ready', origin: 'adopted' });
  }, 60_000);

  it("deletes the app's own image whose create answer was lost (found by the look-up while the row was creating)", async () => {
    const group = 'rg-ambiguous';
    const keepOne = tenant.appsFor(group)(1);
    tenant.emulator.setFaults({ kinds: ['graph.deviceImages.create'], ambiguousCreates: { next: 1 } });
    expect((await syncLocally(keepOne)).ending).toBe('settled');
    tenant.emulator.clearFaults();
    expect(tenant.emulator.requests.filter((request) => request.fault === 'ambiguous-create')).toHaveLength(1);
    expect(await tenant.rowOf(keepOne, group, '1.0.0')).toMatchObject({ state: 'ready', origin: 'created' });

    tenant.emulator.rebuildManagedImage(tenant.sourceIn(group), { build: 'b2', tags: tags('1.1.0') });
    expect((await syncLocally(keepOne)).ending).toBe('settled');
    expect(tenant.imagesOf(group).map((image) => image.version)).toEqual(['1.1.0']);
    expect(await tenant.rowOf(keepOne, group, '1.0.0')).toMatchObject({ state: 'retired' });
  }, 60_000);

  it('counts a version Graph lists as ready as ready though the ledger says failed: keep 2 deletes the oldest, not that one', async () => {
    const group = 'rg-graph-ready';
    const app = tenant.appsFor(group);
    const off = app(0);
    expect((await syncLocally(off)).ending).toBe('settled');
    // 1.1.0's upload fails (the ledger records it failed); a retry of it would succeed.
    tenant.emulator.putManagedImage(
      SUB,
      group,
      managedImage({
        name: imageName(group),
        tags: tags('1.1.0'),
        build: 'b2',
        upload: { outcome: 'failed', errorCode: 'sourceImageInvalid', retryOutcome: 'ready' },
      }),
    );
    await syncLocally(off);
    expect(await tenant.rowOf(off, group, '1.1.0')).toMatchObject({ state: 'failed' });
    tenant.emulator.putManagedImage(SUB, group, managedImage({ name: imageName(group), tags: tags('1.2.0'), build: 'b3' }));
    expect((await syncLocally(off)).ending).not.toBe('timeout');

    // The administrator retries 1.1.0's upload in the Intune admin center; it finishes ready.
    await off.deps.deviceImages.retryUpload(tenant.idOf(group, '1.1.0'));
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(tenant.imagesOf(group).map((image) => [image.version, image.status])).toEqual([
      ['1.0.0', 'ready'],
      ['1.1.0', 'ready'],
      ['1.2.0', 'ready'],
    ]);
    expect(await tenant.rowOf(off, group, '1.1.0')).toMatchObject({ state: 'failed' });

    const run = await reconcile(app(2).deps);
    expect(run.retention).toEqual([expect.objectContaining({ version: '1.0.0', outcome: 'retired', why: 'superseded' })]);
    expect(tenant.imagesOf(group).map((image) => image.version)).toEqual(['1.1.0', '1.2.0']);
    expect(await tenant.rowOf(off, group, '1.1.0')).toMatchObject({ state: 'ready' });
  }, 60_000);
});
