import { describe, expect, it } from 'vitest';
import {
  estate,
  gallery,
  galleryImage,
  galleryImageVersion,
  galleryImageVersionId,
  resourceGroup,
  subscription,
} from '../../../src/emulator';
import { useEmulator } from '../../support/emulator';
import { armClient } from './armClient';

const SUB = '11111111-1111-4111-8111-111111111111';
const FORBIDDEN = '33333333-3333-4333-8333-333333333333';
const GOLD_140 = galleryImageVersionId(SUB, 'rg-gallery', 'galImages', 'win11-gold', '1.4.0');

const fixture = useEmulator(() =>
  estate({
    arm: { pageSize: 2 },
    subscriptions: [
      subscription({
        id: SUB,
        resourceGroups: [
          resourceGroup('rg-gallery', [], {
            location: 'westeurope',
            galleries: [
              gallery('galImages', [
                galleryImage({ name: 'win11-gold', tags: { 'cloudpc-display-name': 'Windows 11 Gold' } }, [
                  galleryImageVersion('1.3.0'),
                  galleryImageVersion('1.4.0', {
                    tags: { 'cloudpc-sync': 'true' },
                    targetRegions: ['West Europe', 'North Europe'],
                    publishedDate: '2026-11-28T22:05:11Z',
                  }),
                  galleryImageVersion('1.5.0', { dataDiskImages: 2, encryptedWithCustomerKey: true, provisioningState: 'Failed' }),
                ]),
                galleryImage({ name: 'win11-gen1', hyperVGeneration: 'V1', osState: 'Specialized' }),
                galleryImage({ name: 'win10' }),
              ]),
              gallery('galTwo'),
              gallery('galThree'),
            ],
          }),
          resourceGroup('RG-Other', [], { location: 'northeurope', galleries: [gallery('galFour'), gallery('galFive')] }),
          resourceGroup('rg-cloudpc-staging', [], { location: 'westeurope' }),
        ],
      }),
      subscription({ id: FORBIDDEN, access: 'forbidden' }),
    ],
  }),
);

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

describe('emulated Azure Compute Galleries through @azure/arm-compute', () => {
  it('pages galleries per subscription and per resource group through nextLinks', async () => {
    const client = armClient(fixture.emulator, SUB);
    fixture.emulator.clearRequests();
    const all = await collect(client.galleries.list());
    expect(all.map((item) => item.name)).toEqual(['galImages', 'galTwo', 'galThree', 'galFour', 'galFive']);
    expect(fixture.emulator.count('arm.galleries.list')).toBe(3);
    const pages: number[] = [];
    for await (const page of client.galleries.listByResourceGroup('RG-GALLERY').byPage()) pages.push(page.length);
    expect(pages).toEqual([2, 1]);
    expect(all[3]).toMatchObject({ location: 'northeurope', provisioningState: 'Succeeded' });
  });

  it('lists and gets image definitions with their OS properties and tags', async () => {
    const client = armClient(fixture.emulator, SUB);
    const definitions = await collect(client.galleryImages.listByGallery('rg-gallery', 'galimages'));
    expect(definitions.map((definition) => definition.name)).toEqual(['win11-gold', 'win11-gen1', 'win10']);
    const gold = await client.galleryImages.get('rg-gallery', 'galImages', 'WIN11-GOLD');
    expect(gold).toMatchObject({ osType: 'Windows', osState: 'Generalized', hyperVGeneration: 'V2' });
    expect(gold.tags).toEqual({ 'cloudpc-display-name': 'Windows 11 Gold' });
    expect(definitions[1]).toMatchObject({ osState: 'Specialized', hyperVGeneration: 'V1' });
    expect(fixture.emulator.count('arm.galleryImages.get')).toBe(1);
  });

  it('pages versions and renders one like the API notes: target regions, published date, storage and encryption', async () => {
    const client = armClient(fixture.emulator, SUB);
    fixture.emulator.clearRequests();
    const versions = await collect(client.galleryImageVersions.listByGalleryImage('rg-gallery', 'galImages', 'win11-gold'));
    expect(versions.map((version) => version.name)).toEqual(['1.3.0', '1.4.0', '1.5.0']);
    expect(fixture.emulator.count('arm.galleryImageVersions.list')).toBe(2);
    const version = await client.galleryImageVersions.get('rg-gallery', 'galImages', 'win11-gold', '1.4.0');
    expect(version.id).toBe(GOLD_140);
    expect(version.tags).toEqual({ 'cloudpc-sync': 'true' });
    expect(version.provisioningState).toBe('Succeeded');
    expect(version.publishingProfile?.targetRegions?.map((region) => region.name)).toEqual(['West Europe', 'North Europe']);
    expect(version.publishingProfile?.publishedDate?.toISOString()).toBe('2026-11-28T22:05:11.000Z');
    expect(version.storageProfile?.osDiskImage?.sizeInGB).toBe(64);
    expect(version.storageProfile?.dataDiskImages).toEqual([]);
    expect(versions[0]?.publishingProfile?.targetRegions?.map((region) => region.name)).toEqual(['West Europe']);
    const odd = versions[2];
    expect(odd?.provisioningState).toBe('Failed');
    expect(odd?.storageProfile?.dataDiskImages).toHaveLength(2);
    expect(odd?.publishingProfile?.targetRegions?.[0]?.encryption?.osDiskImage?.diskEncryptionSetId).toMatch(/diskEncryptionSets\//);
    expect(fixture.emulator.count('arm.galleryImageVersions.get')).toBe(1);
  });

  it('answers 404 for what is absent and refuses an unreadable subscription', async () => {
    const client = armClient(fixture.emulator, SUB);
    await expect(client.galleryImageVersions.get('rg-gallery', 'galImages', 'win11-gold', '9.9.9')).rejects.toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
    await expect(collect(client.galleryImages.listByGallery('rg-gallery', 'nope'))).rejects.toMatchObject({
      statusCode: 404,
      code: 'ParentResourceNotFound',
    });
    await expect(collect(client.galleries.listByResourceGroup('rg-none'))).rejects.toMatchObject({
      statusCode: 404,
      code: 'ResourceGroupNotFound',
    });
    await expect(collect(armClient(fixture.emulator, FORBIDDEN).galleries.list())).rejects.toMatchObject({
      statusCode: 403,
      code: 'AuthorizationFailed',
    });
  });

  it('adds and removes versions at run time', async () => {
    const emulator = fixture.emulator;
    const client = armClient(emulator, SUB);
    const definition = GOLD_140.replace(/\/versions\/1\.4\.0$/, '');
    const id = emulator.putGalleryImageVersion(definition, galleryImageVersion('1.6.0', { tags: { 'cloudpc-sync': 'true' } }));
    expect(id).toBe(`${definition}/versions/1.6.0`);
    expect((await client.galleryImageVersions.get('rg-gallery', 'galImages', 'win11-gold', '1.6.0')).name).toBe('1.6.0');
    expect(emulator.removeGalleryImageVersion(id.toUpperCase())).toBe(true);
    expect(emulator.removeGalleryImageVersion(id)).toBe(false);
    await expect(client.galleryImageVersions.get('rg-gallery', 'galImages', 'win11-gold', '1.6.0')).rejects.toMatchObject({
      statusCode: 404,
    });
    expect(() => emulator.putGalleryImageVersion(`${definition}-none`, galleryImageVersion('1.0.0'))).toThrow(
      /no gallery image definition/,
    );
  });

  it('gets a resource group (Microsoft.Resources) with its location, paths compared case-insensitively; 404 when absent', async () => {
    const emulator = fixture.emulator;
    const get = (path: string) =>
      fetch(`${emulator.url}${path}?api-version=2021-04-01`, { headers: { Authorization: `Bearer ${emulator.token}` } });
    const found = await get(`/subscriptions/${SUB}/resourcegroups/RG-CLOUDPC-STAGING`);
    expect(found.status).toBe(200);
    expect(await found.json()).toMatchObject({
      id: `/subscriptions/${SUB}/resourceGroups/rg-cloudpc-staging`,
      name: 'rg-cloudpc-staging',
      location: 'westeurope',
    });
    const missing = await get(`/subscriptions/${SUB}/resourceGroups/rg-missing`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'ResourceGroupNotFound' } });
    expect(emulator.count('arm.resourceGroups.get')).toBe(2);
  });
});
