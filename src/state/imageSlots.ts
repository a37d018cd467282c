// The tenant's custom-image slots (DESIGN §13), kept in one ETag-guarded row of the ledger's table so
// that planners in every instance count the creates in flight together. A slot is reserved before a
// register job is queued; the tenant's images (from the planner's Graph listing) and the open
// reservations together are what is in use, counted once per registration key.
//
// A reservation ends when its registration ends without a device image (released), once its image
// has been in the tenant's listing for a while (Graph counts it then; the wait covers planners whose
// listing was taken before the create), or after a day and a half in any case.
//
// The row holds the reservations as JSON keyed by a hash of each registration key (bounded length),
// split over properties of at most 32,000 characters (a string property holds 64 KiB): a few
// thousand reservations fit, far more than a tenant's 20 images need.
import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';
import { TransientError } from '../errors';
import type { ImageSlots } from '../ports';
import { occupancyOf } from '../rules/occupancy';
import { slotName } from '../rules/slotName';
import { RESERVATION_SETTLE_MS, RESERVATION_TTL_MS, isOverdue } from '../rules/times';
import { classifyStorageError, storageStatus } from '../storage/classifyStorageError';
import type { StorageEndpoints } from '../storage/storageEndpoints';
import { ensureTable } from './ensureTable';
import { IMAGE_SLOTS_ROW_KEY, TENANT_PARTITION } from './ledgerKeys';

const WRITE_TRIES = 8;
const CHUNK_CHARACTERS = 32_000;
/** The most properties the row is split over: 15 × 64 KiB stays under an entity's 1 MiB. */
const MAX_CHUNKS = 15;

const reservationsSchema = z.record(z.string(), z.string());
type Reservations = Record<string, string>;

interface SlotsRow {
  readonly reservations: Reservations;
  /** null: no row yet. */
  readonly etag: string | null;
}

function joinedChunks(entity: Record<string, unknown>): string | null {
  const parts: string[] = [];
  for (let index = 0; index < MAX_CHUNKS; index++) {
    const part = entity[`reservations${index}`];
    if (typeof part !== 'string') break;
    parts.push(part);
  }
  return parts.length === 0 ? null : parts.join('');
}

function parseReservations(text: string | null): Reservations {
  if (text === null) return {};
  try {
    const parsed = reservationsSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    // An unreadable row counts as empty: the tenant's listing still bounds what is posted, and Graph refuses past its limit.
    return {};
  }
}

/** The reservations still open at `now`, given which keys the tenant's listing shows. */
export function openReservations(reservations: Reservations, inTenant: ReadonlySet<string>, now: Date): Reservations {
  const open: Reservations = {};
  for (const [key, reservedAt] of Object.entries(reservations)) {
    if (isOverdue(reservedAt, now, RESERVATION_TTL_MS)) continue;
    if (inTenant.has(key) && isOverdue(reservedAt, now, RESERVATION_SETTLE_MS)) continue;
    open[key] = reservedAt;
  }
  return open;
}

/**
 * Pure: which wanted keys get a slot, and the reservations after granting them. `imagesInTenant`:
 * how many device images the listing holds (each counts, even two of one registration key).
 */
export function grantSlots(
  reservations: Reservations,
  wanted: readonly string[],
  inTenant: ReadonlySet<string>,
  limit: number,
  now: Date,
  imagesInTenant: number = inTenant.size,
): { readonly granted: Set<string>; readonly reservations: Reservations } {
  const next = openReservations(reservations, inTenant, now);
  const occupancy = occupancyOf(imagesInTenant, inTenant, Object.keys(next));
  const granted = new Set<string>();
  for (const key of wanted) {
    if (occupancy.holds(key)) {
      granted.add(key);
      continue;
    }
    if (occupancy.inUse >= limit) continue;
    next[key] = now.toISOString();
    occupancy.take(key);
    granted.add(key);
  }
  return { granted, reservations: next };
}

function sameReservations(a: Reservations, b: Reservations): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

export function createImageSlots(table: TableClient, endpoints: StorageEndpoints): ImageSlots {
  const guarded = async <T>(what: string, work: () => Promise<T>, create: boolean): Promise<T> => {
    try {
      if (create) await ensureTable(table);
      return await work();
    } catch (error) {
      if (error instanceof TransientError) throw error;
      throw classifyStorageError(error, what, endpoints, 'table');
    }
  };

  const readRow = async (): Promise<SlotsRow> => {
    try {
      const entity = await table.getEntity<Record<string, unknown>>(TENANT_PARTITION, IMAGE_SLOTS_ROW_KEY);
      return { reservations: parseReservations(joinedChunks(entity)), etag: entity.etag };
    } catch (error) {
      if (storageStatus(error) === 404) return { reservations: {}, etag: null };
      throw error;
    }
  };

  /** Writes the row if it is still as read; false when another instance wrote it first. */
  const writeRow = async (row: SlotsRow, reservations: Reservations): Promise<boolean> => {
    const text = JSON.stringify(reservations);
    const chunks: Record<string, string> = {};
    for (let index = 0; index * CHUNK_CHARACTERS < text.length; index++) {
      if (index >= MAX_CHUNKS)
        throw new TransientError({
          message: `the tenant image slots hold more reservations than one table row can (${Object.keys(reservations).length}); lower IMAGE_SYNC_TENANT_IMAGE_LIMIT`,
        });
      chunks[`reservations${index}`] = text.slice(index * CHUNK_CHARACTERS, (index + 1) * CHUNK_CHARACTERS);
    }
    const entity = { partitionKey: TENANT_PARTITION, rowKey: IMAGE_SLOTS_ROW_KEY, ...chunks };
    try {
      if (row.etag === null) await table.createEntity(entity);
      else await table.updateEntity(entity, 'Replace', { etag: row.etag });
      return true;
    } catch (error) {
      const status = storageStatus(error);
      if (status === 409 || status === 412 || status === 404) return false;
      throw error;
    }
  };

  const change = async <T>(decide: (row: SlotsRow) => { readonly result: T; readonly reservations: Reservations }): Promise<T> => {
    for (let attempt = 0; attempt < WRITE_TRIES; attempt++) {
      const row = await readRow();
      const { result, reservations } = decide(row);
      if (sameReservations(row.reservations, reservations) || (await writeRow(row, reservations))) return result;
    }
    throw new TransientError({ message: 'the tenant image slots kept changing under concurrent writers; try again' });
  };

  return {
    reserve: (wanted, inTenant, limit, now, imagesInTenant) =>
      guarded(
        'image slot reservation',
        () =>
          change((row) => {
            const { granted, reservations } = grantSlots(
              row.reservations,
              wanted.map(slotName),
              new Set([...inTenant].map(slotName)),
              limit,
              now,
              imagesInTenant,
            );
            return { result: new Set(wanted.filter((key) => granted.has(slotName(key)))), reservations };
          }),
        true,
      ),

    release: (key) =>
      guarded(
        'image slot release',
        () =>
          change((row) => {
            const { [slotName(key)]: _released, ...rest } = row.reservations;
            return { result: undefined, reservations: rest };
          }),
        true,
      ),

    // Read-only (plan, status): never creates the table; a missing table or row holds no reservation.
    reserved: (now) =>
      guarded('image slot read', async () => new Set(Object.keys(openReservations((await readRow()).reservations, new Set(), now))), false),
  };
}
