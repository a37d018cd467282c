// The two queue messages, as contract/messages.schema.json describes them. Fields the
// contract does not name are accepted and dropped: the schema allows them (no additionalProperties),
// so a newer sender may add an optional field without breaking this reader; a breaking change bumps `v`.
// Two ids are read more strictly than the contract, because they end up in URLs: a managed-image name
// or resource group may not end with a period, and a device image id is letters, digits and hyphens.
import { z } from 'zod';
import { MANAGED_IMAGE_ID } from './managedImageId';
import { GALLERY_VERSION_ID } from './galleryVersionId';
import { DEVICE_IMAGE_ID } from './deviceImageId';
import { isDateTimeText } from './dateTimeText';

const VERSION = /^\d+\.\d+\.\d+$/u;

/** A short, one-line rendering of a received value for an error message. */
export function previewValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  // What is left is a primitive (a string, number, boolean, bigint or symbol) or null.
  const text = typeof value === 'bigint' || typeof value === 'symbol' ? value.toString() : (JSON.stringify(value) ?? 'nothing');
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

interface IssueInput {
  readonly input?: unknown;
}

const wrongType = (expected: string) => (issue: IssueInput) =>
  issue.input === undefined ? 'is missing' : `must be ${expected}, not ${previewValue(issue.input)}`;

const text = (expected = 'a string') => z.string({ error: wrongType(expected) });

// The contract's managed-image pattern (one definition, src/parse/managedImageId.ts), stricter only on
// names ending with a period, which no Azure image has.
// A managed image, or (DESIGN §17) a gallery image version.
const sourceImageResourceId = text().refine((id) => MANAGED_IMAGE_ID.test(id) || GALLERY_VERSION_ID.test(id), {
  error: (issue) =>
    `is not a managed-image id (/subscriptions/{guid}/resourceGroups/{group}/providers/Microsoft.Compute/images/{name}) nor a gallery image version id (…/galleries/{gallery}/images/{definition}/versions/{version}): ${previewValue(issue.input)}`,
});

const dateTime = text('a date-time string').refine(isDateTimeText, {
  error: (issue) => `must be an RFC 3339 date-time with a time zone, e.g. 2024-05-01T12:00:00Z, not ${previewValue(issue.input)}`,
});

const count = z
  .int({ error: wrongType('a whole number') })
  .min(0, { error: (issue) => `must be 0 or more, not ${previewValue(issue.input)}` });

const messageVersion = z.literal(1, {
  error: (issue) =>
    issue.input === undefined ? 'is missing' : `must be 1, the only message version this app reads, not ${previewValue(issue.input)}`,
});

// Added by this app to a job it sends again after a transient failure (see TransientRetry).
const transientRetry = z
  .object(
    { attempt: count, since: dateTime, lastError: text() },
    { error: (issue) => `must be an object { attempt, since, lastError }, not ${previewValue(issue.input)}` },
  )
  .optional();

export const registerJobSchema = z.object(
  {
    v: messageVersion,
    sourceImageResourceId,
    displayName: text().min(1, { error: 'must not be empty' }),
    version: text().regex(VERSION, {
      error: (issue) => `must be MAJOR.MINOR.PATCH in digits, e.g. 1.2.0, not ${previewValue(issue.input)}`,
    }),
    operatingSystem: text().optional(),
    osBuildNumber: text().optional(),
    trigger: z.enum(['reconcile', 'event', 'manual'], {
      error: (issue) => (issue.input === undefined ? 'is missing' : `must be reconcile, event or manual, not ${previewValue(issue.input)}`),
    }),
    enqueuedAt: dateTime,
    retry: transientRetry,
    // The source's content fingerprint the job was planned from (DESIGN §15): the handler posts only if the source still holds it.
    fingerprint: text().optional(),
    // Added by `image-sync register`, whose caller may hold only enqueue rights: the function app plans it first.
    requested: z.literal(true, { error: (issue) => `must be true or absent, not ${previewValue(issue.input)}` }).optional(),
    // Whether `image-sync register` was given --version (DESIGN §15): only then does the job's version stand for the tags.
    versionFromCaller: z.boolean({ error: (issue) => `must be true, false or absent, not ${previewValue(issue.input)}` }).optional(),
    // The contract's source kind (DESIGN §17); the id says it too (sourceKindOf).
    sourceKind: z
      .enum(['managedImage', 'galleryImageVersion'], {
        error: (issue) => `must be managedImage, galleryImageVersion or absent, not ${previewValue(issue.input)}`,
      })
      .optional(),
  },
  { error: (issue) => `must be a JSON object, not ${previewValue(issue.input)}` },
);

export const statusCheckSchema = z.object(
  {
    v: messageVersion,
    sourceImageResourceId,
    // Stricter than the contract (a non-empty string): the id goes into a Graph URL path.
    deviceImageId: text()
      .min(1, { error: 'must not be empty', abort: true })
      .regex(DEVICE_IMAGE_ID, { error: (issue) => `is not a device image id (letters, digits and hyphens): ${previewValue(issue.input)}` }),
    check: count,
    since: dateTime,
    retryUploads: count,
    // Not in the contract's required fields (the schema allows added ones): the registration's
    // version, so the poller finds its row. A check queued by the previous release has none.
    version: text()
      .regex(VERSION, { error: (issue) => `must be MAJOR.MINOR.PATCH in digits, e.g. 1.2.0, not ${previewValue(issue.input)}` })
      .optional(),
    retry: transientRetry,
  },
  { error: (issue) => `must be a JSON object, not ${previewValue(issue.input)}` },
);
