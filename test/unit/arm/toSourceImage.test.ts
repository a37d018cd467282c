import type { Image, ImageOSDisk } from '@azure/arm-compute';
import { describe, expect, it } from 'vitest';
import { toSourceImage } from '../../../src/arm/toSourceImage';
import { sourceImageId } from '../../fixtures/sourceImage';

const VM =
  '/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/RG-Build/providers/Microsoft.Compute/virtualMachines/Build-VM';
const DISK =
  '/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/RG-Build/providers/Microsoft.Compute/disks/Build-VM_OsDisk_1';
const SNAPSHOT =
  '/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/RG-Build/providers/Microsoft.Compute/snapshots/Build-Snap';
const BLOB = 'https://BuildStore.blob.core.windows.net/vhds/Build-VM.vhd';

/** An OS disk as ARM returns it for a generalized Windows image, captured from nothing in particular. */
function osDisk(overrides: Partial<ImageOSDisk> = {}): ImageOSDisk {
  return { osType: 'Windows', osState: 'Generalized', diskSizeGB: 64, ...overrides };
}

/** A managed image as ARM returns it; `osDisk: null` leaves the storage profile out. */
function armImage(overrides: Partial<Image> & { readonly osDisk?: ImageOSDisk | null } = {}): Image {
  const { osDisk: disk = osDisk(), ...image } = overrides;
  return {
    id: sourceImageId('win11-ent-1.2.0'),
    name: 'win11-ent-1.2.0',
    location: 'westeurope',
    provisioningState: 'Succeeded',
    hyperVGeneration: 'V2',
    ...(disk === null ? {} : { storageProfile: { osDisk: disk, dataDisks: [] } }),
    ...image,
  };
}

function fingerprintOf(image: Image): string | null | undefined {
  return toSourceImage(image)?.contentFingerprint;
}

describe('toSourceImage contentFingerprint', () => {
  it('is the capturing VM id, lower-cased', () => {
    expect(fingerprintOf(armImage({ sourceVirtualMachine: { id: VM } }))).toBe(VM.toLowerCase());
  });

  it('joins VM, managed disk, snapshot and blob, in that order, with |', () => {
    const image = armImage({
      sourceVirtualMachine: { id: VM },
      osDisk: osDisk({ managedDisk: { id: DISK }, snapshot: { id: SNAPSHOT }, blobUri: BLOB }),
    });
    expect(fingerprintOf(image)).toBe([VM, DISK, SNAPSHOT, BLOB].map((id) => id.toLowerCase()).join('|'));
  });

  it('takes only those present: an image captured from a snapshot alone', () => {
    expect(fingerprintOf(armImage({ osDisk: osDisk({ snapshot: { id: SNAPSHOT } }) }))).toBe(SNAPSHOT.toLowerCase());
  });

  it('takes a managed disk and a blob without a VM', () => {
    expect(fingerprintOf(armImage({ osDisk: osDisk({ managedDisk: { id: DISK }, blobUri: BLOB }) }))).toBe(`${DISK}|${BLOB}`.toLowerCase());
  });

  it('is the same whatever casing ARM returns the ids in', () => {
    const upper = armImage({ sourceVirtualMachine: { id: VM.toUpperCase() }, osDisk: osDisk({ managedDisk: { id: DISK.toUpperCase() } }) });
    const lower = armImage({ sourceVirtualMachine: { id: VM.toLowerCase() }, osDisk: osDisk({ managedDisk: { id: DISK.toLowerCase() } }) });
    expect(fingerprintOf(upper)).toBe(fingerprintOf(lower));
  });

  it('changes when the image is captured again from another VM', () => {
    const before = fingerprintOf(armImage({ sourceVirtualMachine: { id: VM } }));
    const after = fingerprintOf(armImage({ sourceVirtualMachine: { id: VM.replace('Build-VM', 'Build-VM-2') } }));
    expect(after).not.toBe(before);
  });

  it('is null when ARM shows none of them', () => {
    expect(fingerprintOf(armImage())).toBeNull();
  });

  it('is null with no storage profile and no VM', () => {
    expect(fingerprintOf(armImage({ osDisk: null }))).toBeNull();
  });

  it('ignores empty ids and sub-resources without an id', () => {
    expect(fingerprintOf(armImage({ sourceVirtualMachine: { id: '' }, osDisk: osDisk({ managedDisk: {}, blobUri: '' }) }))).toBeNull();
    expect(fingerprintOf(armImage({ sourceVirtualMachine: {}, osDisk: osDisk({ snapshot: { id: SNAPSHOT } }) }))).toBe(
      SNAPSHOT.toLowerCase(),
    );
  });

  it('still reads a VM id when the storage profile is missing', () => {
    expect(fingerprintOf(armImage({ osDisk: null, sourceVirtualMachine: { id: VM } }))).toBe(VM.toLowerCase());
  });
});
