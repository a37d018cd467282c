// Azure Compute Gallery image versions as sources (DESIGN §17).
import { ConfigError, type Environment } from './configError';
import { textDefault } from './list';
import { oneOf, text } from './read';

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

export function loadGallery(env: Environment): GalleryPart {
  return { gallery: Object.freeze(gallerySettings(env)) };
}

function gallerySettings(env: Environment): GallerySettings {
  const raw = (text(env, 'IMAGE_SYNC_GALLERY_SOURCES') ?? textDefault('IMAGE_SYNC_GALLERY_SOURCES')).toLowerCase();
  const mode = oneOf(
    raw,
    GALLERY_SOURCE_MODES,
    () =>
      new ConfigError(
        'IMAGE_SYNC_GALLERY_SOURCES',
        `"${raw}" is not one of off, copy, direct`,
        'set copy (a managed-image copy of each gallery version, documented APIs only), direct (Windows 365 preview) or off',
      ),
  );
  const staging = text(env, 'IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP');
  if (mode !== 'copy') return { mode, stagingResourceGroup: null };
  if (staging === undefined) {
    throw new ConfigError(
      'IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP',
      'is required with IMAGE_SYNC_GALLERY_SOURCES=copy',
      `set the resource group copies are made in, e.g. ${EXAMPLE_GROUP}`,
    );
  }
  const id = staging.replace(/\/+$/, '');
  const match = STAGING_GROUP.exec(id);
  if (match === null) {
    throw new ConfigError(
      'IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP',
      `"${staging}" is not a resource group id`,
      `write it as /subscriptions/{subscription GUID}/resourceGroups/{name}, e.g. ${EXAMPLE_GROUP}`,
    );
  }
  return { mode, stagingResourceGroup: { id, subscriptionId: match[1]!.toLowerCase(), name: match[2]! } };
}
