import type { Image } from '@azure/arm-compute';
import { describe, expect, it } from 'vitest';
import { toResourceGraphRow } from '../../../src/arm/resourceGraphRow';
import { toSourceImage } from '../../../src/arm/toSourceImage';
import { sourceImageId } from '../../fixtures/sourceImage';

const ID = sourceImageId('win11-ent-1.2.0');
const VM =
  '/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/RG-Build/providers/Microsoft.Compute/virtualMachines/Build-VM';
const DISK =
  '/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/RG-Build/providers/Microsoft.Compute/disks/Build-VM_OsDisk_1';
const OS_DISK = { osType: 'Windows', osState: 'Generalized', diskSizeGB: 64, managedDisk: { id: DISK }, diskEncryptionSet: null };

/** A row as the discovery query projects it (tostring of an absent property is ''). */
function row(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: ID,
    name: 'win11-ent-1.2.0',
    location: 'westeurope',
    tags: { 'cloudpc-sync': 'true' },
    provisioningState: 'Succeeded',
    hyperVGeneration: 'V2',
    osDisk: OS_DISK,
    dataDiskCount: 0,
    sourceVirtualMachineId: VM,
    ...overrides,
  };
}

/** The same image as @azure/arm-compute gives it (properties flattened). */
function armImage(overrides: Partial<Image> = {}): Image {
  return {
    id: ID,
    name: 'win11-ent-1.2.0',
    location: 'westeurope',
    tags: { 'cloudpc-sync': 'true' },
    provisioningState: 'Succeeded',
    hyperVGeneration: 'V2',
    sourceVirtualMachine: { id: VM },
    storageProfile: { osDisk: { osType: 'Windows', osState: 'Generalized', diskSizeGB: 64, managedDisk: { id: DISK } }, dataDisks: [] },
    ...overrides,
  };
}

const imageOf = (value: unknown) => {
  const parsed = toResourceGraphRow(value);
  return parsed.kind === 'image' ? parsed.image : parsed.kind;
};

describe('toResourceGraphRow', () => {
  it('reads an image row as the ARM reader reads the same image, fingerprint included', () => {
    expect(imageOf(row())).toEqual(toSourceImage(armImage()));
  });

  it('reads the gaps of real data as the ARM reader does: no storage profile, no generation, no VM, data disks counted', () => {
    expect(imageOf(row({ osDisk: null, dataDiskCount: null, hyperVGeneration: '', sourceVirtualMachineId: '' }))).toEqual(
      toSourceImage(armImage({ storageProfile: undefined, hyperVGeneration: undefined, sourceVirtualMachine: undefined })),
    );
    const withDisks = imageOf(row({ dataDiskCount: 2 }));
    expect(withDisks).toMatchObject({ dataDiskCount: 2 });
    expect(imageOf(row({ osDisk: { ...OS_DISK, diskEncryptionSet: { id: '/subscriptions/x/des' } } }))).toMatchObject({
      hasDiskEncryptionSet: true,
    });
    expect(imageOf(row({ tags: null, location: null }))).toMatchObject({ tags: {}, location: null });
  });

  it('tells a readable subscription row from an image row', () => {
    expect(
      toResourceGraphRow({
        id: '/subscriptions/22222222-2222-4222-8222-222222222222',
        subscriptionId: '22222222-2222-4222-8222-222222222222',
      }),
    ).toEqual({ kind: 'subscription', subscriptionId: '22222222-2222-4222-8222-222222222222' });
  });

  it.each([
    ['no id', { name: 'x' }],
    ['another resource type', row({ id: `${ID.replace('/images/', '/virtualMachines/')}` })],
    ['not an object', 'text'],
    ['null', null],
  ])('does not use a row with %s', (_what, value) => {
    expect(toResourceGraphRow(value)).toEqual({ kind: 'unusable' });
  });
});
