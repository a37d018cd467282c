import { describe, expect, it } from 'vitest';
import { definitionIdOf, isGalleryVersionId, parseGalleryVersionId } from '../../../src/arm/galleryVersionId';
import { galleryVersionId } from '../../fixtures/gallerySourceImage';
import { SUBSCRIPTION_ID, sourceImageId } from '../../fixtures/sourceImage';

describe('parseGalleryVersionId', () => {
  it('reads subscription, group, gallery, definition and version of a version id', () => {
    expect(parseGalleryVersionId(galleryVersionId('win11-gold', '1.4.0'))).toEqual({
      subscriptionId: SUBSCRIPTION_ID,
      resourceGroup: 'rg-gallery',
      galleryName: 'galImages',
      definitionName: 'win11-gold',
      versionName: '1.4.0',
    });
  });

  it('takes literal segments in any casing (ARM and Event Grid write resourcegroups in lower case)', () => {
    const lower = galleryVersionId('win11-gold', '1.4.0')
      .replace('resourceGroups', 'resourcegroups')
      .replace('Microsoft.Compute', 'microsoft.compute');
    expect(parseGalleryVersionId(lower)).toMatchObject({ resourceGroup: 'rg-gallery', versionName: '1.4.0' });
  });

  it('refuses a managed image, a definition, extra segments and dot segments', () => {
    expect(isGalleryVersionId(sourceImageId('win11-1.0.0'))).toBe(false);
    expect(isGalleryVersionId(definitionIdOf(galleryVersionId('win11-gold', '1.4.0')))).toBe(false);
    expect(isGalleryVersionId(`${galleryVersionId('win11-gold', '1.4.0')}/extra`)).toBe(false);
    expect(isGalleryVersionId(galleryVersionId('..', '1.4.0'))).toBe(false);
    expect(isGalleryVersionId(galleryVersionId('win11-gold', '..'))).toBe(false);
  });
});

describe('definitionIdOf', () => {
  it('is the version id without /versions/{name}', () => {
    expect(definitionIdOf(galleryVersionId('win11-gold', '1.4.0'))).toBe(
      `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/rg-gallery/providers/Microsoft.Compute/galleries/galImages/images/win11-gold`,
    );
  });
});
