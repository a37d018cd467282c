import { describe, expect, it } from 'vitest';
import type { Image } from '@azure/arm-compute';
import { EstateError, estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../../src/emulator';
import { manualClock, useEmulator } from '../../support/emulator';
import { armClient } from './armClient';
import { createBody, DEVICE_IMAGES, graphClient } from './graphClient';

const SUB = '11111111-1111-4111-8111-111111111111';
const GROUP = `/subscriptions/${SUB}/resourceGroups/rg-images/providers/Microsoft.Compute`;
const imageId = (name: string) => managedImageResourceId(SUB, 'rg-images', name);

const clock = manualClock();
const fixture = useEmulator(
  () =>
    estate({
      subscriptions: [
        subscription({
          id: SUB,
          resourceGroups: [
            resourceGroup('rg-images', [
              managedImage({ name: 'first' }),
              managedImage({ name: 'win11-aib', tags: { 'cloudpc-sync': 'true', version: '1.0.0' } }),
              managedImage({ name: 'built', build: '20261101.1' }),
              managedImage({ name: 'no-vm', sourceVirtualMachine: null, build: '7' }),
              managedImage({ name: 'sysprep-missing', osState: 'Specialized' }),
            ]),
          ],
        }),
      ],
    }),
  { clock },
);

async function armImage(name: string): Promise<Image> {
  return armClient(fixture.emulator, SUB).images.get('rg-images', name);
}

async function listedNames(): Promise<string[]> {
  const names: string[] = [];
  for await (const image of armClient(fixture.emulator, SUB).images.listByResourceGroup('rg-images')) names.push(image.name ?? '');
  return names;
}

describe('managed images rebuilt in place, as Azure Image Builder does', () => {
  it('serves the OS disk and source VM ids without a build as before, and with the build when the estate gives one', async () => {
    const plain = await armImage('first');
    expect(plain.storageProfile?.osDisk?.managedDisk?.id).toBe(`${GROUP}/disks/first-os`);
    expect(plain.sourceVirtualMachine?.id).toBe(`${GROUP}/virtualMachines/build-vm`);
    const built = await armImage('built');
    expect(built.storageProfile?.osDisk?.managedDisk?.id).toBe(`${GROUP}/disks/built-os-20261101.1`);
    expect(built.sourceVirtualMachine?.id).toBe(`${GROUP}/virtualMachines/build-vm-20261101.1`);
    const noVm = await armImage('no-vm');
    expect(noVm.storageProfile?.osDisk?.managedDisk?.id).toBe(`${GROUP}/disks/no-vm-os-7`);
    expect(noVm.sourceVirtualMachine).toBeUndefined();
  });

  it('replaces an image in place: same id and place in the list, a new build, and the tags re-applied whole', async () => {
    const emulator = fixture.emulator;
    const before = await listedNames();
    emulator.rebuildManagedImage(imageId('WIN11-AIB'), { build: '20261123.1', tags: { 'cloudpc-sync': 'true', version: '1.1.0' } });
    const rebuilt = await armImage('win11-aib');
    expect(rebuilt.id).toBe(imageId('win11-aib'));
    expect(rebuilt.tags).toEqual({ 'cloudpc-sync': 'true', version: '1.1.0' });
    expect(rebuilt.storageProfile?.osDisk?.managedDisk?.id).toBe(`${GROUP}/disks/win11-aib-os-20261123.1`);
    expect(rebuilt.sourceVirtualMachine?.id).toBe(`${GROUP}/virtualMachines/build-vm-20261123.1`);
    expect(await listedNames()).toEqual(before);

    emulator.rebuildManagedImage(imageId('win11-aib'), { build: '20261124.1' });
    const again = await armImage('win11-aib');
    expect(again.tags).toEqual({ 'cloudpc-sync': 'true', version: '1.1.0' });
    expect(again.sourceVirtualMachine?.id).toBe(`${GROUP}/virtualMachines/build-vm-20261124.1`);
  });

  it('throws for an image that does not exist, and for a build that is not a name', () => {
    const emulator = fixture.emulator;
    expect(() => emulator.rebuildManagedImage(imageId('absent'), { build: '1' })).toThrow(
      `the estate has no managed image ${imageId('absent')}`,
    );
    expect(() => emulator.rebuildManagedImage(imageId('first'), { build: 'a/b' })).toThrow(EstateError);
    expect(() => emulator.rebuildManagedImage(imageId('first'), { build: 'a/b' })).toThrow('build');
  });

  it('keeps all but the build and tags: uploads started after a rebuild find the image by its id and judge it as before', async () => {
    const emulator = fixture.emulator;
    const client = graphClient(emulator);
    const before = await client.api(DEVICE_IMAGES).post(createBody('sysprep', '1.0.0', imageId('sysprep-missing')));
    emulator.rebuildManagedImage(imageId('sysprep-missing'), { build: '2', tags: { 'cloudpc-sync': 'true' } });
    const after = await client.api(DEVICE_IMAGES).post(createBody('sysprep', '1.0.1', imageId('sysprep-missing')));
    clock.advance(1000);
    expect(await client.api(`${DEVICE_IMAGES}/${String(before.id)}`).get()).toMatchObject({
      status: 'failed',
      errorCode: 'sourceImageNotGeneralized',
    });
    expect(await client.api(`${DEVICE_IMAGES}/${String(after.id)}`).get()).toMatchObject({
      status: 'failed',
      errorCode: 'sourceImageNotGeneralized',
    });
    emulator.rebuildManagedImage(imageId('win11-aib'), { build: '3' });
    const fromRebuilt = await client.api(DEVICE_IMAGES).post(createBody('win11-aib', '1.1.0', imageId('win11-aib')));
    clock.advance(1000);
    expect(await client.api(`${DEVICE_IMAGES}/${String(fromRebuilt.id)}`).get()).toMatchObject({
      status: 'ready',
      sourceImageResourceId: imageId('win11-aib'),
    });
  });
});
