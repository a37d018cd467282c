import { describe, expect, it } from 'vitest';
import type { Image } from '@azure/arm-compute';
import { estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../../src/emulator';
import { useEmulator } from '../../support/emulator';
import { armClient } from './armClient';

const IMAGING = '11111111-1111-4111-8111-111111111111';
const FORBIDDEN = '33333333-3333-4333-8333-333333333333';
const GONE = '44444444-4444-4444-8444-444444444444';
const LONG_NAME = `win11-${'x'.repeat(70)}-1.0.0`;

const fixture = useEmulator(() =>
  estate({
    arm: { pageSize: 2 },
    subscriptions: [
      subscription({
        id: IMAGING,
        resourceGroups: [
          resourceGroup(
            'rg-images',
            ['a-1.0.0', 'b-1.0.0', 'c-1.0.0', 'd-1.0.0', 'e-1.0.0'].map((name) => managedImage({ name })),
          ),
          resourceGroup('RG-Odd', [
            managedImage({ name: 'no-profile-1.0.0', armOmit: ['properties.storageProfile'] }),
            managedImage({ name: 'null-tags-1.0.0', tags: null }),
            managedImage({
              name: 'unicode-1.0.0',
              tags: { 'cloudpc-sync': 'true', 'cloudpc-display-name': 'Windows 11 – Développement 🖥️' },
            }),
            managedImage({ name: LONG_NAME }),
            managedImage({ name: 'gen1-1.0.0', hyperVGeneration: null, armOverrides: { properties: { provisioningState: 'Failed' } } }),
          ]),
        ],
      }),
      subscription({ id: FORBIDDEN, access: 'forbidden', resourceGroups: [resourceGroup('rg', [managedImage({ name: 'x-1.0.0' })])] }),
      subscription({ id: GONE, access: 'notFound' }),
    ],
  }),
);

async function collect(images: AsyncIterable<Image>): Promise<Image[]> {
  const all: Image[] = [];
  for await (const image of images) all.push(image);
  return all;
}

describe('emulated ARM managed images through @azure/arm-compute', () => {
  it('pages a subscription-wide list through absolute nextLinks until every image is read', async () => {
    const images = await collect(armClient(fixture.emulator, IMAGING).images.list());
    expect(images).toHaveLength(10);
    expect(images[0]).toMatchObject({ name: 'a-1.0.0', provisioningState: 'Succeeded', hyperVGeneration: 'V2' });
    expect(images[0]?.storageProfile?.osDisk?.osType).toBe('Windows');
    const lists = fixture.emulator.requests.filter((request) => request.kind === 'arm.images.list');
    expect(lists.length).toBeGreaterThanOrEqual(5);
    expect(lists.slice(1).every((request) => /\$skiptoken=|%24skiptoken=/i.test(request.path))).toBe(true);
  });

  it('pages a resource-group list, matching the group name case-insensitively', async () => {
    const client = armClient(fixture.emulator, IMAGING);
    const pages: number[] = [];
    for await (const page of client.images.listByResourceGroup('rg-odd').byPage()) pages.push(page.length);
    expect(pages).toEqual([2, 2, 1]);
    expect(await collect(client.images.listByResourceGroup('RG-IMAGES'))).toHaveLength(5);
  });

  it('gets one image by resource group and name, with its id cased as created', async () => {
    const image = await armClient(fixture.emulator, IMAGING).images.get('rg-images', 'C-1.0.0');
    expect(image.id).toBe(managedImageResourceId(IMAGING, 'rg-images', 'c-1.0.0'));
    expect(image.tags).toEqual({ 'cloudpc-sync': 'true' });
  });

  it('answers 404 ResourceNotFound for an absent image and ResourceGroupNotFound for an absent group', async () => {
    const client = armClient(fixture.emulator, IMAGING);
    await expect(client.images.get('rg-images', 'missing-1.0.0')).rejects.toMatchObject({ statusCode: 404, code: 'ResourceNotFound' });
    await expect(collect(client.images.listByResourceGroup('rg-none'))).rejects.toMatchObject({
      statusCode: 404,
      code: 'ResourceGroupNotFound',
    });
  });

  it('refuses an unreadable subscription with 403 AuthorizationFailed and a missing one with 404 SubscriptionNotFound', async () => {
    await expect(collect(armClient(fixture.emulator, FORBIDDEN).images.list())).rejects.toMatchObject({
      statusCode: 403,
      code: 'AuthorizationFailed',
    });
    await expect(collect(armClient(fixture.emulator, GONE).images.list())).rejects.toMatchObject({
      statusCode: 404,
      code: 'SubscriptionNotFound',
    });
    await expect(collect(armClient(fixture.emulator, '55555555-5555-4555-8555-555555555555').images.list())).rejects.toMatchObject({
      statusCode: 404,
      code: 'SubscriptionNotFound',
    });
  });

  it('serves odd data as given: no storage profile, null tags, unicode tag values, very long names, nulls', async () => {
    const images = await collect(armClient(fixture.emulator, IMAGING).images.listByResourceGroup('RG-Odd'));
    const byName = new Map(images.map((image) => [image.name, image]));
    expect(byName.get('no-profile-1.0.0')?.storageProfile).toBeUndefined();
    expect(byName.get('null-tags-1.0.0')?.tags ?? null).toBeNull();
    expect(byName.get('unicode-1.0.0')?.tags?.['cloudpc-display-name']).toBe('Windows 11 – Développement 🖥️');
    expect(byName.get(LONG_NAME)?.id).toContain(LONG_NAME);
    expect(byName.get('gen1-1.0.0')).toMatchObject({ provisioningState: 'Failed' });
    expect(byName.get('gen1-1.0.0')?.hyperVGeneration ?? null).toBeNull();
  });

  it('can make a subscription unreadable at run time and add or remove images', async () => {
    const emulator = fixture.emulator;
    const id = emulator.putManagedImage(IMAGING, 'rg-new', managedImage({ name: 'late-2.0.0' }));
    expect(id).toBe(managedImageResourceId(IMAGING, 'rg-new', 'late-2.0.0'));
    const client = armClient(emulator, IMAGING);
    expect((await client.images.get('rg-new', 'late-2.0.0')).name).toBe('late-2.0.0');
    expect(emulator.removeManagedImage(id.toUpperCase())).toBe(true);
    emulator.setSubscriptionAccess(IMAGING, 'forbidden');
    try {
      await expect(client.images.get('rg-images', 'a-1.0.0')).rejects.toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
    } finally {
      emulator.setSubscriptionAccess(IMAGING, 'readable');
    }
  });

  it('records each request with its kind, status and that a bearer token came', async () => {
    const emulator = fixture.emulator;
    emulator.clearRequests();
    await armClient(emulator, IMAGING).images.get('rg-images', 'a-1.0.0');
    expect(emulator.requests).toHaveLength(1);
    expect(emulator.requests[0]).toMatchObject({
      service: 'arm',
      method: 'GET',
      kind: 'arm.images.get',
      status: 200,
      fault: null,
      hasBearerToken: true,
    });
    expect(emulator.requests[0]?.headers['authorization']).toBe('Bearer <redacted>');
    expect(emulator.counts()).toEqual({ 'arm.images.get': 1 });
  });
});
