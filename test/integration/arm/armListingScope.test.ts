// The ARM listing keeps only the images in scope (the opt-in tag, or every image with
// IMAGE_SYNC_TAG=*) as it reads the pages, so memory follows the images the app acts on; it still
// reads every page and counts every image it read, which the reconcile reports as `listed`.
import { describe, expect, it } from 'vitest';
import { createSourceImageReader } from '../../../src/arm/sourceImageReader';
import { estate, managedImage, resourceGroup, subscription } from '../../../src/emulator';
import { reconcile } from '../../../src/handlers/reconcile';
import { testApp, testAppSettings } from '../../support/appDeps';
import { useEmulator } from '../../support/emulator';

const MANY = '66666666-6666-4666-8666-666666666661';
const UNTAGGED_ONLY = '66666666-6666-4666-8666-666666666662';

const untagged = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, index) => managedImage({ name: `${prefix}-${index}-1.0.0`, tags: {} }));

const fixture = useEmulator(() =>
  estate({
    arm: { pageSize: 4 },
    subscriptions: [
      subscription({
        id: MANY,
        resourceGroups: [
          resourceGroup('rg-images', [
            ...untagged('first', 9),
            managedImage({ name: 'kept-1.0.0' }),
            ...untagged('middle', 9),
            // The tag's name and value in another case, the value with spaces: in scope.
            managedImage({ name: 'cased-2.0.0', tags: { 'CloudPC-Sync': ' TRUE ' } }),
            managedImage({ name: 'opted-out-1.0.0', tags: { 'cloudpc-sync': 'false' } }),
            managedImage({ name: 'other-tag-1.0.0', tags: { owner: 'team' } }),
            ...untagged('last', 9),
          ]),
          resourceGroup('rg-other', [...untagged('other', 3), managedImage({ name: 'grouped-1.0.0' })]),
        ],
      }),
      subscription({ id: UNTAGGED_ONLY, resourceGroups: [resourceGroup('rg-images', untagged('plain', 10))] }),
    ],
  }),
);

/** Images in MANY (9 + 1 + 9 + 3 + 9 in rg-images, 4 in rg-other) and UNTAGGED_ONLY (10). */
const EVERY_IMAGE = 31 + 4 + 10;

function reader(overrides: Record<string, string> = {}) {
  const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: `${MANY},${UNTAGGED_ONLY}`, ...overrides }));
  return {
    app,
    sourceImages: createSourceImageReader({ config: app.config, credential: app.clients.credential, log: app.log }),
  };
}

const armListPages = () => fixture.emulator.requests.filter((request) => request.service === 'arm' && request.method === 'GET').length;

describe('the ARM listing keeps the images in scope', () => {
  it('returns only the tagged images of a listing of mostly untagged ones, in listing order, after reading every page', async () => {
    const { sourceImages } = reader();
    const before = armListPages();
    const listing = await sourceImages.listAll();
    expect(listing.images.map((image) => image.name)).toEqual(['kept-1.0.0', 'cased-2.0.0', 'grouped-1.0.0']);
    expect(listing.listed).toBe(EVERY_IMAGE);
    // Every page was read: ceil(35 / 4) for MANY and ceil(10 / 4) for UNTAGGED_ONLY.
    expect(armListPages() - before).toBe(9 + 3);
    expect(listing.unreadable).toEqual([]);
    expect(listing.unavailable).toEqual([]);
  });

  it('keeps every image with IMAGE_SYNC_TAG=*', async () => {
    const listing = await reader({ IMAGE_SYNC_TAG: '*' }).sourceImages.listAll();
    expect(listing.images).toHaveLength(EVERY_IMAGE);
    expect(listing.listed).toBe(EVERY_IMAGE);
  });

  it('counts and keeps within the named resource groups only', async () => {
    const listing = await reader({ IMAGE_SYNC_RESOURCE_GROUPS: 'rg-other' }).sourceImages.listAll();
    expect(listing.images.map((image) => image.name)).toEqual(['grouped-1.0.0']);
    expect(listing.listed).toBe(4);
    expect(listing.unreadable).toEqual([]);
  });

  it('lets the reconcile report every image listed while it plans the images in scope', async () => {
    const { app } = reader();
    const report = await reconcile(app.deps);
    expect(report.listed).toBe(EVERY_IMAGE);
    expect(report.plan.images.map((image) => image.sourceImageResourceId.split('/').at(-1))).toEqual([
      'kept-1.0.0',
      'cased-2.0.0',
      'grouped-1.0.0',
    ]);
    expect(app.lines.find((line) => line.includes('ReconcileDone'))).toContain(`"listed":${EVERY_IMAGE}`);
  });
});
