import { z } from 'zod';
import { parseGalleryVersionId } from '../arm/galleryVersionId';
import { parseManagedImageId } from '../arm/managedImageId';

const WRITE_SUCCESS = 'microsoft.resources.resourcewritesuccess';
const IMAGE_WRITE = 'microsoft.compute/images/write';
const GALLERY_VERSION_WRITE = 'microsoft.compute/galleries/images/versions/write';

// Event Grid schema (eventType, subject) and CloudEvents 1.0 (type, subject); `data` is alike. Ids
// arrive in any casing (`resourcegroups` as often as `resourceGroups`): they are kept as received.
const eventEnvelope = z.object({
  id: z.string().optional(),
  eventType: z.string().optional(),
  type: z.string().optional(),
  subject: z.string().optional(),
  data: z
    .object({
      operationName: z.string().optional(),
      resourceUri: z.string().optional(),
      status: z.string().optional(),
    })
    .loose()
    .optional(),
});

export type ImageEvent =
  | { readonly kind: 'imageWritten'; readonly sourceImageResourceId: string; readonly eventId: string | null }
  | { readonly kind: 'ignored'; readonly why: string; readonly eventId: string | null };

export interface ImageEventOptions {
  /** IMAGE_SYNC_GALLERY_SOURCES is copy or direct: a written gallery image version is a source too (DESIGN §17). */
  readonly galleryVersions: boolean;
}

/**
 * Reads an Event Grid or CloudEvents event. Only a successful write of a managed image (or, with
 * gallery sources on, of a gallery image version) matters; anything else is ignored with the
 * reason, never an error (Event Grid would redeliver it).
 */
export function parseImageEvent(event: unknown, options: ImageEventOptions = { galleryVersions: false }): ImageEvent {
  const parsed = eventEnvelope.safeParse(event);
  if (!parsed.success) return { kind: 'ignored', why: 'not an Event Grid or CloudEvents event', eventId: null };
  const { id, eventType, type, subject, data } = parsed.data;
  const eventId = id ?? null;
  const kind = eventType ?? type ?? '';
  if (kind.toLowerCase() !== WRITE_SUCCESS) return { kind: 'ignored', why: `event type ${kind || '(none)'}`, eventId };
  const operation = data?.operationName?.toLowerCase();
  if (operation !== undefined && operation !== IMAGE_WRITE && operation !== GALLERY_VERSION_WRITE) {
    return { kind: 'ignored', why: `operation ${data?.operationName}`, eventId };
  }
  if (data?.status !== undefined && data.status.toLowerCase() !== 'succeeded')
    return { kind: 'ignored', why: `status ${data.status}`, eventId };
  const resourceId = data?.resourceUri ?? subject ?? '';
  const isGalleryVersion = parseGalleryVersionId(resourceId) !== null;
  if (isGalleryVersion ? operation === IMAGE_WRITE : operation === GALLERY_VERSION_WRITE)
    return { kind: 'ignored', why: `operation ${data?.operationName} on ${resourceId.slice(0, 200)}`, eventId };
  if (isGalleryVersion && !options.galleryVersions)
    return {
      kind: 'ignored',
      why: `a gallery image version was written and IMAGE_SYNC_GALLERY_SOURCES is off: ${resourceId.slice(0, 200)}`,
      eventId,
    };
  if (!isGalleryVersion && parseManagedImageId(resourceId) === null)
    return { kind: 'ignored', why: `not a managed image or gallery image version: ${resourceId.slice(0, 200)}`, eventId };
  return { kind: 'imageWritten', sourceImageResourceId: resourceId, eventId };
}
