// The two queue messages, exactly as shared/contract/messages.schema.json describes them. Fields the
// contract does not name are accepted and dropped: the schema allows them (no additionalProperties),
// so a newer sender may add an optional field without breaking this reader; a breaking change bumps `v`.
import { z } from 'zod';
import { isDateTimeText } from './dateTimeText';

/** The contract's pattern, verbatim: a managed-image id, literal segments in any casing. */
export const MESSAGE_SOURCE_IMAGE_ID = new RegExp(
  '^/[sS][uU][bB][sS][cC][rR][iI][pP][tT][iI][oO][nN][sS]/[0-9a-fA-F-]{36}/[rR][eE][sS][oO][uU][rR][cC][eE][gG][rR][oO][uU][pP][sS]/[-\\w._()]{1,90}/[pP][rR][oO][vV][iI][dD][eE][rR][sS]/[mM][iI][cC][rR][oO][sS][oO][fF][tT]\\.[cC][oO][mM][pP][uU][tT][eE]/[iI][mM][aA][gG][eE][sS]/[-\\w._]{1,80}$',
  'u',
);
const VERSION = /^\d+\.\d+\.\d+$/u;

/** A short, one-line rendering of a received value for an error message. */
export function previewValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

interface IssueInput {
  readonly input?: unknown;
}

const wrongType = (expected: string) => (issue: IssueInput) =>
  issue.input === undefined ? 'is missing' : `must be ${expected}, not ${previewValue(issue.input)}`;

const text = (expected = 'a string') => z.string({ error: wrongType(expected) });

const sourceImageResourceId = text().regex(MESSAGE_SOURCE_IMAGE_ID, {
  error: (issue) =>
    `is not a managed-image id (/subscriptions/{guid}/resourceGroups/{group}/providers/Microsoft.Compute/images/{name}): ${previewValue(issue.input)}`,
});

const dateTime = text('a date-time string').refine(isDateTimeText, {
  error: (issue) => `must be an RFC 3339 date-time with a time zone, e.g. 2024-05-01T12:00:00Z, not ${previewValue(issue.input)}`,
});

const count = z
  .int({ error: wrongType('a whole number') })
  .min(0, { error: (issue) => `must be 0 or more, not ${previewValue(issue.input)}` });

const messageVersion = z.literal(1, {
  error: (issue) => (issue.input === undefined ? 'is missing' : `must be 1, the only message version this app reads, not ${previewValue(issue.input)}`),
});

export const registerJobSchema = z.object(
  {
    v: messageVersion,
    sourceImageResourceId,
    displayName: text().min(1, { error: 'must not be empty' }),
    version: text().regex(VERSION, { error: (issue) => `must be MAJOR.MINOR.PATCH in digits, e.g. 1.2.0, not ${previewValue(issue.input)}` }),
    operatingSystem: text().optional(),
    osBuildNumber: text().optional(),
    trigger: z.enum(['reconcile', 'event', 'manual'], {
      error: (issue) => (issue.input === undefined ? 'is missing' : `must be reconcile, event or manual, not ${previewValue(issue.input)}`),
    }),
    enqueuedAt: dateTime,
  },
  { error: (issue) => `must be a JSON object, not ${previewValue(issue.input)}` },
);

export const statusCheckSchema = z.object(
  {
    v: messageVersion,
    sourceImageResourceId,
    deviceImageId: text().min(1, { error: 'must not be empty' }),
    check: count,
    since: dateTime,
    retryUploads: count,
  },
  { error: (issue) => `must be a JSON object, not ${previewValue(issue.input)}` },
);
