import { describe, expect, it } from 'vitest';
import { galleryDefinitionsQuery, galleryVersionsQuery } from '../../../src/arm/galleryResourceGraphQuery';
import { joinGalleryRows } from '../../../src/arm/resourceGraphGalleryReader';
import { galleryVersionId } from '../../fixtures/gallerySourceImage';

describe('gallery Resource Graph queries', () => {
  it('asks for every image definition and every version, whole properties, ordered by id', () => {
    expect(galleryDefinitionsQuery(null)).toBe(
      "Resources | where type =~ 'microsoft.compute/galleries/images' | project id, name, type, location, tags, properties | order by id asc",
    );
    expect(galleryVersionsQuery(null)).toBe(
      "Resources | where type =~ 'microsoft.compute/galleries/images/versions' | project id, name, type, location, tags, properties | order by id asc",
    );
  });

  it('narrows to IMAGE_SYNC_RESOURCE_GROUPS, each name a quoted KQL string', () => {
    expect(galleryVersionsQuery(['rg-a', "o'brien"])).toBe(
      "Resources | where type =~ 'microsoft.compute/galleries/images/versions' | where resourceGroup in~ ('rg-a', 'o\\'brien') | project id, name, type, location, tags, properties | order by id asc",
    );
  });
});

const definitionRow = (definition: string, tags: Record<string, string>, properties: Record<string, unknown> = {}) => ({
  id: galleryVersionId(definition, 'x').replace(/\/versions\/x$/, ''),
  name: definition,
  type: 'microsoft.compute/galleries/images',
  location: 'westeurope',
  tags,
  properties: { osType: 'Windows', osState: 'Generalized', hyperVGeneration: 'V2', ...properties },
});

const versionRow = (definition: string, version: string, tags: Record<string, string> = {}) => ({
  id: galleryVersionId(definition, version),
  name: version,
  type: 'microsoft.compute/galleries/images/versions',
  location: 'westeurope',
  tags,
  properties: {
    provisioningState: 'Succeeded',
    publishingProfile: { targetRegions: [{ name: 'West Europe' }], publishedDate: '2026-11-28T22:05:11.1234567Z' },
    storageProfile: { osDiskImage: { sizeInGB: 64 } },
  },
});

describe('joinGalleryRows', () => {
  it("joins each version to its definition (ids compared without case) with the definition's OS facts and merged tags", () => {
    const definition = definitionRow('win11-gold', { 'cloudpc-sync': 'true' }, { hyperVGeneration: 'V1' });
    const version = { ...versionRow('win11-gold', '1.0.0', { 'cloudpc-display-name': 'Gold' }) };
    const { images, orphans } = joinGalleryRows([{ ...definition, id: definition.id.toLowerCase() }], [version]);
    expect(orphans).toEqual([]);
    expect(images).toEqual([
      expect.objectContaining({
        id: version.id,
        name: '1.0.0',
        hyperVGeneration: 'V1',
        tags: { 'cloudpc-sync': 'true', 'cloudpc-display-name': 'Gold' },
        contentFingerprint: '2026-11-28T22:05:11.123Z',
        gallery: { galleryName: 'galImages', definitionName: 'win11-gold', targetRegions: ['westeurope'] },
      }),
    ]);
  });

  it('names the versions whose definition is not in the answer, and maps no source for them', () => {
    const { images, orphans } = joinGalleryRows(
      [definitionRow('win11-gold', {})],
      [versionRow('win11-gold', '1.0.0'), versionRow('other', '2.0.0')],
    );
    expect(images.map((image) => image.name)).toEqual(['1.0.0']);
    expect(orphans).toEqual([galleryVersionId('other', '2.0.0')]);
  });

  it('skips rows that are not records with an id', () => {
    expect(joinGalleryRows([null, 'x'], [42, { name: 'no id' }])).toEqual({ images: [], orphans: [] });
  });
});
