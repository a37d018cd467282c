// The Graph throttle every instance shares (DESIGN §8): one row of the ledger's table, partition
// `tenant`, key `graph-throttle`, whose `until` (an ISO time) is when the latest Retry-After any
// instance was given has passed. Writers merge with what they read, ETag-guarded, so `until` only
// ever moves forward.
import type { TableClient } from '@azure/data-tables';
import { TransientError } from '../errors';
import type { SharedHold } from '../graph/retryAfterGate';
import { storageStatus } from '../storage/classifyStorageError';
import { TENANT_PARTITION } from './ledgerKeys';

export const GRAPH_THROTTLE_ROW_KEY = 'graph-throttle';

/**
 * A shared hold ending further ahead than this is not honoured, and is overwritten by the next
 * hold: a row damaged by hand, or written by an instance whose clock is far off, must not stop
 * every instance for good (which `until` never moving backwards would otherwise mean).
 */
export const MAX_SHARED_HOLD_MS = 10 * 60_000;
const WRITE_TRIES = 5;

export interface ThrottleRow {
  /** When the hold ends, ms since the epoch; 0 when there is none worth honouring. */
  readonly untilMs: number;
  /** null: no row yet. */
  readonly etag: string | null;
}

/** The hold a row's `until` stands for at `nowMs`: 0 when absent, unreadable or implausibly far ahead. */
export function throttleUntil(until: unknown, nowMs: number): number {
  const text = until instanceof Date ? until.toISOString() : until;
  if (typeof text !== 'string') return 0;
  const untilMs = Date.parse(text);
  if (Number.isNaN(untilMs) || untilMs - nowMs > MAX_SHARED_HOLD_MS) return 0;
  return untilMs;
}

/** The merge rule: the row is written only to make it hold longer; null when it holds long enough. */
export function extendedUntil(row: ThrottleRow, wantedMs: number): number | null {
  return wantedMs > row.untilMs ? wantedMs : null;
}

export function throttleEntity(untilMs: number): { partitionKey: string; rowKey: string; until: string } {
  return { partitionKey: TENANT_PARTITION, rowKey: GRAPH_THROTTLE_ROW_KEY, until: new Date(untilMs).toISOString() };
}

export function createSharedThrottle(table: TableClient, now: () => number = Date.now): SharedHold {
  /** The row as last read or written here: a write starts from it, so one round trip is enough when no other instance wrote since. */
  let last: ThrottleRow | null = null;

  const readRow = async (signal: AbortSignal): Promise<ThrottleRow> => {
    try {
      const entity = await table.getEntity<Record<string, unknown>>(TENANT_PARTITION, GRAPH_THROTTLE_ROW_KEY, { abortSignal: signal });
      last = { untilMs: throttleUntil(entity['until'], now()), etag: entity.etag };
    } catch (error) {
      // No row, or no table yet: nothing is held.
      if (storageStatus(error) !== 404) throw error;
      last = { untilMs: 0, etag: null };
    }
    return last;
  };

  return {
    read: async (signal) => (await readRow(signal)).untilMs,

    async extend(untilMs, signal) {
      let row = last ?? (await readRow(signal));
      for (let attempt = 0; attempt < WRITE_TRIES; attempt++) {
        // `until` never moves backwards, so a row seen holding long enough still does.
        const until = extendedUntil(row, untilMs);
        if (until === null) return row.untilMs;
        try {
          const written =
            row.etag === null
              ? await table.createEntity(throttleEntity(until), { abortSignal: signal })
              : await table.updateEntity(throttleEntity(until), 'Merge', { etag: row.etag, abortSignal: signal });
          last = { untilMs: until, etag: written.etag ?? null };
          return until;
        } catch (error) {
          const status = storageStatus(error);
          // The ledger's table is there but for a brand-new deployment (createTable is idempotent).
          if (status === 404 && row.etag === null) await table.createTable({ abortSignal: signal });
          // Otherwise another instance wrote (or removed) the row since it was seen here: merge with what it holds now.
          else if (status !== 409 && status !== 412 && status !== 404) throw error;
        }
        row = await readRow(signal);
      }
      throw new TransientError({ message: 'the shared Graph throttle row kept changing under concurrent writers' });
    },
  };
}
