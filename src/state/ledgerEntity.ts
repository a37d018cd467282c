// LedgerEntry ↔ table entity. Azure Tables stores no nulls, so null is an absent property; numbers
// are whole Int32 counts; times are the ISO strings the app wrote (Edm.DateTime would re-format them).
import type { TableEntity, TableEntityResult } from '@azure/data-tables';
import { z } from 'zod';
import { PermanentError } from '../errors';
import { DEVICE_IMAGE_ORIGINS, type LedgerEntry, type LedgerRow, type LedgerState, ROLLOUT_OUTCOMES, WARNING_CODES } from '../domain';
import type { ImageState } from '../ports';
import { IMAGE_PARTITION, imageRowKey } from './ledgerKeys';

const LEDGER_STATES = ['queued', 'creating', 'pending', 'ready', 'failed', 'skipped', 'retired'] as const satisfies readonly LedgerState[];
const ENTRY_FIELDS = [
  'sourceImageResourceId',
  'displayName',
  'version',
  'state',
  'deviceImageId',
  'errorCode',
  'reason',
  'fix',
  'attempts',
  'origin',
  'retiringAt',
  'retryUploads',
  'statusChecks',
  'pendingSince',
  'nextCheckAt',
  'createdAt',
  'updatedAt',
  'alertedAt',
  'contentFingerprint',
  'uploadStatus',
  'osStatus',
  'expirationDate',
  'sourceWarnings',
  'alertedWarnings',
  'policies',
  'rolloutPolicies',
  'rollouts',
  'imageCreatedAt',
  'readyAt',
  'osVersionNumber',
  'operatingSystem',
  'latestBuild',
  'patchLag',
  'currencyWarnings',
  'alertedCurrency',
  'copyId',
] as const satisfies readonly (keyof LedgerEntry)[];
/** Lists are stored as JSON text (a table property is a scalar); an empty list is left out like a null. */
const LIST_FIELDS = new Set<string>([
  'sourceWarnings',
  'alertedWarnings',
  'policies',
  'rolloutPolicies',
  'rollouts',
  'currencyWarnings',
  'alertedCurrency',
]);
// Compile-time guards: a new state or a new LedgerEntry field must be stored and read here too.
const everyState: Exclude<LedgerState, (typeof LEDGER_STATES)[number]> extends never ? true : never = true;
const everyField: Exclude<keyof LedgerEntry, (typeof ENTRY_FIELDS)[number]> extends never ? true : never = true;
void everyState;
void everyField;
// A property holds at most 64 KiB; a longer explanation is cut, well before that.
export const MAX_TEXT_LENGTH = 4_000;

export function boundedText(text: string): string {
  return text.length > MAX_TEXT_LENGTH ? `${text.slice(0, MAX_TEXT_LENGTH - 3)}...` : text;
}

/** A text property that Azure Tables leaves out when it is null: absent reads as null. */
export const optionalText = z
  .string()
  .nullish()
  .transform((value) => value ?? null);
const count = z.number().int().min(0);

/** A list stored as JSON text; absent (rows of the previous release, or empty) reads as []. */
function jsonList<T extends z.ZodType>(item: T) {
  return z
    .string()
    .nullish()
    .transform((text, context): z.output<T>[] => {
      if (text === null || text === undefined || text === '') return [];
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        context.addIssue({ code: 'custom', message: 'is not JSON' });
        return z.NEVER;
      }
      const parsed = z.array(item).safeParse(value);
      if (!parsed.success) {
        context.addIssue({ code: 'custom', message: 'is not a list of the expected items' });
        return z.NEVER;
      }
      return parsed.data;
    });
}
const warningCode = z.enum(WARNING_CODES);

const imageEntitySchema = z.object({
  etag: z.string().min(1),
  sourceImageResourceId: z.string().min(1),
  displayName: optionalText,
  version: optionalText,
  state: z.enum(LEDGER_STATES),
  deviceImageId: optionalText,
  errorCode: optionalText,
  reason: optionalText,
  fix: optionalText,
  attempts: count,
  // Absent on rows of earlier releases: unknown, never deleted by retention.
  origin: z
    .enum(DEVICE_IMAGE_ORIGINS)
    .nullish()
    .transform((value) => value ?? null),
  retiringAt: optionalText,
  retryUploads: count,
  statusChecks: count,
  pendingSince: optionalText,
  nextCheckAt: optionalText,
  createdAt: z.string().min(1),
  updatedAt: z.string().min(1),
  alertedAt: optionalText,
  contentFingerprint: optionalText,
  uploadStatus: optionalText,
  osStatus: optionalText,
  expirationDate: optionalText,
  sourceWarnings: jsonList(z.object({ code: warningCode, text: z.string() })),
  alertedWarnings: jsonList(warningCode),
  policies: jsonList(z.string()),
  rolloutPolicies: jsonList(z.string()),
  rollouts: jsonList(z.object({ target: z.string(), policyId: z.string().nullable(), outcome: z.enum(ROLLOUT_OUTCOMES), at: z.string() })),
  // Added by image currency and `report` (DESIGN §16); absent on rows of earlier releases.
  imageCreatedAt: optionalText,
  readyAt: optionalText,
  osVersionNumber: optionalText,
  operatingSystem: optionalText,
  latestBuild: optionalText,
  patchLag: count.nullish().transform((value) => value ?? null),
  currencyWarnings: jsonList(z.object({ code: warningCode, text: z.string() })),
  alertedCurrency: jsonList(z.string()),
  // IMAGE_SYNC_GALLERY_SOURCES=copy (DESIGN §17): the copy posted for a gallery version.
  copyId: optionalText,
});

/** What `Ledger.listStates` selects, and the schema it reads them with. */
export const IMAGE_STATE_FIELDS = ['sourceImageResourceId', 'state'] as const satisfies readonly (keyof ImageState)[];
const imageStateSchema = imageEntitySchema.pick({ sourceImageResourceId: true, state: true });

type ImageProperties = Record<string, string | number>;

/** The entity written for an entry: its known fields only (never an ETag or a stray property), nulls left out. */
export function toImageEntity(entry: LedgerEntry): TableEntity<ImageProperties> {
  const properties: ImageProperties = {};
  for (const name of ENTRY_FIELDS) {
    const value = entry[name];
    if (value === null || value === undefined) continue;
    if (Array.isArray(value)) {
      if (value.length > 0 && LIST_FIELDS.has(name)) properties[name] = JSON.stringify(value);
      continue;
    }
    if (typeof value === 'object') continue;
    properties[name] = typeof value === 'string' && (name === 'reason' || name === 'fix') ? boundedText(value) : value;
  }
  return { partitionKey: IMAGE_PARTITION, rowKey: imageRowKey(entry.sourceImageResourceId, entry.version), ...properties };
}

function parseImageEntity<T>(schema: z.ZodType<T>, entity: TableEntityResult<Record<string, unknown>>): T {
  const parsed = schema.safeParse(entity);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue === undefined ? '' : `${issue.path.map(String).join('.')}: `;
    throw new PermanentError({
      message: `ledger row image/${entity.rowKey ?? '?'} is unreadable (${field}${issue?.message ?? 'unknown shape'})`,
      status: null,
      code: 'LedgerRowUnreadable',
    });
  }
  return parsed.data;
}

/**
 * A stored entity as a LedgerRow; throws when the row is not one this app wrote. A row stored under
 * another key than its registration's (the previous release's one row per source) is marked `legacy`.
 */
export function toLedgerRow(entity: TableEntityResult<Record<string, unknown>>): LedgerRow {
  const row = parseImageEntity(imageEntitySchema, entity);
  return entity.rowKey === undefined || entity.rowKey === imageRowKey(row.sourceImageResourceId, row.version)
    ? row
    : { ...row, legacy: true };
}

/** The id and state of a stored entity read with `$select` of {@link IMAGE_STATE_FIELDS}. */
export function toImageState(entity: TableEntityResult<Record<string, unknown>>): ImageState {
  return parseImageEntity(imageStateSchema, entity);
}
