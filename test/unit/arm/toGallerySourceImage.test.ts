import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { GalleryImage, GalleryImageVersion } from '@azure/arm-compute';
import { describe, expect, it } from 'vitest';
import { flattenProperties, gallerySourceImageOf, mergeTags } from '../../../src/arm/toGallerySourceImage';
import { REPO_ROOT } from '../../support/functionApp';

const VERSION_ID =
  '/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-gallery/providers/Microsoft.Compute/galleries/galImages/images/win11-gold/versions/1.4.0';
const DES =
  '/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-keys/providers/Microsoft.Compute/diskEncryptionSets/des-1';

/** The API notes' example: a version as ARM serves it, and its definition (GET …/images/win11-gold). */
const example = JSON.parse(readFileSync(path.join(REPO_ROOT, 'test/fixtures/api/gallery-image-version.json'), 'utf8')) as Record<
  string,
  unknown
>;
const exampleDefinition = example['_definition (GET .../galleries/galImages/images/win11-gold)'] as Record<string, unknown>;

/** The same version as the SDK deserialises it: properties flattened, publishedDate a Date. */
function sdkVersion(overrides: Partial<GalleryImageVersion> = {}): GalleryImageVersion {
  return {
    id: VERSION_ID,
    name: '1.4.0',
    location: 'westeurope',
    tags: { 'cloudpc-sync': 'true' },
    provisioningState: 'Succeeded',
    publishingProfile: {
      targetRegions: [{ name: 'West Europe' }, { name: 'North Europe' }],
      publishedDate: new Date('2026-11-28T22:05:11Z'),
    },
    storageProfile: { osDiskImage: { hostCaching: 'ReadWrite' }, dataDiskImages: [] },
    ...overrides,
  };
}

function sdkDefinition(overrides: Partial<GalleryImage> = {}): GalleryImage {
  return {
    location: 'westeurope',
    tags: { 'cloudpc-display-name': 'Windows 11 Gold' },
    osType: 'Windows',
    osState: 'Generalized',
    hyperVGeneration: 'V2',
    ...overrides,
  };
}

describe('gallerySourceImageOf', () => {
  it('maps the example version and definition as ARM serves them onto a source', () => {
    expect(gallerySourceImageOf(flattenProperties(example), flattenProperties(exampleDefinition))).toEqual({
      id: VERSION_ID,
      name: '1.4.0',
      subscriptionId: '11111111-1111-4111-8111-111111111111',
      resourceGroup: 'rg-gallery',
      location: 'westeurope',
      tags: { 'cloudpc-display-name': 'Windows 11 Gold', 'cloudpc-sync': 'true' },
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
  });

  it('maps the SDK models (properties flattened, publishedDate a Date) to the same facts', () => {
    const fromSdk = gallerySourceImageOf(sdkVersion(), sdkDefinition());
    const fromJson = gallerySourceImageOf(flattenProperties(example), flattenProperties(exampleDefinition));
    expect(fromSdk).toEqual({ ...fromJson, osDiskSizeGB: null });
  });

  it('takes osType, osState and hyperVGeneration from the definition, not the version', () => {
    const image = gallerySourceImageOf(sdkVersion(), sdkDefinition({ osType: 'Linux', osState: 'Specialized', hyperVGeneration: 'V1' }));
    expect(image).toMatchObject({ osType: 'Linux', osState: 'Specialized', hyperVGeneration: 'V1' });
  });

  it('reads provisioningState and data disk images from the version', () => {
    const image = gallerySourceImageOf(
      sdkVersion({
        provisioningState: 'Updating',
        storageProfile: { osDiskImage: {}, dataDiskImages: [{ lun: 0 }, { lun: 1 }] },
      }),
      sdkDefinition(),
    );
    expect(image).toMatchObject({ provisioningState: 'Updating', dataDiskCount: 2 });
  });

  it('has no storage profile when the version has no OS disk image', () => {
    expect(gallerySourceImageOf(sdkVersion({ storageProfile: { dataDiskImages: [] } }), sdkDefinition())).toMatchObject({
      hasStorageProfile: false,
    });
  });

  it.each([
    ['an OS disk encryption set', { osDiskImage: { diskEncryptionSetId: DES } }],
    ['a data disk encryption set', { dataDiskImages: [{ lun: 0, diskEncryptionSetId: DES }] }],
    ['a confidential VM encryption set', { osDiskImage: { securityProfile: { secureVMDiskEncryptionSetId: DES } } }],
    [
      'confidential VM encryption with a customer key',
      { osDiskImage: { securityProfile: { confidentialVMEncryptionType: 'EncryptedWithCmk' } } },
    ],
  ])('sees a customer-managed key in one target region: %s', (_what, encryption) => {
    const version = sdkVersion({
      publishingProfile: { targetRegions: [{ name: 'westeurope' }, { name: 'northeurope', encryption }] },
    });
    expect(gallerySourceImageOf(version, sdkDefinition())?.hasDiskEncryptionSet).toBe(true);
  });

  it('sees no customer key in platform-managed confidential encryption', () => {
    const version = sdkVersion({
      publishingProfile: {
        targetRegions: [
          { name: 'westeurope', encryption: { osDiskImage: { securityProfile: { confidentialVMEncryptionType: 'EncryptedWithPmk' } } } },
        ],
      },
    });
    expect(gallerySourceImageOf(version, sdkDefinition())?.hasDiskEncryptionSet).toBe(false);
  });

  it('has no fingerprint and no regions when ARM gives neither', () => {
    expect(gallerySourceImageOf(sdkVersion({ publishingProfile: {} }), sdkDefinition())).toMatchObject({
      contentFingerprint: null,
      gallery: { targetRegions: [] },
    });
  });

  it('is null for anything that is not a gallery version id', () => {
    expect(gallerySourceImageOf(sdkVersion({ id: VERSION_ID.replace(/\/versions\/.*$/, '') }), sdkDefinition())).toBeNull();
    expect(gallerySourceImageOf(sdkVersion({ id: undefined }), sdkDefinition())).toBeNull();
  });
});

describe('mergeTags', () => {
  it("overlays the definition's tags with the version's, tag names compared without case", () => {
    expect(mergeTags({ 'Cloudpc-Sync': 'true', owner: 'images' }, { 'cloudpc-sync': 'false', 'cloudpc-display-name': 'Gold' })).toEqual({
      owner: 'images',
      'cloudpc-sync': 'false',
      'cloudpc-display-name': 'Gold',
    });
  });

  it('keeps only string values, and takes absent tags as none', () => {
    expect(mergeTags(undefined, { a: 'x', b: 3 })).toEqual({ a: 'x' });
    expect(mergeTags(null, null)).toEqual({});
  });
});
