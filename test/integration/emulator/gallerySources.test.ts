import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import { describe, expect, it } from 'vitest';
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
import { useEmulator } from '../../support/emulator';
import { staticCredential } from './armClient';
import { graphClient } from './graphClient';

const SUB = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const DEVICE_IMAGES = '/deviceManagement/virtualEndpoint/deviceImages';
const version = (subscriptionId: string, group: string, image: string, name: string) =>
  galleryImageVersionId(subscriptionId, group, 'galImages', image, name);
const GOLD_140 = version(SUB, 'rg-gallery', 'win11-gold', '1.4.0');
const GEN1_100 = version(SUB, 'rg-gallery', 'win11-gen1', '1.0.0');
const IMAGE = managedImageResourceId(SUB, 'rg-images', 'win11-ent-1.0.0');

const fixture = useEmulator(() =>
  estate({
    uploadSeconds: 0,
    arm: { pageSize: 2 },
    subscriptions: [
      subscription({
        id: SUB,
        displayName: 'Imaging',
        resourceGroups: [
          resourceGroup('rg-images', [managedImage({ name: 'win11-ent-1.0.0' })]),
          resourceGroup('rg-gallery', [], {
            galleries: [
              gallery('galImages', [
                galleryImage({ name: 'win11-gold', tags: { 'cloudpc-display-name': 'Windows 11 Gold' } }, [
                  galleryImageVersion('1.3.0'),
                  galleryImageVersion('1.4.0', { tags: { 'cloudpc-sync': 'true' } }),
                ]),
                galleryImage({ name: 'win11-gen1', hyperVGeneration: 'V1' }, [galleryImageVersion('1.0.0')]),
              ]),
            ],
          }),
        ],
      }),
      subscription({
        id: OTHER,
        displayName: 'Engineering',
        resourceGroups: [
          resourceGroup('rg-eng', [], {
            galleries: [gallery('galImages', [galleryImage({ name: 'win11-eng' }, [galleryImageVersion('2.0.0')])])],
          }),
        ],
      }),
    ],
  }),
);

interface SourceImage {
  resourceId: string;
  displayName: string;
  category?: string;
}

async function sourceImages(graphVersion: 'v1.0' | 'beta'): Promise<SourceImage[]> {
  const answer = (await graphClient(fixture.emulator).api(`${DEVICE_IMAGES}/getSourceImages`).version(graphVersion).get()) as {
    value: SourceImage[];
  };
  return answer.value;
}

function resourceGraph(): ResourceGraphClient {
  const emulator = fixture.emulator;
  return new ResourceGraphClient(staticCredential(emulator.token), {
    endpoint: emulator.url,
    credentials: { scopes: [`${emulator.url}/.default`] },
    retryOptions: { maxRetries: 0 },
  });
}

describe('gallery versions as Windows 365 sources: getSourceImages, direct creates, Resource Graph', () => {
  it('lists gallery versions on beta with category azureComputeGallery, managed images with managedImage; v1.0 lists managed images only', async () => {
    const beta = await sourceImages('beta');
    expect(beta.map((entry) => [entry.resourceId, entry.category])).toEqual([
      [IMAGE, 'managedImage'],
      [version(SUB, 'rg-gallery', 'win11-gold', '1.3.0'), 'azureComputeGallery'],
      [GOLD_140, 'azureComputeGallery'],
      [GEN1_100, 'azureComputeGallery'],
      [version(OTHER, 'rg-eng', 'win11-eng', '2.0.0'), 'azureComputeGallery'],
    ]);
    expect(beta[2]).toMatchObject({
      id: GOLD_140,
      displayName: 'win11-gold 1.4.0',
      subscriptionId: SUB,
      subscriptionDisplayName: 'Imaging',
    });
    const v1 = await sourceImages('v1.0');
    expect(v1.map((entry) => entry.resourceId)).toEqual([IMAGE]);
    expect(v1[0]).not.toHaveProperty('category');
  });

  it('leaves a hidden source out of getSourceImages until it is shown again; a subscription Windows 365 cannot read drops its versions', async () => {
    const emulator = fixture.emulator;
    emulator.hideSourceImage(GOLD_140.toUpperCase());
    emulator.hideSourceImage(IMAGE);
    emulator.setWindows365CanRead(OTHER, false);
    try {
      const ids = (await sourceImages('beta')).map((entry) => entry.resourceId);
      expect(ids).not.toContain(GOLD_140);
      expect(ids).not.toContain(IMAGE);
      expect(ids.some((id) => id.includes(OTHER))).toBe(false);
      expect(ids).toContain(GEN1_100);
    } finally {
      emulator.showSourceImage(GOLD_140);
      emulator.showSourceImage(IMAGE);
      emulator.setWindows365CanRead(OTHER, true);
    }
    expect((await sourceImages('beta')).map((entry) => entry.resourceId)).toContain(GOLD_140);
  });

  it('refuses a gallery version as sourceImageResourceId with 400 unless the tenant takes them directly', async () => {
    const emulator = fixture.emulator;
    const create = (sourceImageResourceId: string, displayName: string) =>
      graphClient(emulator).api(DEVICE_IMAGES).version('beta').post({ displayName, version: '1.4.0', sourceImageResourceId });
    await expect(create(GOLD_140, 'refused')).rejects.toMatchObject({
      statusCode: 400,
      code: 'BadRequest',
      message: expect.stringMatching(/is an Azure Compute Gallery image version, which is not supported as a source image/),
    });
    expect(emulator.deviceImages()).toHaveLength(0);
    emulator.setGalleryDirect(true);
    try {
      const gold = (await create(GOLD_140, 'Windows 11 Gold')) as { id: string; sourceImageResourceId: string };
      expect(gold.sourceImageResourceId).toBe(GOLD_140);
      const gen1 = (await create(GEN1_100, 'win11-gen1')) as { id: string };
      const byId = new Map(emulator.deviceImages().map((image) => [image.id, image]));
      expect(byId.get(gold.id)).toMatchObject({ status: 'ready', sourceImageResourceId: GOLD_140 });
      expect(byId.get(gen1.id)).toMatchObject({ status: 'failed', errorCode: 'sourceImageInvalid' });
    } finally {
      emulator.setGalleryDirect(false);
    }
  });

  it('answers Resource Graph queries of gallery definitions and versions, filtered by group, projected, ordered and paged', async () => {
    const client = resourceGraph();
    const versions = await client.resources({
      subscriptions: [SUB, OTHER],
      query:
        "Resources | where type =~ 'microsoft.compute/galleries/images/versions' | where resourceGroup in~ ('RG-GALLERY') | project id, name, type, location, tags, properties | order by id asc",
      options: { resultFormat: 'objectArray', top: 2 },
    });
    expect(versions.totalRecords).toBe(3);
    const rows = versions.data as { id: string; name: string; type: string; tags: Record<string, string>; properties: unknown }[];
    expect(rows.map((row) => row.name)).toEqual(['1.0.0', '1.3.0']);
    expect(rows[0]).toMatchObject({ id: GEN1_100, type: 'microsoft.compute/galleries/images/versions', location: 'westeurope' });
    expect(rows[0]?.properties).toMatchObject({
      provisioningState: 'Succeeded',
      publishingProfile: { targetRegions: [{ name: 'West Europe' }] },
    });
    const next = await client.resources({
      subscriptions: [SUB, OTHER],
      query:
        "Resources | where type =~ 'microsoft.compute/galleries/images/versions' | where resourceGroup in~ ('RG-GALLERY') | project id, name, type, location, tags, properties | order by id asc",
      options: { resultFormat: 'objectArray', top: 2, skipToken: versions.skipToken },
    });
    expect((next.data as { id: string; tags: unknown }[]).map((row) => [row.id, row.tags])).toEqual([
      [GOLD_140, { 'cloudpc-sync': 'true' }],
    ]);

    const definitions = await client.resources({
      query:
        "Resources | where type =~ 'microsoft.compute/galleries/images' | project id, name, type, location, tags, properties | order by id asc",
      options: { resultFormat: 'objectArray' },
    });
    const definitionRows = definitions.data as { name: string; properties: { hyperVGeneration: string }; tags: unknown }[];
    expect(definitionRows.map((row) => row.name)).toEqual(['win11-gen1', 'win11-gold', 'win11-eng']);
    expect(definitionRows[1]).toMatchObject({
      tags: { 'cloudpc-display-name': 'Windows 11 Gold' },
      properties: { osType: 'Windows', hyperVGeneration: 'V2' },
    });
    await expect(
      client.resources({
        query: "Resources | where type =~ 'microsoft.compute/disks' | project id",
        options: { resultFormat: 'objectArray' },
      }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });
});
