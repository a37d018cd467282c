// The source images: the reader of managed images and gallery versions, and the gallery copies (DESIGN §17).
import type { SourceImage } from '../domain';

export interface SubscriptionListing {
  /** The images in scope (config.scope): the readers let the others go page by page. */
  readonly images: readonly SourceImage[];
  /** Source images read, in scope or not. */
  readonly listed: number;
  /** Subscriptions that answered 401/403/404: permanent, recorded as problems. */
  readonly unreadable: readonly { readonly subscriptionId: string; readonly detail: string }[];
  /** Subscriptions that failed transiently after the retries: tried again next reconcile, not a problem. */
  readonly unavailable: readonly { readonly subscriptionId: string; readonly detail: string }[];
}

export interface SourceImageReader {
  /**
   * Every managed image in scope in the configured subscriptions (and resource groups), all pages; with
   * IMAGE_SYNC_GALLERY_SOURCES on, every gallery image version too (DESIGN §17, `SourceImage.gallery`).
   */
  listAll(): Promise<SubscriptionListing>;
  /** One managed image or gallery image version by id; null when it does not exist (404). */
  get(sourceImageResourceId: string): Promise<SourceImage | null>;
}

/** One resource of a gallery copy in the staging group (DESIGN §17), found by its tag. */
export interface GalleryCopyResource {
  readonly id: string;
  readonly kind: 'disk' | 'image';
  /** The `cloudpc-sync-copy-of` tag: the gallery version it copies. */
  readonly copyOf: string;
  /** ARM's provisioningState (`Succeeded`, `Creating`, `Failed`, …); null when absent. */
  readonly provisioningState: string | null;
}

/**
 * IMAGE_SYNC_GALLERY_SOURCES=copy: managed-image copies of gallery versions in the staging resource
 * group (DESIGN §17). Every call is idempotent; long-running operations are waited for through the
 * SDK's pollers. A 403 is a ForbiddenError, a missing staging group a PermanentError.
 */
export interface GalleryCopies {
  /** The staging group's region (`regionKey`); null when the group does not exist (404). */
  stagingRegion(): Promise<string | null>;
  /**
   * The copy of `version` (disk, then generalized V2 managed image, both named by `galleryCopyName`
   * and tagged `cloudpc-sync-copy-of`), made if absent, finished if half made; returns the managed image's id.
   */
  ensureCopy(version: SourceImage): Promise<string>;
  /** Every disk and managed image in the staging group tagged `cloudpc-sync-copy-of`. */
  list(): Promise<GalleryCopyResource[]>;
  /** Deletes the copy of `galleryVersionId`: the managed image, then the disk; already gone is fine. */
  remove(galleryVersionId: string): Promise<void>;
}
