// What an upload of a source image leads to, and what Graph reports of its OS once ready: shared by
// managed images and gallery image versions in an estate.
import { z } from 'zod';

const uploadOutcome = z.enum(['ready', 'failed', 'warning']);

export const uploadSchema = z.strictObject({
  outcome: uploadOutcome,
  /** The errorCode of a failed upload; defaults to `internalServerError`. */
  errorCode: z.string().min(1).optional(),
  /** Seconds from create until the upload settles; defaults to the estate's uploadSeconds. */
  seconds: z.number().min(0).optional(),
  /** What each retryUpload leads to; defaults to the first outcome again. */
  retryOutcome: uploadOutcome.optional(),
  retryErrorCode: z.string().min(1).optional(),
  retrySeconds: z.number().min(0).optional(),
});

const osStatus = z.enum(['supported', 'supportedWithWarning', 'unknown']);

export const reportedOsSchema = z.strictObject({
  operatingSystem: z.string().default('Windows 11 Enterprise'),
  osBuildNumber: z.string().default('22631'),
  osVersionNumber: z.string().default('10.0.22631.4317'),
  /** Omitted: `unknown` (what Graph says when it does not know). */
  osStatus: osStatus.optional(),
  /** `YYYY-MM-DD`; omitted: two years after the upload settles. */
  expirationDate: z.iso.date().optional(),
});
