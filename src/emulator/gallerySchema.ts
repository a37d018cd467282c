// Azure Compute Galleries in an estate: galleries inside resource groups, their image definitions
// and image versions (DESIGN §17). Format: docs/emulator.md, "Galleries".
import { z } from 'zod';
import { reportedOsSchema, uploadSchema } from './uploadSchema';

const VERSION_NAME = /^\d+\.\d+\.\d+$/;

export const galleryImageVersionSchema = z.strictObject({
  /** `MAJOR.MINOR.PATCH`, as galleries require. */
  name: z.string().regex(VERSION_NAME, 'a gallery image version name: MAJOR.MINOR.PATCH in digits'),
  tags: z.record(z.string(), z.string()).nullable().default({}),
  provisioningState: z.string().default('Succeeded'),
  /** Region display names ("West Europe"); omitted: the gallery's location. */
  targetRegions: z.array(z.string().min(1)).optional(),
  /** How many data disk images the version has. */
  dataDiskImages: z.number().int().min(0).default(0),
  /** Encrypted with a customer-managed key (a disk encryption set in its target regions). */
  encryptedWithCustomerKey: z.boolean().default(false),
  publishedDate: z.iso.datetime().default('2026-11-28T22:05:11Z'),
  osDiskSizeGB: z.number().int().positive().default(64),
  /** What Graph reports once an upload of this version (direct) or of a copy of it is ready. */
  reportedOs: reportedOsSchema.prefault({}),
  /** Omitted: decided from the definition and version (ready when Windows 365's requirements are met). */
  upload: uploadSchema.optional(),
});

export const galleryImageSchema = z.strictObject({
  name: z.string().regex(/^[-\w.]{1,80}$/, 'an image definition name: 1-80 letters, digits, - _ .'),
  osType: z.string().default('Windows'),
  osState: z.string().default('Generalized'),
  hyperVGeneration: z.string().default('V2'),
  tags: z.record(z.string(), z.string()).nullable().default({}),
  versions: z.array(galleryImageVersionSchema).default([]),
});

export const gallerySchema = z.strictObject({
  name: z.string().regex(/^[\w.]{1,80}$/, 'a gallery name: 1-80 letters, digits, _ .'),
  /** Omitted: the resource group's location. */
  location: z.string().optional(),
  tags: z.record(z.string(), z.string()).nullable().default({}),
  images: z.array(galleryImageSchema).default([]),
});

export type GalleryImageVersionSpec = z.output<typeof galleryImageVersionSchema>;
export type GalleryImageVersionInput = z.input<typeof galleryImageVersionSchema>;
export type GalleryImageSpec = z.output<typeof galleryImageSchema>;
export type GalleryImageInput = z.input<typeof galleryImageSchema>;
export type GallerySpec = z.output<typeof gallerySchema>;
export type GalleryInput = z.input<typeof gallerySchema>;
