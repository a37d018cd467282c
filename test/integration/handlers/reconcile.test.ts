import { describe, expect, it } from 'vitest';
import { estate, managedImage, managedImageResourceId, resourceGroup, subscription, deviceImage } from '../../../src/emulator';
import { reconcile } from '../../../src/handlers/reconcile';
import type { RegisterJob } from '../../../src/domain';
import { newLedgerEntry } from '../../../src/steps/ledgerTransitions';
import type { Ledger } from '../../../src/ports';
import { drainQueueForTest, testApp, testAppSettings } from '../../support/appDeps';
import { useEmulator } from '../../support/emulator';
import { contractErrors } from '../../support/contract';

const SUB_A = '55555555-5555-4555-8555-555555555555';
const SUB_B = '66666666-6666-4666-8666-666666666666';
const SUB_GONE = '77777777-7777-4777-8777-777777777777';
const idA = (name: string, group = 'rg-a') => managedImageResourceId(SUB_A, group, name);

const fixture = useEmulator(() =>
  estate({
    arm: { pageSize: 2 },
    graph: { pageSize: 2 },
    subscriptions: [
      subscription({
        id: SUB_A,
        resourceGroups: [
          resourceGroup('rg-a', [
            managedImage({ name: 'win11-new-1.0.0' }),
            managedImage({ name: 'win11-new-1.1.0' }),
            managedImage({ name: 'win11-known-1.0.0' }),
            managedImage({ name: 'win11-gen1-1.0.0', hyperVGeneration: 'V1' }),
            managedImage({ name: 'win11-untagged-1.0.0', tags: {} }),
          ]),
          resourceGroup('rg-b', [managedImage({ name: 'win11-other-group-1.0.0' })]),
        ],
      }),
      subscription({ id: SUB_B, resourceGroups: [resourceGroup('rg-b', [managedImage({ name: 'win10-b-3.0.0' })])] }),
      subscription({ id: SUB_GONE, access: 'notFound' }),
    ],
    deviceImages: [
      // Registered earlier, by hand or an older tool; Graph returns its id in another casing.
      deviceImage({
        displayName: 'win11-known',
        version: '1.0.0',
        sourceImageResourceId: idA('win11-known-1.0.0').replace('/resourceGroups/', '/resourcegroups/').toUpperCase(),
        status: 'ready',
      }),
    ],
  }),
);

describe('reconcile', () => {
  it('queues one contract-valid job per new eligible image across subscriptions and pages, adopts what Graph has, records skips and unreadable subscriptions', async () => {
    const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: `${SUB_A},${SUB_B},${SUB_GONE}` }));
    const report = await reconcile(app.deps);

    expect(report).toMatchObject({ registered: 4, adopted: 1, skipped: 1, unreadableSubscriptions: 1 });
    const jobs = (await drainQueueForTest(app, app.config.registerQueue)) as RegisterJob[];
    for (const job of jobs) expect(contractErrors('messages#/$defs/registerJob', job)).toBeNull();
    expect(jobs.map((job) => job.sourceImageResourceId).sort()).toEqual(
      [
        idA('win11-new-1.0.0'),
        idA('win11-new-1.1.0'),
        idA('win11-other-group-1.0.0', 'rg-b'),
        managedImageResourceId(SUB_B, 'rg-b', 'win10-b-3.0.0'),
      ].sort(),
    );
    expect(jobs.every((job) => job.trigger === 'reconcile')).toBe(true);

    const rows = new Map((await app.deps.ledger.list()).map((row) => [row.sourceImageResourceId.toLowerCase(), row]));
    expect(rows.get(idA('win11-known-1.0.0').toLowerCase())).toMatchObject({ state: 'ready' });
    expect(rows.get(idA('win11-gen1-1.0.0').toLowerCase())).toMatchObject({
      state: 'skipped',
      reason: 'gen1',
      fix: expect.stringMatching(/Generation 2/),
    });
    expect(rows.get(idA('win11-new-1.0.0').toLowerCase())).toMatchObject({ state: 'queued' });
    expect(rows.has(idA('win11-untagged-1.0.0').toLowerCase())).toBe(false);
    expect(await app.deps.ledger.listProblems()).toEqual([
      expect.objectContaining({ kind: 'subscription-unreadable', subject: SUB_GONE, detail: expect.stringMatching(/404/) }),
    ]);
  });

  it('lists each subscription page by page and Graph once, with no call per image', async () => {
    const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: `${SUB_A},${SUB_B}` }));
    fixture.emulator.clearRequests();
    await reconcile(app.deps);
    const counts = fixture.emulator.counts();
    // SUB_A: 6 images at 2 a page = 3 pages; SUB_B: 1 page. Graph: 1 device image at 2 a page = 1 page.
    expect(counts['arm.images.list']).toBe(4);
    expect(counts['graph.deviceImages.list']).toBe(1);
    expect(counts['arm.images.get'] ?? 0).toBe(0);
    expect(counts['graph.deviceImages.get'] ?? 0).toBe(0);
    expect(fixture.emulator.requests.every((request) => request.hasBearerToken)).toBe(true);
    const graph = fixture.emulator.requests.filter((request) => request.service === 'graph');
    expect(graph.map((request) => request.headers['prefer'])).toEqual(graph.map(() => 'include-unknown-enum-members'));
  });

  it('writes the first rows of new, adopted and skipped images together, in one insertMany', async () => {
    const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: `${SUB_A},${SUB_B}` }));
    const batches: number[] = [];
    let singleInserts = 0;
    const { ledger } = app.deps;
    const counted: Ledger = {
      ...ledger,
      insert: (entry, now) => {
        singleInserts += 1;
        return ledger.insert(entry, now);
      },
      insertMany: (entries, now) => {
        batches.push(entries.length);
        return ledger.insertMany(entries, now);
      },
    };
    const report = await reconcile({ ...app.deps, ledger: counted });
    expect(report).toMatchObject({ registered: 4, adopted: 1, skipped: 1, superseded: 0 });
    expect(batches).toEqual([6]);
    expect(singleInserts).toBe(0);
  });

  it('leaves an image to the instance that wrote its row first, and queues the others', async () => {
    const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB_A }));
    const { ledger } = app.deps;
    const raced: Ledger = {
      ...ledger,
      insertMany: async (entries, now) => {
        // Another instance's reconcile, a moment earlier, queued one of the same images.
        await ledger.insert(
          newLedgerEntry({ sourceImageResourceId: idA('win11-new-1.0.0'), displayName: 'win11-new', version: '1.0.0' }),
          now,
        );
        return ledger.insertMany(entries, now);
      },
    };
    const report = await reconcile({ ...app.deps, ledger: raced });
    expect(report).toMatchObject({ registered: 2, superseded: 1 });
    const jobs = (await drainQueueForTest(app, app.config.registerQueue)) as RegisterJob[];
    expect(jobs.map((job) => job.sourceImageResourceId).sort()).toEqual(
      [idA('win11-new-1.1.0'), idA('win11-other-group-1.0.0', 'rg-b')].sort(),
    );
    expect(app.lines.filter((line) => line.includes('PlanActionSuperseded'))).toHaveLength(1);
  });

  it('queues nothing the second time, and records a recurring problem once', async () => {
    const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: `${SUB_A},${SUB_GONE}` }));
    await reconcile(app.deps);
    await drainQueueForTest(app, app.config.registerQueue);
    const again = await reconcile(app.deps);
    expect(again).toMatchObject({ registered: 0, adopted: 0 });
    expect(await drainQueueForTest(app, app.config.registerQueue)).toEqual([]);
    const problems = await app.deps.ledger.listProblems();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ count: 2 });
    expect(app.lines.filter((line) => line.startsWith('error: ImageSyncFailure'))).toHaveLength(1);
  });

  it('narrows the scan to IMAGE_SYNC_RESOURCE_GROUPS, in every subscription that has them', async () => {
    const app = testApp(
      testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: `${SUB_A},${SUB_B}`, IMAGE_SYNC_RESOURCE_GROUPS: 'RG-B' }),
    );
    const report = await reconcile(app.deps);
    expect(report.plan.images.map((image) => image.sourceImageResourceId).sort()).toEqual(
      [idA('win11-other-group-1.0.0', 'rg-b'), managedImageResourceId(SUB_B, 'rg-b', 'win10-b-3.0.0')].sort(),
    );
    expect(await app.deps.ledger.listProblems()).toEqual([]);
  });

  it('takes every image in scope with IMAGE_SYNC_TAG=*', async () => {
    const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB_A, IMAGE_SYNC_TAG: '*' }));
    const report = await reconcile(app.deps);
    expect(report.plan.images.some((image) => image.sourceImageResourceId === idA('win11-untagged-1.0.0'))).toBe(true);
  });
});

describe('the reconcile function', () => {
  it('runs on its timer with an InvocationContext and queues the new images', async () => {
    const settings = testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB_B });
    Object.assign(process.env, settings);
    const { InvocationContext } = await import('@azure/functions');
    const { reconcileHandler } = await import('../../../functions/reconcile.js');
    const lines: string[] = [];
    const context = new InvocationContext({
      functionName: 'reconcile',
      invocationId: 'inv-r',
      logHandler: (level, ...args) => lines.push(`${level} ${args.join(' ')}`),
    });
    await reconcileHandler(
      {
        isPastDue: false,
        schedule: { adjustForDST: true },
        scheduleStatus: { last: '2026-11-23T09:00:00Z', next: '2026-11-23T09:15:00Z', lastUpdated: '2026-11-23T09:00:00Z' },
      },
      context,
    );
    expect(lines.some((line) => line.startsWith('information ReconcileDone'))).toBe(true);
    const jobs = (await drainQueueForTest(testApp(settings), settings.IMAGE_SYNC_REGISTER_QUEUE ?? '')) as RegisterJob[];
    expect(jobs.map((job) => job.sourceImageResourceId)).toEqual([managedImageResourceId(SUB_B, 'rg-b', 'win10-b-3.0.0')]);
  });
});
