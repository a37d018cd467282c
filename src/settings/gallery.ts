// Azure Compute Gallery image versions as sources (DESIGN §17).
import { z } from 'zod';
import type { Environment } from './configError';
import { oneOf, orListDefault, raw } from './read';
import { parseSettings, refuse } from './schema';

/** `off`: gallery versions are not sources. `copy`: a managed-image copy is registered. `direct`: the version's id is posted (preview). */
export type GallerySourceMode = 'off' | 'copy' | 'direct';

export interface StagingResourceGroup {
  /** `/subscriptions/{id}/resourceGroups/{name}` as configured. */
  readonly id: string;
  readonly subscriptionId: string;
  readonly name: string;
}

export interface GallerySettings {
  readonly mode: GallerySourceMode;
  /** Where `copy` makes its disks and managed images; set exactly when mode is `copy`. */
  readonly stagingResourceGroup: StagingResourceGroup | null;
}

export interface GalleryPart {
  /** Azure Compute Gallery image versions as sources (DESIGN §17). */
  readonly gallery: GallerySettings;
}

const GALLERY_SOURCE_MODES = ['off', 'copy', 'direct'] as const;
const STAGING_GROUP =
  /^\/subscriptions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/resourceGroups\/([-\w._()]{1,90})$/i;
const EXAMPLE_GROUP = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-cloudpc-staging';

const mode = z
  .string()
  .transform((value) => value.toLowerCase())
  .pipe(
    oneOf(
      GALLERY_SOURCE_MODES,
      (value) => `"${value}" is not one of off, copy, direct`,
      'set copy (a managed-image copy of each gallery version, documented APIs only), direct (Windows 365 preview) or off',
    ),
  );

/** The staging group is read only for `copy`: with another mode it is ignored, whatever it holds. */
const gallerySchema = z
  .object({
    IMAGE_SYNC_GALLERY_SOURCES: orListDefault('IMAGE_SYNC_GALLERY_SOURCES', mode),
    IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP: raw,
  })
  .transform((settings, context): GallerySettings => {
    const staging = settings.IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP;
    if (settings.IMAGE_SYNC_GALLERY_SOURCES !== 'copy') return { mode: settings.IMAGE_SYNC_GALLERY_SOURCES, stagingResourceGroup: null };
    const setting = 'IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP';
    if (staging === undefined) {
      return refuse(
        context,
        'is required with IMAGE_SYNC_GALLERY_SOURCES=copy',
        `set the resource group copies are made in, e.g. ${EXAMPLE_GROUP}`,
        setting,
      );
    }
    const id = staging.replace(/\/+$/, '');
    const match = STAGING_GROUP.exec(id);
    if (match === null) {
      return refuse(
        context,
        `"${staging}" is not a resource group id`,
        `write it as /subscriptions/{subscription GUID}/resourceGroups/{name}, e.g. ${EXAMPLE_GROUP}`,
        setting,
      );
    }
    return { mode: 'copy', stagingResourceGroup: { id, subscriptionId: match[1]!.toLowerCase(), name: match[2]! } };
  });

export function loadGallery(env: Environment): GalleryPart {
  return { gallery: Object.freeze(parseSettings(gallerySchema, env)) };
}
