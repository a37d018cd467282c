// A ledger written by the previous release (one row per source image, keyed by the source alone) is
// carried over to one row per registration on first start, without posting anything again (DESIGN §7).
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deviceImage, estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../../src/emulator';
import { imageRowKey } from '../../../src/state/ledgerKeys';
import { pollImageStatus } from '../../../src/handlers/pollImageStatus';
import { reconcile } from '../../../src/handlers/reconcile';
import { testApp, testAppSettings } from '../../support/appDeps';
import { useEmulator } from '../../support/emulator';

const SUB = '49494949-4949-4949-8949-494949494949';
const id = (name: string) => managedImageResourceId(SUB, 'rg-images', name);

const fixture = useEmulator(() =>
  estate({
    uploadSeconds: 0.2,
    subscriptions: [
      subscription({
        id: SUB,
        resourceGroups: [
          resourceGroup('rg-images', [
            managedImage({ name: 'ready-1.0.0' }),
            managedImage({ name: 'uploading-2.0.0' }),
            managedImage({ name: 'nightly', tags: { 'cloudpc-sync': 'true' } }),
          ]),
        ],
      }),
    ],
    deviceImages: [
      deviceImage({
        id: 'aaaaaaaa-0000-4000-8000-000000000001',
        displayName: 'ready',
        version: '1.0.0',
        sourceImageResourceId: id('ready-1.0.0'),
        status: 'ready',
      }),
      deviceImage({
        id: 'aaaaaaaa-0000-4000-8000-000000000002',
        displayName: 'uploading',
        version: '2.0.0',
        sourceImageResourceId: id('uploading-2.0.0'),
        status: 'pending',
      }),
    ],
  }),
);

/** A row as the previous release wrote it: keyed by the hash of the lower-cased id, none of the new fields. */
function previousReleaseRow(sourceImageResourceId: string, fields: Record<string, string | number>) {
  const stamp = '2026-11-20T10:00:00.000Z';
  return {
    partitionKey: 'image',
    rowKey: createHash('sha256').update(sourceImageResourceId.toLowerCase()).digest('hex'),
    sourceImageResourceId,
    attempts: 1,
    retryUploads: 0,
    statusChecks: 0,
    createdAt: stamp,
    updatedAt: stamp,
    ...fields,
  };
}

describe('a ledger from the previous release', () => {
  it('is carried over to one row per registration by the first reconcile, posting nothing again; its status checks still land', async () => {
    const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB }));
    const table = app.clients.storage.table(app.config.table);
    await table.createTable();
    await table.createEntity(
      previousReleaseRow(id('ready-1.0.0'), {
        displayName: 'ready',
        version: '1.0.0',
        state: 'ready',
        deviceImageId: 'aaaaaaaa-0000-4000-8000-000000000001',
      }),
    );
    await table.createEntity(
      previousReleaseRow(id('uploading-2.0.0'), {
        displayName: 'uploading',
        version: '2.0.0',
        state: 'pending',
        deviceImageId: 'aaaaaaaa-0000-4000-8000-000000000002',
        pendingSince: new Date().toISOString(),
        nextCheckAt: new Date(Date.now() + 3600_000).toISOString(),
      }),
    );
    await table.createEntity(
      previousReleaseRow(id('nightly'), {
        displayName: 'nightly',
        state: 'skipped',
        reason: 'no-version',
        fix: 'tag cloudpc-version=1.2.0',
        attempts: 0,
      }),
    );

    const listed = await app.deps.ledger.list();
    expect(listed.every((row) => row.legacy === true)).toBe(true);
    fixture.emulator.clearRequests();
    await reconcile(app.deps);
    expect(fixture.emulator.count('graph.deviceImages.create')).toBe(0);

    const rows = await app.deps.ledger.list();
    expect(rows.map((row) => [row.displayName, row.version, row.state, row.legacy ?? false])).toEqual([
      ['nightly', null, 'skipped', false],
      ['ready', '1.0.0', 'ready', false],
      ['uploading', '2.0.0', 'pending', false],
    ]);
    const keys = [];
    for await (const entity of table.listEntities({ queryOptions: { filter: "PartitionKey eq 'image'" } })) keys.push(entity.rowKey);
    expect(keys.sort()).toEqual(
      [imageRowKey(id('nightly'), null), imageRowKey(id('ready-1.0.0'), '1.0.0'), imageRowKey(id('uploading-2.0.0'), '2.0.0')].sort(),
    );

    // A status check the previous release queued names no version: Graph's device image says which.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await pollImageStatus(app.deps, {
      v: 1,
      sourceImageResourceId: id('uploading-2.0.0'),
      deviceImageId: 'aaaaaaaa-0000-4000-8000-000000000002',
      check: 0,
      since: new Date().toISOString(),
      retryUploads: 0,
    });
    expect(await app.deps.ledger.get({ sourceImageResourceId: id('uploading-2.0.0'), version: '2.0.0' })).toMatchObject({ state: 'ready' });
    expect(fixture.emulator.count('graph.deviceImages.create')).toBe(0);
  });

  it('is carried over by a read of one registration too (a job queued before the upgrade)', async () => {
    const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB }));
    const table = app.clients.storage.table(app.config.table);
    await table.createTable();
    await table.createEntity(
      previousReleaseRow(id('ready-1.0.0'), {
        displayName: 'ready',
        version: '1.0.0',
        state: 'ready',
        deviceImageId: 'aaaaaaaa-0000-4000-8000-000000000001',
      }),
    );

    expect(await app.deps.ledger.get({ sourceImageResourceId: id('READY-1.0.0'), version: '2.0.0' })).toBeNull();
    const row = await app.deps.ledger.get({ sourceImageResourceId: id('ready-1.0.0'), version: '1.0.0' });
    expect(row).toMatchObject({ state: 'ready', deviceImageId: 'aaaaaaaa-0000-4000-8000-000000000001', policies: [], sourceWarnings: [] });
    expect(row?.legacy).toBeUndefined();
    expect((await app.deps.ledger.list()).map((listedRow) => listedRow.legacy ?? false)).toEqual([false]);
  });
});
