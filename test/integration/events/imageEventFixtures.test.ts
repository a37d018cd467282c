// The event fixtures beside the API notes' example (lower-case `resourcegroups`, CloudEvents 1.0),
// handled as the imageWritten function handles them, against the emulator.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RegisterJob } from '../../../src/domain';
import { estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../../src/emulator';
import { handleImageEvent } from '../../../src/handlers/imageWritten';
import { drainQueueForTest, testApp, testAppSettings } from '../../support/appDeps';
import { useEmulator } from '../../support/emulator';
import { REPO_ROOT } from '../../support/functionApp';

const SUB = '11111111-1111-4111-8111-111111111111';
const IMAGE = managedImageResourceId(SUB, 'rg-images', 'win11-ent-1.3.0');

const fixture = useEmulator(() =>
  estate({
    subscriptions: [subscription({ id: SUB, resourceGroups: [resourceGroup('rg-images', [managedImage({ name: 'win11-ent-1.3.0' })])] })],
  }),
);

function firstEvent(file: string): unknown {
  return (JSON.parse(readFileSync(path.join(REPO_ROOT, 'test/fixtures/api', file), 'utf8')) as unknown[])[0];
}

describe('the event fixtures through imageWritten', () => {
  it.each(['events/eventgrid-image-written-lowercase-resourcegroups.json', 'events/cloudevents-image-written.json'])(
    'queues the image of %s under the id ARM gives it',
    async (file) => {
      const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB }));
      expect(await handleImageEvent(app.deps, firstEvent(file))).toMatchObject({ registered: 1 });
      const jobs = (await drainQueueForTest(app, app.config.registerQueue)) as RegisterJob[];
      expect(jobs.map((job) => job.sourceImageResourceId)).toEqual([IMAGE]);
    },
  );

  it('queues an image once when its write arrives in both schemas and casings', async () => {
    const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB }));
    const applied = [];
    for (const file of [
      'events/eventgrid-image-written-lowercase-resourcegroups.json',
      'events/cloudevents-image-written.json',
      'eventgrid-image-written.json',
    ]) {
      applied.push(await handleImageEvent(app.deps, firstEvent(file)));
    }
    expect(applied.map((plan) => plan?.registered)).toEqual([1, 0, 0]);
    expect(await drainQueueForTest(app, app.config.registerQueue)).toHaveLength(1);
  });
});
