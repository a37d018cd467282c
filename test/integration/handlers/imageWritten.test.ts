import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import type { RegisterJob } from '../../../src/domain';
import { estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../../src/emulator';
import { handleImageEvent } from '../../../src/handlers/imageWritten';
import { drainQueueForTest, testApp, testAppSettings } from '../../support/appDeps';
import { registration } from '../../support/registration';
import { useEmulator } from '../../support/emulator';
import { REPO_ROOT } from '../../support/functionApp';

// The subscription and image of test/fixtures/api/eventgrid-image-written.json (the API notes' example).
const SUB = '11111111-1111-4111-8111-111111111111';
const OTHER_SUB = '88888888-8888-4888-8888-888888888888';
const id = (name: string, sub = SUB) => managedImageResourceId(sub, 'rg-images', name);

const fixture = useEmulator(() =>
  estate({
    subscriptions: [
      subscription({
        id: SUB,
        resourceGroups: [
          resourceGroup('rg-images', [
            managedImage({ name: 'win11-ent-1.3.0' }),
            managedImage({ name: 'win11-plain-1.0.0', tags: {} }),
            managedImage({ name: 'win11-spec-1.0.0', osState: 'Specialized' }),
          ]),
        ],
      }),
      subscription({ id: OTHER_SUB, resourceGroups: [resourceGroup('rg-images', [managedImage({ name: 'elsewhere-1.0.0' })])] }),
    ],
  }),
);

const example = (
  JSON.parse(readFileSync(path.resolve(REPO_ROOT, 'test/fixtures/api/eventgrid-image-written.json'), 'utf8')) as Record<string, unknown>[]
)[0] as Record<string, unknown>;

function eventGridEvent(resourceUri: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...example, subject: resourceUri, data: { ...(example.data as object), resourceUri }, ...overrides };
}

function cloudEvent(resourceUri: string): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: 'ce-1',
    source: `/subscriptions/${SUB}`,
    type: 'Microsoft.Resources.ResourceWriteSuccess',
    subject: resourceUri,
    time: '2026-11-23T09:00:00Z',
    data: { operationName: 'Microsoft.Compute/images/write', resourceUri, status: 'Succeeded' },
  };
}

describe('imageWritten', () => {
  it('queues the written image at once from the Event Grid example of the API notes', async () => {
    const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB }));
    fixture.emulator.clearRequests();
    const applied = await handleImageEvent(app.deps, example);
    expect(applied).toMatchObject({ registered: 1 });
    const [job, ...more] = (await drainQueueForTest(app, app.config.registerQueue)) as RegisterJob[];
    expect(more).toHaveLength(0);
    expect(job).toMatchObject({
      sourceImageResourceId: id('win11-ent-1.3.0'),
      displayName: 'win11-ent',
      version: '1.3.0',
      trigger: 'event',
    });
    // Re-read with images.get, planned with one Graph list: no subscription listing.
    expect(fixture.emulator.counts()).toMatchObject({ 'arm.images.get': 1, 'graph.deviceImages.list': 1 });
    expect(fixture.emulator.count('arm.images.list')).toBe(0);
  });

  it('reads CloudEvents 1.0 the same way', async () => {
    const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB }));
    expect(await handleImageEvent(app.deps, cloudEvent(id('win11-ent-1.3.0')))).toMatchObject({ registered: 1 });
  });

  it('queues nothing twice for the same event delivered again', async () => {
    const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB }));
    await handleImageEvent(app.deps, example);
    expect(await handleImageEvent(app.deps, example)).toMatchObject({ registered: 0 });
    expect(await drainQueueForTest(app, app.config.registerQueue)).toHaveLength(1);
  });

  it('plans the image like the timer: untagged is ignored, ineligible is skipped with its reason', async () => {
    const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB }));
    expect(await handleImageEvent(app.deps, eventGridEvent(id('win11-plain-1.0.0')))).toMatchObject({ registered: 0, skipped: 0 });
    expect(await handleImageEvent(app.deps, eventGridEvent(id('win11-spec-1.0.0')))).toMatchObject({ registered: 0, skipped: 1 });
    expect(await app.deps.ledger.get(registration(id('win11-spec-1.0.0')))).toMatchObject({ state: 'skipped', reason: 'not-generalized' });
    expect(await drainQueueForTest(app, app.config.registerQueue)).toEqual([]);
  });

  it.each([
    ['a delete', eventGridEvent(id('win11-ent-1.3.0'), { eventType: 'Microsoft.Resources.ResourceDeleteSuccess' })],
    [
      'a write of another resource type',
      eventGridEvent(`/subscriptions/${SUB}/resourceGroups/rg-images/providers/Microsoft.Compute/disks/d1`, {
        data: {
          operationName: 'Microsoft.Compute/disks/write',
          resourceUri: `/subscriptions/${SUB}/resourceGroups/rg-images/providers/Microsoft.Compute/disks/d1`,
          status: 'Succeeded',
        },
      }),
    ],
    ['an image outside IMAGE_SYNC_SUBSCRIPTION_IDS', eventGridEvent(id('elsewhere-1.0.0', OTHER_SUB))],
    ['an image that no longer exists', eventGridEvent(id('deleted-1.0.0'))],
    ['something that is not an event', 'hello'],
  ])('ignores %s with a debug line and no job', async (_what, event) => {
    const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB }));
    expect(await handleImageEvent(app.deps, event)).toBeNull();
    expect(app.lines.some((line) => line.startsWith('debug: ImageEventIgnored'))).toBe(true);
    expect(await drainQueueForTest(app, app.config.registerQueue)).toEqual([]);
  });
});

describe('with IMAGE_SYNC_SUBSCRIPTION_IDS=* (resource-graph discovery)', () => {
  it('takes a written image in any subscription the identity can read', async () => {
    const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_DISCOVERY: 'resource-graph', IMAGE_SYNC_SUBSCRIPTION_IDS: '*' }));
    expect(await handleImageEvent(app.deps, eventGridEvent(id('elsewhere-1.0.0', OTHER_SUB)))).not.toBeNull();
    expect(await drainQueueForTest(app, app.config.registerQueue)).toEqual([
      expect.objectContaining({ sourceImageResourceId: id('elsewhere-1.0.0', OTHER_SUB), trigger: 'event' }),
    ]);
  });
});

describe('the imageWritten function', () => {
  it('is invoked by the host with the event and an InvocationContext', async () => {
    const settings = testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB });
    Object.assign(process.env, settings);
    const { imageWrittenHandler } = await import('../../../functions/imageWritten.js');
    const lines: string[] = [];
    const context = new InvocationContext({
      functionName: 'imageWritten',
      invocationId: 'inv-2',
      logHandler: (level, ...args) => lines.push(`${level} ${args.join(' ')}`),
    });
    await imageWrittenHandler(example as never, context);
    expect(lines.some((line) => line.startsWith('information RegisterJobQueued'))).toBe(true);
    expect(await drainQueueForTest(testApp(settings), settings.IMAGE_SYNC_REGISTER_QUEUE ?? '')).toHaveLength(1);
  });
});
