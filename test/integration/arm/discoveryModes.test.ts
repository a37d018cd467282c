// The planner cannot tell the discovery modes apart: a reconcile with IMAGE_SYNC_DISCOVERY=arm and
// one with resource-graph, each with the app's real dependencies (createSyncDeps) on the same
// estate, plan the same images the same way and report the same unreadable subscription. And the
// emulator answers only the query shapes the app sends.
import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import { isRestError } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import { estate, managedImage, managedImageResourceId, resourceGroup, subscription, deviceImage } from '../../../src/emulator';
import { reconcile } from '../../../src/handlers/reconcile';
import { testApp, testAppSettings } from '../../support/appDeps';
import { useEmulator } from '../../support/emulator';

const IMAGING = '88888888-8888-4888-8888-888888888881';
const TEAM = '88888888-8888-4888-8888-888888888882';
const LOCKED = '88888888-8888-4888-8888-888888888883';

const fixture = useEmulator(() =>
  estate({
    arm: { pageSize: 3 },
    subscriptions: [
      subscription({
        id: IMAGING,
        resourceGroups: [
          resourceGroup('rg-images', [
            managedImage({ name: 'win11-ent-1.0.0' }),
            managedImage({ name: 'win11-ent-1.1.0' }),
            managedImage({
              name: 'win11-dev',
              tags: { 'Cloudpc-Sync': 'True', 'cloudpc-version': '3.1.0', 'cloudpc-display-name': 'Developers' },
            }),
            managedImage({ name: 'gen1-1.0.0', hyperVGeneration: 'V1' }),
            managedImage({ name: 'no-version' }),
            managedImage({ name: 'plain-1.0.0', tags: {} }),
          ]),
        ],
      }),
      subscription({
        id: TEAM,
        resourceGroups: [
          resourceGroup('rg-team', [managedImage({ name: 'team-2.0.0' }), managedImage({ name: 'other-1.0.0', tags: { owner: 'team' } })]),
        ],
      }),
      subscription({
        id: LOCKED,
        access: 'forbidden',
        resourceGroups: [resourceGroup('rg-locked', [managedImage({ name: 'locked-1.0.0' })])],
      }),
    ],
    deviceImages: [
      deviceImage({
        displayName: 'win11-ent',
        version: '1.0.0',
        sourceImageResourceId: managedImageResourceId(IMAGING, 'rg-images', 'win11-ent-1.0.0'),
        status: 'ready',
      }),
    ],
  }),
);

describe('discovery modes', () => {
  it('plan the same images the same way, and report the same unreadable subscription', async () => {
    const subscriptions = [IMAGING, TEAM, LOCKED].join(',');
    const viaArm = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: subscriptions }));
    const viaGraph = testApp(
      testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: subscriptions, IMAGE_SYNC_DISCOVERY: 'resource-graph' }),
    );
    const armQueries = fixture.emulator.count('resourceGraph.resources');
    const fromArm = await reconcile(viaArm.deps);
    expect(fixture.emulator.count('resourceGraph.resources')).toBe(armQueries);
    const listsBefore = fixture.emulator.count('arm.images.list');
    const fromGraph = await reconcile(viaGraph.deps);
    expect(fixture.emulator.count('arm.images.list')).toBe(listsBefore);
    expect(fixture.emulator.count('resourceGraph.resources')).toBe(armQueries + 1);

    const planned = (report: typeof fromArm) =>
      [...report.plan.images].sort((left, right) => left.sourceImageResourceId.localeCompare(right.sourceImageResourceId));
    expect(planned(fromGraph)).toEqual(planned(fromArm));
    expect(planned(fromGraph).map((image) => `${image.displayName ?? '-'} ${image.version ?? '-'} ${image.outcome}`)).toEqual([
      'gen1 1.0.0 skip',
      'no-version - skip',
      'Developers 3.1.0 register',
      'win11-ent 1.0.0 adopt',
      'win11-ent 1.1.0 register',
      'team 2.0.0 register',
    ]);
    expect(fromGraph.registered).toBe(fromArm.registered);
    expect(fromGraph.unreadableSubscriptions).toBe(1);
    expect(fromArm.unreadableSubscriptions).toBe(1);
    const problems = async (app: typeof viaArm) =>
      (await app.clients.ledger.listProblems()).map((problem) => `${problem.kind} ${problem.subject}`);
    expect(await problems(viaGraph)).toEqual([`subscription-unreadable ${LOCKED}`]);
    expect(await problems(viaArm)).toEqual(await problems(viaGraph));
  });

  it('the emulator refuses a query of another shape with a 400 that says so', async () => {
    const credential = { getToken: async () => ({ token: fixture.emulator.token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
    const client = new ResourceGraphClient(credential, { endpoint: fixture.emulator.url, retryOptions: { maxRetries: 0 } });
    const refused = await client
      .resources({
        subscriptions: [IMAGING],
        query: "Resources | where type =~ 'microsoft.compute/virtualmachines'",
        options: { resultFormat: 'objectArray' },
      })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(isRestError(refused) && refused.statusCode).toBe(400);
    expect(String((refused as Error).message)).toMatch(/does not serve this query/);
    const table = await client
      .resources({
        subscriptions: [IMAGING],
        query: "Resources | where type =~ 'microsoft.compute/images' | project id",
        options: { resultFormat: 'table' },
      })
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(isRestError(table) && table.statusCode).toBe(400);
  });
});
