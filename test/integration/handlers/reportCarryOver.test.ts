// `image-sync report` on rows an earlier release wrote (DESIGN §16): they kept no create or ready
// time. The create time is recovered from pendingSince where no retryUpload moved it; the ready time
// by the first reconcile, from Graph's lastModifiedDateTime of the ready image; the rest is counted
// but not measured.
import { describe, expect, it } from 'vitest';
import { buildLedgerReport } from '../../../src/cli/ledgerReport';
import { deviceImage, estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../../src/emulator';
import { reconcile } from '../../../src/handlers/reconcile';
import { imageRowKey } from '../../../src/state/ledgerKeys';
import { testApp, testAppSettings } from '../../support/appDeps';
import { useEmulator } from '../../support/emulator';

const SUB = '4a4a4a4a-4a4a-4a4a-8a4a-4a4a4a4a4a4a';
const id = (name: string) => managedImageResourceId(SUB, 'rg-images', name);
const MEASURABLE = 'bbbbbbbb-0000-4000-8000-000000000001';
const RETRIED = 'bbbbbbbb-0000-4000-8000-000000000002';

const fixture = useEmulator(() =>
  estate({
    subscriptions: [
      subscription({
        id: SUB,
        resourceGroups: [resourceGroup('rg-images', [managedImage({ name: 'measurable-1.0.0' }), managedImage({ name: 'retried-1.0.0' })])],
      }),
    ],
    deviceImages: [
      deviceImage({
        id: MEASURABLE,
        displayName: 'measurable',
        version: '1.0.0',
        sourceImageResourceId: id('measurable-1.0.0'),
        lastModifiedDateTime: '2026-10-05T11:30:00.000Z',
      }),
      deviceImage({
        id: RETRIED,
        displayName: 'retried',
        version: '1.0.0',
        sourceImageResourceId: id('retried-1.0.0'),
        lastModifiedDateTime: '2026-10-07T09:00:00.000Z',
      }),
    ],
  }),
);

/** A ready registration as the release before this one wrote it: its own key, none of the fields this release adds. */
function earlierReleaseRow(name: string, deviceImageId: string, fields: Record<string, string | number>) {
  return {
    partitionKey: 'image',
    rowKey: imageRowKey(id(name), '1.0.0'),
    sourceImageResourceId: id(name),
    displayName: name.replace(/-1\.0\.0$/, ''),
    version: '1.0.0',
    state: 'ready',
    deviceImageId,
    attempts: 1,
    statusChecks: 3,
    createdAt: '2026-10-05T09:55:00.000Z',
    updatedAt: '2026-10-05T12:00:00.000Z',
    ...fields,
  };
}

describe('report on a ledger an earlier release wrote', () => {
  it('measures what can be recovered (create time from pendingSince, ready time from Graph) and counts the rest unmeasured', async () => {
    const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB }));
    const table = app.clients.storage.table(app.config.table);
    await table.createTable();
    await table.createEntity(
      earlierReleaseRow('measurable-1.0.0', MEASURABLE, { retryUploads: 0, pendingSince: '2026-10-05T10:00:00.000Z' }),
    );
    // A retryUpload moved pendingSince: the first create's time is lost.
    await table.createEntity(earlierReleaseRow('retried-1.0.0', RETRIED, { retryUploads: 1, pendingSince: '2026-10-06T10:00:00.000Z' }));

    const before = buildLedgerReport(await app.deps.ledger.list(), await app.deps.slotCounts.latest(), new Date('2026-12-01T00:00:00Z'));
    expect(before).toMatchObject({ unmeasured: 2, slots: null });

    await reconcile(app.deps);
    const rows = await app.deps.ledger.list();
    const graphTimes = new Map(fixture.emulator.deviceImages().map((image) => [image.id, image.lastModifiedDateTime]));
    expect(rows.map((row) => [row.displayName, row.readyAt])).toEqual([
      ['measurable', graphTimes.get(MEASURABLE)],
      ['retried', graphTimes.get(RETRIED)],
    ]);

    const report = buildLedgerReport(rows, await app.deps.slotCounts.latest(), new Date('2026-12-01T00:00:00Z'));
    const minutes = (Date.parse(graphTimes.get(MEASURABLE) ?? '') - Date.parse('2026-10-05T10:00:00.000Z')) / 60_000;
    expect(report.months).toEqual([
      {
        month: '2026-10',
        registrations: 2,
        ready: 2,
        uploadMinutes: { measured: 1, median: Math.round(minutes * 10) / 10, p95: Math.round(minutes * 10) / 10 },
        failures: {},
      },
    ]);
    expect(report.unmeasured).toBe(1);
    expect(report.slots).toMatchObject({ inUse: 2, limit: 20, keepVersions: 0 });
  });
});
