import { describe, expect, it } from 'vitest';
import { COPY_NAME_MAX, fnv1a32, galleryCopyIds, galleryCopyName } from '../../../src/rules/galleryCopyName';
import { postedSourceId } from '../../../src/rules/postedSource';
import type { GallerySettings } from '../../../src/config';

const SUB = '11111111-1111-4111-8111-111111111111';
const versionId = (definition: string, version = '1.4.0') =>
  `/subscriptions/${SUB}/resourceGroups/rg-gallery/providers/Microsoft.Compute/galleries/gal/images/${definition}/versions/${version}`;
const staging = { id: `/subscriptions/${SUB}/resourceGroups/rg-cloudpc-staging`, subscriptionId: SUB, name: 'rg-cloudpc-staging' };
const copy: GallerySettings = { mode: 'copy', stagingResourceGroup: staging };

describe('fnv1a32', () => {
  it('gives the reference values of FNV-1a 32', () => {
    expect(fnv1a32('')).toBe('811c9dc5');
    expect(fnv1a32('a')).toBe('e40c292c');
    expect(fnv1a32('foobar')).toBe('bf9cf968');
  });
});

describe('galleryCopyName', () => {
  it('names the copy after the definition, the version and a hash of the lower-cased id', () => {
    const id = versionId('win11-gold');
    expect(galleryCopyName(id)).toBe(`cloudpc-win11-gold-1.4.0-${fnv1a32(id.toLowerCase())}`);
  });

  it('is the same name whatever the id casing, and differs between versions and galleries', () => {
    const id = versionId('win11-gold');
    expect(galleryCopyName(id.toUpperCase().replace('VERSIONS', 'versions'))).toBe(galleryCopyName(id));
    expect(galleryCopyName(versionId('win11-gold', '1.4.1'))).not.toBe(galleryCopyName(id));
    expect(galleryCopyName(id.replace('/galleries/gal/', '/galleries/other/'))).not.toBe(galleryCopyName(id));
  });

  it('shortens a long definition so the name stays within 80 characters, keeping version and hash', () => {
    const name = galleryCopyName(versionId('d'.repeat(80), '123.456.789'));
    expect(name).not.toBeNull();
    expect(name!.length).toBe(COPY_NAME_MAX);
    expect(name).toMatch(/^cloudpc-d+-123\.456\.789-[0-9a-f]{8}$/);
  });

  it('is null for an id that is not a gallery version', () => {
    expect(galleryCopyName(`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/images/win11`)).toBeNull();
  });
});

describe('galleryCopyIds and postedSourceId', () => {
  it('puts the disk and the image in the staging group', () => {
    const ids = galleryCopyIds(versionId('win11-gold'), staging)!;
    expect(ids.diskId).toBe(`/subscriptions/${SUB}/resourceGroups/rg-cloudpc-staging/providers/Microsoft.Compute/disks/${ids.name}`);
    expect(ids.imageId).toBe(`/subscriptions/${SUB}/resourceGroups/rg-cloudpc-staging/providers/Microsoft.Compute/images/${ids.name}`);
  });

  it('posts the copy in copy mode, the id itself otherwise', () => {
    const gallery = versionId('win11-gold');
    const managed = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/images/win11`;
    expect(postedSourceId(gallery, copy)).toBe(galleryCopyIds(gallery, staging)!.imageId);
    expect(postedSourceId(managed, copy)).toBe(managed);
    expect(postedSourceId(gallery, { mode: 'direct', stagingResourceGroup: null })).toBe(gallery);
    expect(postedSourceId(gallery, { mode: 'off', stagingResourceGroup: null })).toBe(gallery);
  });
});
