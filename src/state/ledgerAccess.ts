// What every part of the ledger shares: the table, the log, the rows this process remembers, and
// how a call's storage failure is classified (a write creates the table first; a read never does).
import type { TableClient } from '@azure/data-tables';
import { isLoopbackUrl } from '../config';
import type { LedgerEntry, LedgerRow } from '../domain';
import { LedgerConflictError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { classifyStorageError, storageStatus } from '../storage/classifyStorageError';
import type { StorageEndpoints } from '../storage/storageEndpoints';
import { ensureTable, isTableNotFound } from './ensureTable';
import { toImageEntity, toLedgerRow } from './ledgerEntity';
import { IMAGE_PARTITION } from './ledgerKeys';
import { createRowMemory, type RowMemory } from './rowMemory';

/** Rows remembered for `remembered()`: a few MB at most, more than a reconcile usually queues. */
const REMEMBERED_ROWS = 5_000;

export interface LedgerOptions {
  /** Names the endpoint and setting in storage errors; pass `StorageClients.endpoints`. */
  readonly endpoints?: StorageEndpoints;
  readonly log?: Logger;
}

export interface LedgerAccess {
  readonly table: TableClient;
  readonly log: Logger;
  readonly memory: RowMemory;
  /** A write: creates the table first; a storage failure is classified, a lost ETag race passes as it is. */
  readonly guarded: <T>(what: string, work: () => Promise<T>) => Promise<T>;
  /**
   * A read that never creates the table (DESIGN §14: read-only commands run with read rights on the
   * table only): a table that does not exist yet reads as `empty`.
   */
  readonly reading: <T>(what: string, empty: T, work: () => Promise<T>) => Promise<T>;
  /** The image row at this key, or null; unclassified failures (the caller is inside guarded or reading). */
  readonly read: (rowKey: string) => Promise<LedgerRow | null>;
}

function endpointsOf(table: TableClient): StorageEndpoints {
  let isEmulator = false;
  try {
    isEmulator = isLoopbackUrl(table.url);
  } catch {
    isEmulator = false;
  }
  return { queue: table.url, table: table.url, setting: 'AzureWebJobsStorage', isEmulator, signedWith: 'account-key' };
}

/** What a written entity reads back as (bounded text, nulls), with its new ETag. */
export function writtenRow(entry: LedgerEntry, etag: string): LedgerRow {
  return toLedgerRow({ ...toImageEntity(entry), etag });
}

export function createLedgerAccess(table: TableClient, options: LedgerOptions): LedgerAccess {
  const endpoints = options.endpoints ?? endpointsOf(table);
  return {
    table,
    log: options.log ?? silentLogger,
    memory: createRowMemory(REMEMBERED_ROWS),

    guarded: async (what, work) => {
      try {
        await ensureTable(table);
        return await work();
      } catch (error) {
        if (error instanceof LedgerConflictError) throw error;
        throw classifyStorageError(error, what, endpoints, 'table');
      }
    },

    reading: async (what, empty, work) => {
      try {
        return await work();
      } catch (error) {
        if (isTableNotFound(error)) return empty;
        throw classifyStorageError(error, what, endpoints, 'table');
      }
    },

    read: async (rowKey) => {
      try {
        return toLedgerRow(await table.getEntity<Record<string, unknown>>(IMAGE_PARTITION, rowKey));
      } catch (error) {
        if (storageStatus(error) === 404) return null;
        throw error;
      }
    },
  };
}
