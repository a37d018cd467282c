// Naming, scope and eligibility of gallery image versions (DESIGN §17), with every bad input of issue 22.
import { describe, expect, it } from 'vitest';
import type { ImageScope } from '../../../src/config';
import type { SkipReason, SourceImage } from '../../../src/domain';
import { checkEligibility, skipFix } from '../../../src/rules/eligibility';
import { nameImage } from '../../../src/rules/naming';
import { GALLERY_COPY_TAG, isInScope } from '../../../src/rules/scope';
import { galleryVersionId, gallerySourceImage } from '../../fixtures/gallerySourceImage';
import { sourceImage } from '../../fixtures/sourceImage';

const optIn: ImageScope = { kind: 'tag', name: 'cloudpc-sync', value: 'true' };

describe('naming a gallery version', () => {
  it("takes the version's name as the version and the definition's name as the displayName", () => {
    expect(nameImage(gallerySourceImage())).toEqual({ ok: true, displayName: 'win11-gold', version: '1.4.0', versionSource: 'name' });
  });

  it('takes the displayName from tag cloudpc-display-name when set', () => {
    expect(nameImage(gallerySourceImage({ tags: { 'Cloudpc-Display-Name': ' Windows 11 Gold ' } }))).toMatchObject({
      ok: true,
      displayName: 'Windows 11 Gold',
    });
  });

  it("does not read a version out of the definition's name, nor a cloudpc-version tag: the version's name is its version", () => {
    const image = gallerySourceImage({
      gallery: { galleryName: 'g', definitionName: 'win11-9.9.9', targetRegions: [] },
      tags: { 'cloudpc-version': '7.7.7' },
    });
    expect(nameImage(image)).toMatchObject({ ok: true, displayName: 'win11-9.9.9', version: '1.4.0' });
  });

  it('refuses a version name that is not MAJOR.MINOR.PATCH as invalid-version', () => {
    const image = gallerySourceImage({ name: '1.4', id: galleryVersionId('win11-gold', '1.4') });
    expect(nameImage(image)).toEqual({
      ok: false,
      reason: 'invalid-version',
      displayName: 'win11-gold',
      rejectedVersion: '1.4',
      versionSource: 'name',
    });
    expect(checkEligibility(image)).toEqual({ eligible: false, reason: 'invalid-version', displayName: 'win11-gold', version: null });
    expect(skipFix('invalid-version', image)).toBe(
      `the gallery version's name "1.4" is not MAJOR.MINOR.PATCH in whole numbers (each at most 2147483647); publish the image as a version named like 1.2.0`,
    );
  });

  it('refuses a version part above 2147483647', () => {
    expect(nameImage(gallerySourceImage({ name: '1.0.2147483648' }))).toMatchObject({ ok: false, reason: 'invalid-version' });
  });
});

describe('scope of gallery versions and their copies', () => {
  it('reads the opt-in tag from the merged tags', () => {
    expect(isInScope(gallerySourceImage({ tags: { 'cloudpc-sync': 'true' } }), optIn)).toBe(true);
    expect(isInScope(gallerySourceImage({ tags: { 'cloudpc-sync': 'false' } }), optIn)).toBe(false);
    expect(isInScope(gallerySourceImage({ tags: {} }), optIn)).toBe(false);
  });

  it("never takes the app's own copy of a gallery version (tag cloudpc-sync-copy-of), even with IMAGE_SYNC_TAG=*", () => {
    const copy = sourceImage({ tags: { 'cloudpc-sync': 'true', 'Cloudpc-Sync-Copy-Of': galleryVersionId('win11-gold', '1.4.0') } });
    expect(GALLERY_COPY_TAG).toBe('cloudpc-sync-copy-of');
    expect(isInScope(copy, optIn)).toBe(false);
    expect(isInScope(copy, { kind: 'all' })).toBe(false);
    expect(isInScope(sourceImage({ tags: {} }), { kind: 'all' })).toBe(true);
  });
});

/** Each bad input of issue 22, as the mapping gives it, with the fix a gallery owner can act on. */
const BAD_VERSIONS: readonly (readonly [SkipReason, Partial<SourceImage>, string])[] = [
  [
    'malformed',
    { hasStorageProfile: false },
    'the gallery image version has no OS disk image (storageProfile.osDiskImage); publish a version from a generalized Windows image',
  ],
  [
    'not-succeeded',
    { provisioningState: 'Failed' },
    `the gallery version's provisioningState is "Failed"; wait for the version to finish publishing and replicating, or publish it again if it failed`,
  ],
  [
    'not-windows',
    { osType: 'Linux' },
    `the image definition's osType is "Linux"; Windows 365 takes only Windows 10/11 Enterprise images: publish to a Windows definition`,
  ],
  [
    'not-generalized',
    { osState: 'Specialized' },
    `the image definition's osState is "Specialized"; Windows 365 needs a generalized image: create a Generalized definition and publish a version from a VM generalized with sysprep /generalize /oobe`,
  ],
  [
    'gen1',
    { hyperVGeneration: 'V1' },
    'the image definition is Gen1 (hyperVGeneration V1); create a V2 definition (hyperVGeneration V2) and publish the version to it',
  ],
  ['has-data-disks', { dataDiskCount: 2 }, 'the gallery version has 2 data disk image(s); publish a version without data disks'],
  [
    'disk-encryption-set',
    { hasDiskEncryptionSet: true },
    'the gallery version is encrypted with a customer-managed key (a disk encryption set in its target regions); publish a version with platform-managed keys',
  ],
];

describe('eligibility of gallery versions', () => {
  it('accepts an eligible version with its displayName and version', () => {
    expect(checkEligibility(gallerySourceImage())).toEqual({ eligible: true, displayName: 'win11-gold', version: '1.4.0' });
  });

  it.each(BAD_VERSIONS)('skips as %s with a fix worded for a gallery version', (reason, override, fix) => {
    const image = gallerySourceImage(override);
    expect(checkEligibility(image)).toMatchObject({ eligible: false, reason });
    expect(skipFix(reason, image)).toBe(fix);
  });

  it('says missing for a definition without hyperVGeneration', () => {
    expect(skipFix('gen1', gallerySourceImage({ hyperVGeneration: null }))).toContain('Gen1 (hyperVGeneration missing)');
  });

  it('takes a gallery version id as well-formed only for a gallery source, and a managed id only for a managed image', () => {
    expect(checkEligibility(gallerySourceImage({ id: sourceImage().id }))).toMatchObject({ reason: 'malformed' });
    expect(checkEligibility(sourceImage({ id: gallerySourceImage().id }))).toMatchObject({ reason: 'malformed' });
  });

  it('keeps the managed-image fixes for managed images', () => {
    expect(skipFix('has-data-disks', sourceImage({ dataDiskCount: 1 }))).toBe(
      'the image has 1 data disk(s); detach the data disks from the VM and capture the image again',
    );
  });

  it('names only a display name as the way out of name-version-taken (the version is the gallery version)', () => {
    expect(skipFix('name-version-taken', gallerySourceImage(), { takenBy: ['/x'] })).toBe(
      'displayName "win11-gold" version 1.4.0 is also claimed by /x; give this gallery image another display name (tag cloudpc-display-name on the definition or the version), or change the other source',
    );
  });

  it('gives gallery-region the regions the version is replicated to', () => {
    expect(skipFix('gallery-region', gallerySourceImage(), { stagingRegion: 'eastus', stagingResourceGroup: 'rg-staging' })).toContain(
      'replicated to westeurope, northeurope, not to eastus',
    );
  });
});
