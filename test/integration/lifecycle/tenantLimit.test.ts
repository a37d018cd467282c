// The tenant's custom-image limit (DESIGN §13): the app never posts past IMAGE_SYNC_TENANT_IMAGE_LIMIT,
// counting the creates in flight of every planner; images over it are skipped tenant-image-limit,
// alerted once, and registered by a later reconcile once there is room.
import { describe, expect, it } from 'vitest';
import { deviceImage, estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../../src/emulator';
import { buildStatusReport, exitCodeFor } from '../../../src/cli/statusReport';
import { registrationKey } from '../../../src/domain';
import { reconcile } from '../../../src/handlers/reconcile';
import { slotName } from '../../../src/rules/slotName';
import { testApp, testAppSettings } from '../../support/appDeps';
import { useEmulator } from '../../support/emulator';
import { syncLocally } from './localSync';

const SUB = '45454545-4545-4545-8545-454545454545';
const names = ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => `win11-${name}-1.0.0`);

describe('the limit, with planners in two instances at once', () => {
  const fixture = useEmulator(() =>
    estate({
      uploadSeconds: 0.3,
      subscriptions: [
        subscription({
          id: SUB,
          resourceGroups: [
            resourceGroup(
              'rg-limit',
              names.map((name) => managedImage({ name })),
            ),
          ],
        }),
      ],
      // Made by hand in the Intune admin center: they count, and the app never deletes them.
      deviceImages: [
        deviceImage({
          displayName: 'manual',
          version: '1.0.0',
          sourceImageResourceId: managedImageResourceId(SUB, 'rg-manual', 'manual-1.0.0'),
        }),
      ],
    }),
  );

  it('never posts past the limit, skips the rest with the fix, alerts each once, and registers them once there is room', async () => {
    const settings = testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB, IMAGE_SYNC_TENANT_IMAGE_LIMIT: '4' });
    const [one, two] = [testApp(settings), testApp(settings)];
    await Promise.all([reconcile(one.deps), reconcile(two.deps), reconcile(one.deps)]);
    const result = await syncLocally(one);

    expect(fixture.emulator.deviceImages()).toHaveLength(4);
    expect(fixture.emulator.count('graph.deviceImages.create')).toBe(3);
    const rows = await one.deps.ledger.list();
    const skipped = rows.filter((row) => row.state === 'skipped');
    expect(skipped).toHaveLength(3);
    expect(
      skipped.every(
        (row) => row.reason === 'tenant-image-limit' && /IMAGE_SYNC_KEEP_VERSIONS/.test(row.fix ?? '') && row.alertedAt !== null,
      ),
    ).toBe(true);
    const alerts = [...one.lines, ...two.lines].filter((line) => line.includes('ImageSyncFailure') && line.includes('tenant-image-limit'));
    expect(alerts).toHaveLength(3);
    expect(exitCodeFor(buildStatusReport(result.rows, [], { now: new Date(), expiryWarningDays: 30 }))).toBe(2);

    // Room again: the administrator deletes the manual image; the next reconcile registers one more.
    const manual = fixture.emulator.deviceImages().find((image) => image.displayName === 'manual');
    await fetch(`${fixture.emulator.url}/v1.0/deviceManagement/virtualEndpoint/deviceImages/${manual?.id ?? ''}`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${fixture.emulator.token}` },
    });
    await reconcile(two.deps);
    await syncLocally(two);
    expect(fixture.emulator.deviceImages()).toHaveLength(4);
    expect((await two.deps.ledger.list()).filter((row) => row.state === 'ready')).toHaveLength(4);
    const alertsAfter = [...one.lines, ...two.lines].filter(
      (line) => line.includes('ImageSyncFailure') && line.includes('tenant-image-limit'),
    );
    expect(alertsAfter).toHaveLength(3);
  });
});

describe('a tenant fuller than the app knows', () => {
  const fixture = useEmulator(() =>
    estate({
      uploadSeconds: 0.3,
      graph: { maxDeviceImages: 1 },
      subscriptions: [
        subscription({
          id: SUB,
          resourceGroups: [
            resourceGroup(
              'rg-limit',
              names.slice(0, 2).map((name) => managedImage({ name })),
            ),
          ],
        }),
      ],
    }),
  );

  it('records Graph refusing a create for the limit as tenant-image-limit, not createRejected', async () => {
    const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB }));
    await syncLocally(app);
    const rows = await app.deps.ledger.list();
    expect(rows.map((row) => row.state).sort()).toEqual(['ready', 'skipped']);
    expect(rows.find((row) => row.state === 'skipped')).toMatchObject({ reason: 'tenant-image-limit', errorCode: null });
    expect(app.lines.filter((line) => line.includes('createRejected'))).toEqual([]);
    const ready = rows.find((row) => row.state === 'ready');
    expect(await app.deps.slots.reserved(new Date())).toEqual(
      new Set([slotName(registrationKey(ready?.sourceImageResourceId ?? '', ready?.version ?? null))]),
    );
  });
});
