import { z } from 'zod';
import { DEVICE_IMAGE_STATUSES, type DeviceImage, type DeviceImageStatus } from '../domain';
import { unreadableAnswer } from './unreadableAnswer';

const nullableText = z
  .string()
  .nullish()
  .transform((value) => (value === undefined || value === '' ? null : value));

/**
 * Graph's `expirationDate` is an Edm.Date; a date-time is cut to its date. A value that is not a
 * date reads as null: an advisory field must not make the tenant's whole listing unreadable.
 */
const nullableDate = z
  .string()
  .nullish()
  .transform((value) => /^\d{4}-\d{2}-\d{2}(?=$|T)/.exec(value ?? '')?.[0] ?? null);

const deviceImageBody = z.object({
  id: z.string().min(1),
  displayName: z.string(),
  version: z
    .string()
    .nullish()
    .transform((value) => value ?? ''),
  sourceImageResourceId: z
    .string()
    .nullish()
    .transform((value) => value ?? ''),
  status: z
    .string()
    .nullish()
    .transform((value): DeviceImageStatus => {
      const known = DEVICE_IMAGE_STATUSES.find((status) => status === (value ?? '').trim().toLowerCase());
      return known ?? 'unknown';
    }),
  errorCode: nullableText,
  // The oldest API versions name the failure field statusDetails.
  statusDetails: nullableText,
  operatingSystem: nullableText,
  osBuildNumber: nullableText,
  lastModifiedDateTime: nullableText,
  osStatus: nullableText,
  expirationDate: nullableDate,
  osVersionNumber: nullableText,
});

/** A cloudPcDeviceImage from Graph's JSON; throws a PermanentError naming the field when it is not one. */
export function toDeviceImage(body: unknown): DeviceImage {
  const parsed = deviceImageBody.safeParse(body);
  if (!parsed.success) throw unreadableAnswer('a device image', parsed.error);
  const image = parsed.data;
  return {
    id: image.id,
    displayName: image.displayName,
    version: image.version,
    sourceImageResourceId: image.sourceImageResourceId,
    status: image.status,
    errorCode: image.errorCode ?? image.statusDetails,
    operatingSystem: image.operatingSystem,
    osBuildNumber: image.osBuildNumber,
    lastModifiedDateTime: image.lastModifiedDateTime,
    osStatus: image.osStatus,
    expirationDate: image.expirationDate,
    osVersionNumber: image.osVersionNumber,
  };
}
