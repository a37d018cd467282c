// IMAGE_SYNC_DISCOVERY=resource-graph through the real @azure/arm-resourcegraph client against the
// emulator over HTTPS: the same images as ARM mode on the same estate, pages followed with
// $skipToken, unreadable subscriptions reported as ARM mode reports them, faults ridden out.
import { describe, expect, it } from 'vitest';
import { createResourceGraphSourceImageReader } from '../../../src/arm/resourceGraphSourceImageReader';
import { createSourceImageReader } from '../../../src/arm/sourceImageReader';
import { loadConfig } from '../../../src/config';
import type { SourceImage } from '../../../src/domain';
import { estate, managedImage, resourceGroup, subscription } from '../../../src/emulator';
import { silentLogger } from '../../../src/log';
import { isInScope } from '../../../src/rules/scope';
import { useEmulator } from '../../support/emulator';

const MAIN = '77777777-7777-4777-8777-777777777771';
const SECOND = '77777777-7777-4777-8777-777777777772';
const FORBIDDEN = '77777777-7777-4777-8777-777777777773';
const ABSENT = '77777777-7777-4777-8777-777777777774';

const fixture = useEmulator(() =>
  estate({
    arm: { pageSize: 2 },
    subscriptions: [
      subscription({
        id: MAIN,
        resourceGroups: [
          resourceGroup('rg-images', [
            managedImage({ name: 'win11-ent-1.0.0' }),
            managedImage({ name: 'win11-upper-1.0.0', tags: { 'CloudPC-Sync': 'TRUE', 'cloudpc-version': '1.0.0' } }),
            managedImage({ name: 'win11-spaced-1.0.0', tags: { 'cloudpc-sync': ' true ' } }),
            managedImage({ name: 'gen1-1.0.0', hyperVGeneration: 'V1' }),
            managedImage({ name: 'disks-1.0.0', dataDisks: 2 }),
            managedImage({
              name: 'encrypted-1.0.0',
              diskEncryptionSet: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/diskEncryptionSets/des',
            }),
            managedImage({
              name: 'bare-1.0.0',
              armOmit: ['properties.storageProfile', 'properties.hyperVGeneration', 'properties.sourceVirtualMachine'],
            }),
            managedImage({ name: 'untagged-1.0.0', tags: {} }),
            managedImage({ name: 'opted-out-1.0.0', tags: { 'cloudpc-sync': 'false' } }),
          ]),
          resourceGroup('rg-build', [
            managedImage({ name: 'built-2.0.0', build: 'b7' }),
            managedImage({ name: 'scratch-1.0.0', tags: {} }),
          ]),
        ],
      }),
      subscription({
        id: SECOND,
        resourceGroups: [
          resourceGroup(
            'rg-images',
            ['a', 'b', 'c', 'd'].map((letter) => managedImage({ name: `second-${letter}-1.0.0` })),
          ),
        ],
      }),
      subscription({
        id: FORBIDDEN,
        access: 'forbidden',
        resourceGroups: [resourceGroup('rg-images', [managedImage({ name: 'hidden-1.0.0' })])],
      }),
    ],
  }),
);

const QUICK = { retry: { maxRetries: 3, retryDelayInMs: 50 }, secondPassDelayMs: 100 } as const;

function configOf(overrides: Record<string, string>) {
  const { NODE_EXTRA_CA_CERTS: _trusted, ...endpoints } = fixture.emulator.settings();
  return loadConfig({
    AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    ...endpoints,
    IMAGE_SYNC_DISCOVERY: 'resource-graph',
    ...overrides,
  });
}

function readers(overrides: Record<string, string>, pageSize?: number) {
  const config = configOf(overrides);
  const credential = { getToken: async () => ({ token: fixture.emulator.token, expiresOnTimestamp: Date.now() + 3_600_000 }) };
  const arm = createSourceImageReader({ config, credential, log: silentLogger, ...QUICK });
  const graph = createResourceGraphSourceImageReader({
    config,
    credential,
    log: silentLogger,
    perImage: arm,
    ...QUICK,
    ...(pageSize === undefined ? {} : { pageSize }),
  });
  return { config, arm, graph };
}

const byId = (images: readonly SourceImage[]) =>
  [...images].sort((left, right) => left.id.toLowerCase().localeCompare(right.id.toLowerCase()));
const queries = () => fixture.emulator.requests.filter((request) => request.kind === 'resourceGraph.resources');

describe('Resource Graph discovery', () => {
  it('finds exactly the images ARM mode has in scope, field for field, tag names and values in any case', async () => {
    const { config, arm, graph } = readers({ IMAGE_SYNC_SUBSCRIPTION_IDS: `${MAIN},${SECOND}` });
    const [fromArm, fromGraph] = await Promise.all([arm.listAll(), graph.listAll()]);
    const inScope = fromArm.images.filter((image) => isInScope(image, config.scope));
    expect(inScope.length).toBe(12);
    expect(byId(fromGraph.images)).toEqual(byId(inScope));
    expect(fromGraph.unreadable).toEqual([]);
    expect(fromGraph.unavailable).toEqual([]);
  });

  it('takes every image with IMAGE_SYNC_TAG=*, and only the named groups with IMAGE_SYNC_RESOURCE_GROUPS', async () => {
    const everything = readers({ IMAGE_SYNC_SUBSCRIPTION_IDS: `${MAIN},${SECOND}`, IMAGE_SYNC_TAG: '*' });
    const [allArm, allGraph] = await Promise.all([everything.arm.listAll(), everything.graph.listAll()]);
    expect(allGraph.images).toHaveLength(15);
    expect(byId(allGraph.images)).toEqual(byId(allArm.images));

    const narrowed = readers({ IMAGE_SYNC_SUBSCRIPTION_IDS: `${MAIN},${SECOND}`, IMAGE_SYNC_RESOURCE_GROUPS: 'RG-BUILD' });
    const [groupArm, groupGraph] = await Promise.all([narrowed.arm.listAll(), narrowed.graph.listAll()]);
    expect(groupGraph.images.map((image) => image.name)).toEqual(['built-2.0.0']);
    expect(byId(groupGraph.images)).toEqual(byId(groupArm.images.filter((image) => isInScope(image, narrowed.config.scope))));
  });

  it('follows $skipToken over several pages, each the same query and scope', async () => {
    const { graph } = readers({ IMAGE_SYNC_SUBSCRIPTION_IDS: `${MAIN},${SECOND}` }, 3);
    const before = queries().length;
    const listing = await graph.listAll();
    const sent = queries().slice(before);
    // 12 images and 2 subscription rows, 3 a page.
    expect(sent).toHaveLength(5);
    expect(listing.images).toHaveLength(12);
    const bodies = sent.map(
      (request) =>
        JSON.parse(request.body) as {
          query: string;
          subscriptions: string[];
          options: { $top: number; $skipToken?: string; resultFormat: string };
        },
    );
    expect(new Set(bodies.map((body) => body.query)).size).toBe(1);
    expect(
      bodies.every(
        (body) =>
          body.options.$top === 3 && body.options.resultFormat === 'objectArray' && body.subscriptions.join() === `${MAIN},${SECOND}`,
      ),
    ).toBe(true);
    expect(bodies.map((body) => body.options.$skipToken === undefined)).toEqual([true, false, false, false, false]);
    expect(
      sent.every(
        (request) =>
          request.method === 'POST' &&
          /^\/providers\/Microsoft\.ResourceGraph\/resources\?api-version=/.test(request.path) &&
          request.hasBearerToken,
      ),
    ).toBe(true);
  });

  it('reports a listed subscription it cannot read, or that does not exist, as unreadable, as ARM mode does', async () => {
    const { arm, graph } = readers({ IMAGE_SYNC_SUBSCRIPTION_IDS: `${SECOND},${FORBIDDEN},${ABSENT}` });
    const [fromArm, fromGraph] = await Promise.all([arm.listAll(), graph.listAll()]);
    expect(fromGraph.unreadable.map((entry) => entry.subscriptionId)).toEqual(fromArm.unreadable.map((entry) => entry.subscriptionId));
    expect(fromGraph.unreadable).toEqual([
      { subscriptionId: FORBIDDEN, detail: expect.stringMatching(/no record of subscription .*needs Reader/) },
      { subscriptionId: ABSENT, detail: expect.stringMatching(/no record of subscription/) },
    ]);
    expect(fromGraph.images.map((image) => image.name).sort()).toEqual([
      'second-a-1.0.0',
      'second-b-1.0.0',
      'second-c-1.0.0',
      'second-d-1.0.0',
    ]);
  });

  it('with IMAGE_SYNC_SUBSCRIPTION_IDS=* asks for every readable subscription, naming none', async () => {
    const { graph } = readers({ IMAGE_SYNC_SUBSCRIPTION_IDS: '*' });
    const before = queries().length;
    const listing = await graph.listAll();
    expect(listing.images).toHaveLength(12);
    expect(listing.unreadable).toEqual([]);
    const [body] = queries()
      .slice(before)
      .map((request) => JSON.parse(request.body) as Record<string, unknown>);
    expect(body?.['subscriptions']).toBeUndefined();
    expect(String(body?.['query'])).not.toMatch(/ResourceContainers/);
  });

  it('reads one image through ARM, which sees a write at once', async () => {
    const { graph } = readers({ IMAGE_SYNC_SUBSCRIPTION_IDS: MAIN });
    const before = fixture.emulator.count('arm.images.get');
    const image = await graph.get(`/subscriptions/${MAIN}/resourceGroups/rg-images/providers/Microsoft.Compute/images/win11-ent-1.0.0`);
    expect(image?.name).toBe('win11-ent-1.0.0');
    expect(fixture.emulator.count('arm.images.get')).toBe(before + 1);
  });

  it('rides out 503s, resets and a 429 with the SDK retries, never before Retry-After', async () => {
    const { graph } = readers({ IMAGE_SYNC_SUBSCRIPTION_IDS: `${MAIN},${SECOND}` }, 4);
    fixture.emulator.setFaults({
      service: 'arm',
      kinds: ['resourceGraph.*'],
      unavailable: { next: 1 },
      reset: { next: 1 },
      throttle: { next: 1, retryAfterSeconds: 1 },
    });
    try {
      const listing = await graph.listAll();
      expect(listing.images).toHaveLength(12);
      expect(listing.unavailable).toEqual([]);
    } finally {
      fixture.emulator.clearFaults();
    }
    expect(fixture.emulator.earlyRetries()).toEqual([]);
  });

  it('leaves the subscriptions unavailable (not unreadable) when the query fails past every retry', async () => {
    const { graph } = readers({ IMAGE_SYNC_SUBSCRIPTION_IDS: `${MAIN},${SECOND}` });
    fixture.emulator.setFaults({ service: 'arm', kinds: ['resourceGraph.*'], down: 'unavailable' });
    try {
      const listing = await graph.listAll();
      expect(listing.images).toEqual([]);
      expect(listing.unreadable).toEqual([]);
      expect(listing.unavailable.map((entry) => entry.subscriptionId)).toEqual([MAIN, SECOND]);
      expect(listing.unavailable[0]?.detail).toMatch(/503/);
    } finally {
      fixture.emulator.clearFaults();
    }
  });
});
