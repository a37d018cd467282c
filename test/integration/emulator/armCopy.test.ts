import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import {
  COPY_OF_TAG,
  estate,
  gallery,
  galleryImage,
  galleryImageVersion,
  galleryImageVersionId,
  managedImageResourceId,
  resourceGroup,
  subscription,
} from '../../../src/emulator';
import { manualClock, startTestEmulator, useEmulator } from '../../support/emulator';
import { armClient } from './armClient';
import { graphClient } from './graphClient';

const SUB = '11111111-1111-4111-8111-111111111111';
const STAGING = 'rg-cloudpc-staging';
const GOLD = (version: string) => galleryImageVersionId(SUB, 'rg-gallery', 'galImages', 'win11-gold', version);
const DISK_ID = (name: string) => `/subscriptions/${SUB}/resourceGroups/${STAGING}/providers/Microsoft.Compute/disks/${name}`;

const fixture = useEmulator(() =>
  estate({
    uploadSeconds: 0,
    subscriptions: [
      subscription({
        id: SUB,
        resourceGroups: [
          resourceGroup('rg-gallery', [], {
            galleries: [
              gallery('galImages', [
                galleryImage({ name: 'win11-gold' }, [
                  galleryImageVersion('1.4.0', { targetRegions: ['West Europe', 'North Europe'] }),
                  galleryImageVersion('1.5.0', { targetRegions: ['East US'] }),
                  galleryImageVersion('1.6.0'),
                  galleryImageVersion('1.7.0'),
                  galleryImageVersion('1.8.0'),
                ]),
              ]),
            ],
          }),
          resourceGroup(STAGING, [], { location: 'westeurope' }),
          resourceGroup('rg-locked', [], { location: 'westeurope', refusesWrites: true }),
        ],
      }),
    ],
  }),
);

function diskFrom(version: string, location = 'westeurope') {
  return {
    location,
    tags: { [COPY_OF_TAG]: GOLD(version) },
    creationData: { createOption: 'FromImage' as const, galleryImageReference: { id: GOLD(version) } },
  };
}

function imageFrom(diskName: string, version: string) {
  return {
    location: 'westeurope',
    tags: { [COPY_OF_TAG]: GOLD(version) },
    hyperVGeneration: 'V2' as const,
    storageProfile: {
      osDisk: { osType: 'Windows' as const, osState: 'Generalized' as const, managedDisk: { id: DISK_ID(diskName) } },
      dataDisks: [],
    },
  };
}

describe('the copy of a gallery version through @azure/arm-compute pollers', () => {
  it('creates a disk from a version and an image from the disk, each a long-running operation, then deletes both', async () => {
    const emulator = fixture.emulator;
    const client = armClient(emulator, SUB);
    emulator.clearRequests();
    const started = performance.now();
    const disk = await client.disks.beginCreateOrUpdateAndWait(STAGING, 'cloudpc-win11-gold-1.4.0', diskFrom('1.4.0'));
    const image = await client.images.beginCreateOrUpdateAndWait(
      STAGING,
      'cloudpc-win11-gold-1.4.0',
      imageFrom('cloudpc-win11-gold-1.4.0', '1.4.0'),
    );
    const copyMs = performance.now() - started;
    expect(disk).toMatchObject({ provisioningState: 'Succeeded', location: 'westeurope', osType: 'Windows', hyperVGeneration: 'V2' });
    expect(disk.creationData?.galleryImageReference?.id).toBe(GOLD('1.4.0'));
    expect(image).toMatchObject({ provisioningState: 'Succeeded', hyperVGeneration: 'V2', tags: { [COPY_OF_TAG]: GOLD('1.4.0') } });
    expect(image.storageProfile?.osDisk?.managedDisk?.id).toBe(DISK_ID('cloudpc-win11-gold-1.4.0'));
    expect(emulator.counts()).toEqual({
      'arm.disks.put': 1,
      'arm.disks.get': 1,
      'arm.images.put': 1,
      'arm.images.get': 1,
      'arm.operations.get': 2,
    });
    const created = emulator.requests.filter((request) => request.method === 'PUT').map((request) => request.status);
    expect(created).toEqual([201, 201]);
    expect(copyMs).toBeLessThan(1500);

    const listed = [];
    for await (const item of client.images.listByResourceGroup(STAGING)) listed.push(item.name);
    expect(listed).toEqual(['cloudpc-win11-gold-1.4.0']);
    const disks = [];
    for await (const item of client.disks.listByResourceGroup(STAGING)) disks.push(item.name);
    expect(disks).toEqual(['cloudpc-win11-gold-1.4.0']);

    // An update (the same PUT again) is no second copy.
    await client.disks.beginCreateOrUpdateAndWait(STAGING, 'cloudpc-win11-gold-1.4.0', diskFrom('1.4.0'));
    expect(emulator.requests.filter((request) => request.method === 'PUT').at(-1)?.status).toBe(200);
    expect(emulator.createdCopiesOf(GOLD('1.4.0').toUpperCase())).toEqual({ disks: 1, images: 1 });

    emulator.clearRequests();
    await client.images.beginDeleteAndWait(STAGING, 'cloudpc-win11-gold-1.4.0');
    await client.disks.beginDeleteAndWait(STAGING, 'cloudpc-win11-gold-1.4.0');
    expect(emulator.counts()).toEqual({ 'arm.images.delete': 1, 'arm.disks.delete': 1, 'arm.operations.get': 2 });
    expect(emulator.requests.filter((request) => request.method === 'DELETE').map((request) => request.status)).toEqual([202, 202]);
    expect(emulator.disks()).toEqual([]);
    await expect(client.images.get(STAGING, 'cloudpc-win11-gold-1.4.0')).rejects.toMatchObject({ statusCode: 404 });
    // Deleting what is gone: 204, done.
    await client.disks.beginDeleteAndWait(STAGING, 'cloudpc-win11-gold-1.4.0');
    expect(emulator.requests.at(-1)).toMatchObject({ kind: 'arm.disks.delete', status: 204 });
    expect(emulator.createdCopiesOf(GOLD('1.4.0'))).toEqual({ disks: 1, images: 1 });
  });

  it('refuses a missing version (404), a region the version is not replicated to (400), a missing group (404) and a group it cannot write (403)', async () => {
    const client = armClient(fixture.emulator, SUB);
    await expect(client.disks.beginCreateOrUpdateAndWait(STAGING, 'd-missing', diskFrom('9.9.9'))).rejects.toMatchObject({
      statusCode: 404,
      code: 'NotFound',
    });
    const region = client.disks.beginCreateOrUpdateAndWait(STAGING, 'd-region', diskFrom('1.5.0'));
    await expect(region).rejects.toMatchObject({ statusCode: 400, code: 'InvalidParameter' });
    await expect(region).rejects.toThrow(/not available in region 'westeurope'.*East US/);
    await expect(client.disks.beginCreateOrUpdateAndWait('rg-none', 'd', diskFrom('1.4.0'))).rejects.toMatchObject({
      statusCode: 404,
      code: 'ResourceGroupNotFound',
    });
    const locked = client.disks.beginCreateOrUpdateAndWait('rg-locked', 'd', diskFrom('1.4.0'));
    await expect(locked).rejects.toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
    await expect(locked).rejects.toThrow(/does not have authorization to perform action 'Microsoft.Compute\/disks\/write' over scope/);
    await expect(client.images.beginDeleteAndWait('rg-locked', 'anything')).rejects.toMatchObject({ statusCode: 403 });
    await expect(client.images.beginCreateOrUpdateAndWait(STAGING, 'i-no-disk', imageFrom('no-such-disk', '1.4.0'))).rejects.toMatchObject({
      statusCode: 404,
      code: 'NotFound',
    });
    expect(fixture.emulator.disks()).toEqual([]);
    expect(fixture.emulator.createdCopiesOf(GOLD('1.5.0'))).toEqual({ disks: 0, images: 0 });
  });

  it('makes a group refuse writes at run time, and allows them again', async () => {
    const emulator = fixture.emulator;
    const client = armClient(emulator, SUB);
    emulator.refuseResourceGroupWrites(SUB, STAGING);
    await expect(client.disks.beginCreateOrUpdateAndWait(STAGING, 'd-1.6.0', diskFrom('1.6.0'))).rejects.toMatchObject({ statusCode: 403 });
    emulator.refuseResourceGroupWrites(SUB, STAGING, false);
    await client.disks.beginCreateOrUpdateAndWait(STAGING, 'd-1.6.0', diskFrom('1.6.0'));
    await client.disks.beginDeleteAndWait(STAGING, 'd-1.6.0');
  });

  it('fails the disk operation when the version is deleted while its copy is in flight', async () => {
    const emulator = fixture.emulator;
    const client = armClient(emulator, SUB);
    emulator.afterNext('arm.disks.put', () => emulator.removeGalleryImageVersion(GOLD('1.7.0')));
    await expect(client.disks.beginCreateOrUpdateAndWait(STAGING, 'd-1.7.0', diskFrom('1.7.0'))).rejects.toThrow(/NotFound.*deleted while/);
    expect(emulator.disks().find((disk) => disk.name === 'd-1.7.0')?.provisioningState).toBe('Failed');
    await expect(client.images.beginCreateOrUpdateAndWait(STAGING, 'i-1.7.0', imageFrom('d-1.7.0', '1.7.0'))).rejects.toMatchObject({
      statusCode: 409,
      code: 'OperationNotAllowed',
    });
    await client.disks.beginDeleteAndWait(STAGING, 'd-1.7.0');
  });

  it('ends an operation Failed on the knob, and takes more polls (honouring Retry-After) when told', async () => {
    const emulator = fixture.emulator;
    const client = armClient(emulator, SUB);
    await client.disks.beginCreateOrUpdateAndWait(STAGING, 'd-1.8.0', diskFrom('1.8.0'));
    emulator.failNextOperation('arm.images.put', { code: 'InternalDiskManagementError', message: 'An internal error occurred.' });
    await expect(client.images.beginCreateOrUpdateAndWait(STAGING, 'i-1.8.0', imageFrom('d-1.8.0', '1.8.0'))).rejects.toThrow(
      /InternalDiskManagementError/,
    );
    expect((await client.images.get(STAGING, 'i-1.8.0')).provisioningState).toBe('Failed');

    emulator.setOperationPolls(2);
    try {
      emulator.clearRequests();
      const image = await client.images.beginCreateOrUpdateAndWait(STAGING, 'i-1.8.0', imageFrom('d-1.8.0', '1.8.0'));
      expect(image.provisioningState).toBe('Succeeded');
      const polls = emulator.requests.filter((request) => request.kind === 'arm.operations.get');
      expect(polls).toHaveLength(2);
      const [first, second] = polls;
      expect(second!.receivedAtMs - first!.answeredAtMs).toBeGreaterThanOrEqual(950);
      expect(emulator.requests[0]?.status).toBe(200);
    } finally {
      emulator.setOperationPolls(1);
    }
    emulator.failNextOperation('arm.disks.delete');
    await expect(client.disks.beginDeleteAndWait(STAGING, 'd-1.8.0')).rejects.toThrow(/InternalOperationError/);
    expect(emulator.disks().some((disk) => disk.name === 'd-1.8.0')).toBe(true);
    expect(emulator.createdCopiesOf(GOLD('1.8.0'))).toEqual({ disks: 1, images: 1 });
  });

  it('takes a resent PUT whose first answer was lost as an update: still one disk created', async () => {
    const emulator = fixture.emulator;
    const client = armClient(emulator, SUB);
    emulator.setFaults({ service: 'arm', kinds: ['arm.disks.put'], ambiguousCreates: { next: 1, answer: 500 } });
    try {
      const disk = await client.disks.beginCreateOrUpdateAndWait(STAGING, 'd-resent', diskFrom('1.4.0'));
      expect(disk.provisioningState).toBe('Succeeded');
    } finally {
      emulator.clearFaults();
    }
    const puts = emulator.requests.filter((request) => request.kind === 'arm.disks.put').slice(-2);
    expect(puts.map((request) => request.status)).toEqual([500, 200]);
    expect(emulator.disks().filter((disk) => disk.name === 'd-resent')).toHaveLength(1);
    await client.disks.beginDeleteAndWait(STAGING, 'd-resent');
  });

  it('finishes an operation nobody polls once told (or once its time is up): a rerun finds the disk Succeeded', async () => {
    const emulator = fixture.emulator;
    const url = `${emulator.url}${DISK_ID('d-unpolled')}?api-version=2024-03-02`;
    const headers = { Authorization: `Bearer ${emulator.token}`, 'Content-Type': 'application/json' };
    const put = await fetch(url, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ location: 'westeurope', properties: diskFrom('1.4.0') }),
    });
    expect(put.status).toBe(201);
    expect(put.headers.get('azure-asyncoperation')).toMatch(
      /\/providers\/Microsoft\.Compute\/locations\/westeurope\/operations\/[^?]+\?api-version=2024-03-02$/,
    );
    const client = armClient(emulator, SUB);
    expect((await client.disks.get(STAGING, 'd-unpolled')).provisioningState).toBe('Creating');
    emulator.finishOperations();
    expect((await client.disks.get(STAGING, 'd-unpolled')).provisioningState).toBe('Succeeded');
    const status = await fetch(put.headers.get('azure-asyncoperation') ?? '', { headers });
    expect(await status.json()).toMatchObject({ status: 'Succeeded' });
    await client.disks.beginDeleteAndWait(STAGING, 'd-unpolled');
  });

  it("ends an unpolled operation once arm.operationSeconds of the emulator's clock have passed", async () => {
    const clock = manualClock();
    const emulator = await startTestEmulator(
      estate({
        arm: { operationSeconds: 20 },
        subscriptions: [
          subscription({
            id: SUB,
            resourceGroups: [
              resourceGroup('rg-gallery', [], {
                galleries: [gallery('galImages', [galleryImage({ name: 'win11-gold' }, [galleryImageVersion('1.4.0')])])],
              }),
              resourceGroup(STAGING),
            ],
          }),
        ],
      }),
      { clock },
    );
    try {
      const put = await fetch(`${emulator.url}${DISK_ID('d-timed')}?api-version=2024-03-02`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${emulator.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ location: 'westeurope', properties: diskFrom('1.4.0') }),
      });
      expect(put.status).toBe(201);
      clock.advance(19_000);
      expect(emulator.disks()[0]?.provisioningState).toBe('Creating');
      clock.advance(1_000);
      expect(emulator.disks()[0]?.provisioningState).toBe('Succeeded');
      expect((await armClient(emulator, SUB).disks.get(STAGING, 'd-timed')).provisioningState).toBe('Succeeded');
    } finally {
      await emulator.stop();
    }
  });

  it('registers a copy like any managed image: Graph uploads it ready', async () => {
    const emulator = fixture.emulator;
    const client = armClient(emulator, SUB);
    await client.disks.beginCreateOrUpdateAndWait(STAGING, 'd-1.6.0', diskFrom('1.6.0'));
    const image = await client.images.beginCreateOrUpdateAndWait(STAGING, 'i-1.6.0', imageFrom('d-1.6.0', '1.6.0'));
    expect(image.id).toBe(managedImageResourceId(SUB, STAGING, 'i-1.6.0'));
    const created = (await graphClient(emulator)
      .api('/deviceManagement/virtualEndpoint/deviceImages')
      .post({ displayName: 'win11-gold', version: '1.6.0', sourceImageResourceId: image.id })) as { id: string };
    expect(emulator.deviceImages().find((deviceImage) => deviceImage.id === created.id)?.status).toBe('ready');
  });
});
