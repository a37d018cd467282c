// Gallery image versions as sources (DESIGN §17) through the real @azure/arm-compute client against
// the emulator over HTTPS: galleries, definitions and versions listed page by page across
// subscriptions (a forbidden one reported as the managed-image listing reports it), one version
// read by id, IMAGE_SYNC_RESOURCE_GROUPS narrowing by the gallery's group, not one gallery request
// with gallery sources off, and Resource Graph mode finding the same sources as ARM mode.
import { describe, expect, it } from 'vitest';
import { galleryDefinitionsQuery, galleryVersionsQuery } from '../../../src/arm/galleryResourceGraphQuery';
import { createGalleryVersionReader } from '../../../src/arm/galleryVersionReader';
import { createResourceGraphGalleryReader } from '../../../src/arm/resourceGraphGalleryReader';
import { loadConfig } from '../../../src/config';
import type { SourceImage } from '../../../src/domain';
import {
  estate,
  gallery,
  galleryImage,
  galleryImageVersion,
  galleryImageVersionId,
  managedImage,
  managedImageResourceId,
  resourceGroup,
  subscription,
} from '../../../src/emulator';
import { silentLogger } from '../../../src/log';
import { isInScope } from '../../../src/rules/scope';
import { testApp, testAppSettings } from '../../support/appDeps';
import { useEmulator } from '../../support/emulator';

const MAIN = '99999999-9999-4999-8999-999999999991';
const SECOND = '99999999-9999-4999-8999-999999999992';
const FORBIDDEN = '99999999-9999-4999-8999-999999999993';

const GOLD = (version: string) => galleryImageVersionId(MAIN, 'rg-gallery', 'galImages', 'win11-gold', version);

const fixture = useEmulator(() =>
  estate({
    arm: { pageSize: 2 },
    subscriptions: [
      subscription({
        id: MAIN,
        resourceGroups: [
          resourceGroup('rg-images', [managedImage({ name: 'win11-ent-1.0.0' })]),
          resourceGroup('rg-gallery', [], {
            galleries: [
              gallery('galImages', [
                galleryImage({ name: 'win11-gold', tags: { 'cloudpc-sync': 'true', 'cloudpc-display-name': 'Windows 11 Gold' } }, [
                  galleryImageVersion('1.0.0'),
                  galleryImageVersion('1.1.0', { targetRegions: ['West Europe', 'North Europe'] }),
                  galleryImageVersion('1.2.0', { provisioningState: 'Failed' }),
                ]),
                galleryImage({ name: 'win11-gen1', hyperVGeneration: 'V1' }, [galleryImageVersion('1.0.0')]),
                galleryImage({ name: 'win11-specialized', osState: 'Specialized' }, [galleryImageVersion('1.0.0')]),
                galleryImage({ name: 'win11-disks' }, [galleryImageVersion('1.0.0', { dataDiskImages: 2 })]),
                galleryImage({ name: 'win11-cmk' }, [galleryImageVersion('1.0.0', { encryptedWithCustomerKey: true })]),
                galleryImage({ name: 'win11-untagged', tags: {} }, [
                  galleryImageVersion('1.0.0', { tags: { 'CloudPC-Sync': 'TRUE' } }),
                  galleryImageVersion('2.0.0'),
                ]),
                galleryImage({ name: 'win11-optout' }, [galleryImageVersion('3.0.0', { tags: { 'cloudpc-sync': 'false' } })]),
              ]),
              gallery('galEmpty'),
            ],
          }),
          resourceGroup('rg-other', [], {
            galleries: [gallery('galOther', [galleryImage({ name: 'other' }, [galleryImageVersion('1.0.0')])])],
          }),
        ],
      }),
      subscription({
        id: SECOND,
        resourceGroups: [
          resourceGroup('rg-gallery', [], {
            location: 'northeurope',
            galleries: [gallery('galSecond', [galleryImage({ name: 'second' }, [galleryImageVersion('4.0.0')])])],
          }),
        ],
      }),
      subscription({
        id: FORBIDDEN,
        access: 'forbidden',
        resourceGroups: [
          resourceGroup('rg-gallery', [], {
            galleries: [gallery('galHidden', [galleryImage({ name: 'hidden' }, [galleryImageVersion('1.0.0')])])],
          }),
        ],
      }),
    ],
  }),
);

const QUICK = { retry: { maxRetries: 2, retryDelayInMs: 50 }, secondPassDelayMs: 100 } as const;
const ALL = [MAIN, SECOND, FORBIDDEN].join(',');

function configOf(overrides: Record<string, string>) {
  const { NODE_EXTRA_CA_CERTS: _trusted, ...endpoints } = fixture.emulator.settings();
  return loadConfig({
    AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    ...endpoints,
    IMAGE_SYNC_GALLERY_SOURCES: 'direct',
    ...overrides,
  });
}

const credential = { getToken: async () => ({ token: fixture.emulator.token, expiresOnTimestamp: Date.now() + 3_600_000 }) };

function galleryReader(overrides: Record<string, string> = {}) {
  return createGalleryVersionReader({ config: configOf(overrides), credential, log: silentLogger, ...QUICK });
}

const ids = (images: readonly SourceImage[]) => images.map((image) => image.id.toLowerCase()).sort();

/** Requests that touched a gallery: an ARM path under /galleries, or a Resource Graph query of gallery types. */
const galleryRequests = () =>
  fixture.emulator.requests.filter((request) => /galleries/i.test(request.path) || /galleries/i.test(request.body)).length;

describe('gallery version discovery through ARM', () => {
  it('lists every version of every gallery, page after page, and reports the forbidden subscription as unreadable', async () => {
    const listsBefore = fixture.emulator.count('arm.galleryImageVersions.list');
    const definitionListsBefore = fixture.emulator.count('arm.galleryImages.list');
    const listing = await galleryReader({ IMAGE_SYNC_SUBSCRIPTION_IDS: ALL }).listAll();
    expect(ids(listing.images)).toEqual(
      [
        GOLD('1.0.0'),
        GOLD('1.1.0'),
        GOLD('1.2.0'),
        galleryImageVersionId(MAIN, 'rg-gallery', 'galImages', 'win11-gen1', '1.0.0'),
        galleryImageVersionId(MAIN, 'rg-gallery', 'galImages', 'win11-specialized', '1.0.0'),
        galleryImageVersionId(MAIN, 'rg-gallery', 'galImages', 'win11-disks', '1.0.0'),
        galleryImageVersionId(MAIN, 'rg-gallery', 'galImages', 'win11-cmk', '1.0.0'),
        galleryImageVersionId(MAIN, 'rg-gallery', 'galImages', 'win11-untagged', '1.0.0'),
        galleryImageVersionId(MAIN, 'rg-gallery', 'galImages', 'win11-untagged', '2.0.0'),
        galleryImageVersionId(MAIN, 'rg-gallery', 'galImages', 'win11-optout', '3.0.0'),
        galleryImageVersionId(MAIN, 'rg-other', 'galOther', 'other', '1.0.0'),
        galleryImageVersionId(SECOND, 'rg-gallery', 'galSecond', 'second', '4.0.0'),
      ]
        .map((id) => id.toLowerCase())
        .sort(),
    );
    // Pages of 2 (the SDK followed nextLink): galImages' 7 definitions in 4 pages, galEmpty's none in
    // 1, galOther's and galSecond's 1 each; 9 definitions' versions in 9 pages, win11-gold's 3 in 2.
    expect(fixture.emulator.count('arm.galleryImages.list') - definitionListsBefore).toBe(7);
    expect(fixture.emulator.count('arm.galleryImageVersions.list') - listsBefore).toBe(10);
    expect(listing.unreadable.map((entry) => entry.subscriptionId)).toEqual([FORBIDDEN]);
    expect(listing.unreadable[0]?.detail).toMatch(/listing gallery image versions of subscription .*: 403/);
    expect(listing.unavailable).toEqual([]);

    const byId = new Map(listing.images.map((image) => [image.id.toLowerCase(), image]));
    expect(byId.get(GOLD('1.1.0').toLowerCase())).toEqual({
      id: GOLD('1.1.0'),
      name: '1.1.0',
      subscriptionId: MAIN,
      resourceGroup: 'rg-gallery',
      location: 'westeurope',
      tags: { 'cloudpc-sync': 'true', 'cloudpc-display-name': 'Windows 11 Gold' },
      provisioningState: 'Succeeded',
      hyperVGeneration: 'V2',
      hasStorageProfile: true,
      osType: 'Windows',
      osState: 'Generalized',
      osDiskSizeGB: 64,
      dataDiskCount: 0,
      hasDiskEncryptionSet: false,
      contentFingerprint: '2026-11-28T22:05:11.000Z',
      gallery: { galleryName: 'galImages', definitionName: 'win11-gold', targetRegions: ['westeurope', 'northeurope'] },
    });
    const facts = (definition: string, version = '1.0.0') =>
      byId.get(galleryImageVersionId(MAIN, 'rg-gallery', 'galImages', definition, version).toLowerCase());
    expect(facts('win11-gen1')?.hyperVGeneration).toBe('V1');
    expect(facts('win11-specialized')?.osState).toBe('Specialized');
    expect(facts('win11-disks')?.dataDiskCount).toBe(2);
    expect(facts('win11-cmk')?.hasDiskEncryptionSet).toBe(true);
    expect(byId.get(GOLD('1.2.0').toLowerCase())?.provisioningState).toBe('Failed');
    expect(facts('win11-untagged')?.tags).toEqual({ 'CloudPC-Sync': 'TRUE' });
    expect(facts('win11-optout', '3.0.0')?.tags).toEqual({ 'cloudpc-sync': 'false' });
    expect(
      byId.get(galleryImageVersionId(SECOND, 'rg-gallery', 'galSecond', 'second', '4.0.0').toLowerCase())?.gallery?.targetRegions,
    ).toEqual(['northeurope']);
  });

  it('rides out a transient failure in the second pass, and reports a subscription still failing as unavailable', async () => {
    const reader = galleryReader({ IMAGE_SYNC_SUBSCRIPTION_IDS: SECOND });
    try {
      // More 503s than the SDK's retries (2): the first pass gives up on the subscription, the second lists it.
      fixture.emulator.setFaults({ service: 'arm', kinds: ['arm.galleryImageVersions.list'], unavailable: { next: 3 } });
      const recovered = await reader.listAll();
      expect(recovered.unavailable).toEqual([]);
      expect(ids(recovered.images)).toEqual([galleryImageVersionId(SECOND, 'rg-gallery', 'galSecond', 'second', '4.0.0').toLowerCase()]);

      fixture.emulator.setFaults({ service: 'arm', kinds: ['arm.galleries.*'], down: 'unavailable' });
      const down = await reader.listAll();
      expect(down.images).toEqual([]);
      expect(down.unreadable).toEqual([]);
      expect(down.unavailable.map((entry) => entry.subscriptionId)).toEqual([SECOND]);
      expect(down.unavailable[0]?.detail).toMatch(/: 503/);
    } finally {
      fixture.emulator.clearFaults();
    }
  });

  it('narrows to IMAGE_SYNC_RESOURCE_GROUPS by the gallery group, a group a subscription lacks being no error', async () => {
    const listing = await galleryReader({
      IMAGE_SYNC_SUBSCRIPTION_IDS: [MAIN, SECOND].join(','),
      IMAGE_SYNC_RESOURCE_GROUPS: 'rg-other',
    }).listAll();
    expect(ids(listing.images)).toEqual([galleryImageVersionId(MAIN, 'rg-other', 'galOther', 'other', '1.0.0').toLowerCase()]);
    expect(listing.unreadable).toEqual([]);
  });

  it('reads one version by id (version and definition), in any casing, and null for one that does not exist', async () => {
    const reader = galleryReader({ IMAGE_SYNC_SUBSCRIPTION_IDS: ALL });
    const listed = (await reader.listAll()).images.find((image) => image.id === GOLD('1.1.0'));
    expect(await reader.get(GOLD('1.1.0').replace('resourceGroups', 'resourcegroups'))).toEqual(listed);
    expect(await reader.get(GOLD('9.9.9'))).toBeNull();
    expect(await reader.get(galleryImageVersionId(MAIN, 'rg-gallery', 'galImages', 'no-such-definition', '1.0.0'))).toBeNull();
    await expect(reader.get(managedImageResourceId(MAIN, 'rg-images', 'win11-ent-1.0.0'))).rejects.toThrow(
      /is not a gallery image version id/,
    );
  });
});

describe('gallery version discovery through Resource Graph', () => {
  function graphReader(overrides: Record<string, string>) {
    const config = configOf({ IMAGE_SYNC_DISCOVERY: 'resource-graph', ...overrides });
    return createResourceGraphGalleryReader({
      config,
      credential,
      log: silentLogger,
      perImage: galleryReader(overrides),
      pageSize: 2,
      ...QUICK,
    });
  }

  it('pages through both queries ($skipToken) and keeps the versions the merged tags opt in, as ARM mode would', async () => {
    const queriesBefore = fixture.emulator.count('resourceGraph.resources');
    const listing = await graphReader({ IMAGE_SYNC_SUBSCRIPTION_IDS: ALL }).listAll();
    // The readable subscriptions' 9 definitions in 5 pages of 2, their 12 versions in 6.
    expect(fixture.emulator.count('resourceGraph.resources') - queriesBefore).toBe(11);
    const config = configOf({ IMAGE_SYNC_SUBSCRIPTION_IDS: ALL });
    const fromArm = (await galleryReader({ IMAGE_SYNC_SUBSCRIPTION_IDS: ALL }).listAll()).images.filter((image) =>
      isInScope(image, config.scope),
    );
    expect(ids(listing.images)).toEqual(ids(fromArm));
    expect(ids(listing.images)).not.toContain(
      galleryImageVersionId(MAIN, 'rg-gallery', 'galImages', 'win11-optout', '3.0.0').toLowerCase(),
    );
    expect(ids(listing.images)).toContain(galleryImageVersionId(MAIN, 'rg-gallery', 'galImages', 'win11-untagged', '1.0.0').toLowerCase());
    const byId = new Map(fromArm.map((image) => [image.id.toLowerCase(), image]));
    for (const image of listing.images) expect(image).toEqual(byId.get(image.id.toLowerCase()));
  });

  it('narrows to IMAGE_SYNC_RESOURCE_GROUPS in the query', async () => {
    const listing = await graphReader({ IMAGE_SYNC_SUBSCRIPTION_IDS: ALL, IMAGE_SYNC_RESOURCE_GROUPS: 'rg-other' }).listAll();
    expect(ids(listing.images)).toEqual([galleryImageVersionId(MAIN, 'rg-other', 'galOther', 'other', '1.0.0').toLowerCase()]);
  });
});

describe('the app reader (createSyncDeps)', () => {
  it('with gallery sources off, lists managed images alone and sends not one gallery request, in either discovery mode', async () => {
    for (const discovery of ['arm', 'resource-graph']) {
      const before = galleryRequests();
      const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: ALL, IMAGE_SYNC_DISCOVERY: discovery }));
      expect(app.config.gallery.mode).toBe('off');
      const listing = await app.deps.sourceImages.listAll();
      expect(listing.images.map((image) => image.name)).toEqual(['win11-ent-1.0.0']);
      expect(listing.images.some((image) => image.gallery !== undefined)).toBe(false);
      expect(galleryRequests()).toBe(before);
    }
  });

  it('with gallery sources on, lists managed images and gallery versions, the forbidden subscription reported once', async () => {
    const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: ALL, IMAGE_SYNC_GALLERY_SOURCES: 'direct' }));
    const listing = await app.deps.sourceImages.listAll();
    expect(listing.images.filter((image) => image.gallery === undefined).map((image) => image.name)).toEqual(['win11-ent-1.0.0']);
    expect(listing.images.filter((image) => image.gallery !== undefined)).toHaveLength(12);
    expect(listing.unreadable.map((entry) => entry.subscriptionId)).toEqual([FORBIDDEN]);
    expect(await app.deps.sourceImages.get(GOLD('1.0.0'))).toMatchObject({ id: GOLD('1.0.0'), gallery: { definitionName: 'win11-gold' } });
    expect(await app.deps.sourceImages.get(managedImageResourceId(MAIN, 'rg-images', 'win11-ent-1.0.0'))).toMatchObject({
      name: 'win11-ent-1.0.0',
    });
  });

  it('Resource Graph mode finds the same sources in scope as ARM mode, and the same unreadable subscription', async () => {
    const settings = { IMAGE_SYNC_SUBSCRIPTION_IDS: ALL, IMAGE_SYNC_GALLERY_SOURCES: 'direct' };
    const viaArm = testApp(testAppSettings(fixture.emulator, settings));
    const viaGraph = testApp(testAppSettings(fixture.emulator, { ...settings, IMAGE_SYNC_DISCOVERY: 'resource-graph' }));
    const fromArm = await viaArm.deps.sourceImages.listAll();
    const armPathsBefore = fixture.emulator.count('arm.galleries.list');
    const fromGraph = await viaGraph.deps.sourceImages.listAll();
    expect(fixture.emulator.count('arm.galleries.list')).toBe(armPathsBefore);
    const queries = fixture.emulator.requests
      .filter((request) => request.kind === 'resourceGraph.resources')
      .map((request) => (JSON.parse(request.body) as { query: string }).query);
    expect(queries).toContain(galleryDefinitionsQuery(null));
    expect(queries).toContain(galleryVersionsQuery(null));
    const inScope = (listing: typeof fromArm) =>
      [...listing.images.filter((image) => isInScope(image, viaArm.config.scope))].sort((a, b) =>
        a.id.toLowerCase().localeCompare(b.id.toLowerCase()),
      );
    expect(inScope(fromGraph)).toEqual(inScope(fromArm));
    expect(
      inScope(fromGraph)
        .filter((image) => image.gallery !== undefined)
        .map((image) => `${image.gallery?.definitionName} ${image.name}`)
        .sort(),
    ).toEqual([
      'other 1.0.0',
      'second 4.0.0',
      'win11-cmk 1.0.0',
      'win11-disks 1.0.0',
      'win11-gen1 1.0.0',
      'win11-gold 1.0.0',
      'win11-gold 1.1.0',
      'win11-gold 1.2.0',
      'win11-specialized 1.0.0',
      'win11-untagged 1.0.0',
    ]);
    expect(fromGraph.unreadable.map((entry) => entry.subscriptionId)).toEqual([FORBIDDEN]);
  });
});
