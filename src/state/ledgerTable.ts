// The ledger over Azure Tables (DESIGN §7): one row per source image, ETag-guarded, and the problems.
import { odata, type TableClient } from '@azure/data-tables';
import { isLoopbackUrl } from '../config';
import type { LedgerEntry, LedgerRow } from '../domain';
import { LedgerConflictError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { classifyStorageError, storageStatus } from '../storage/classifyStorageError';
import type { StorageEndpoints } from '../storage/storageEndpoints';
import type { Ledger, LedgerChange, RecordedProblem } from '../sync/ports';
import { ensureTable } from './ensureTable';
import { toImageEntity, toLedgerRow } from './ledgerEntity';
import { IMAGE_PARTITION, PROBLEM_PARTITION, PROBLEM_ROW_KEY_END, imageRowKey } from './ledgerKeys';
import { toRecordedProblem } from './problemEntity';
import { recordProblem } from './recordProblem';

export interface LedgerOptions {
  /** Names the endpoint and setting in storage errors; pass `StorageClients.endpoints`. */
  readonly endpoints?: StorageEndpoints;
  readonly log?: Logger;
}

function endpointsOf(table: TableClient): StorageEndpoints {
  let isEmulator = false;
  try {
    isEmulator = isLoopbackUrl(table.url);
  } catch {
    isEmulator = false;
  }
  return { queue: table.url, table: table.url, setting: 'AzureWebJobsStorage', isEmulator };
}

/** The change's fields that are set: an absent or undefined field keeps the row's value. */
function definedChange(change: LedgerChange): LedgerChange {
  return Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined));
}

/** What a written entity reads back as (bounded text, nulls), with its new ETag. */
function writtenRow(entry: LedgerEntry, etag: string): LedgerRow {
  return toLedgerRow({ ...toImageEntity(entry), etag });
}

export function createLedger(table: TableClient, options: LedgerOptions = {}): Ledger {
  const endpoints = options.endpoints ?? endpointsOf(table);
  const log = options.log ?? silentLogger;

  const guarded = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      await ensureTable(table);
      return await work();
    } catch (error) {
      if (error instanceof LedgerConflictError) throw error;
      throw classifyStorageError(error, what, endpoints, 'table');
    }
  };

  const get = (sourceImageResourceId: string): Promise<LedgerRow | null> =>
    guarded('ledger read', async () => {
      try {
        return toLedgerRow(await table.getEntity<Record<string, unknown>>(IMAGE_PARTITION, imageRowKey(sourceImageResourceId)));
      } catch (error) {
        if (storageStatus(error) === 404) return null;
        throw error;
      }
    });

  return {
    get,

    list: () =>
      guarded('ledger list', async () => {
        const rows: LedgerRow[] = [];
        const entities = table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${IMAGE_PARTITION}` } });
        for await (const entity of entities) rows.push(toLedgerRow(entity));
        const key = (row: LedgerRow): string => row.sourceImageResourceId.toLowerCase();
        return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
      }),

    insert: (entry, now) =>
      guarded('ledger insert', async () => {
        const stamp = now.toISOString();
        const full: LedgerEntry = { ...entry, createdAt: stamp, updatedAt: stamp };
        try {
          const response = await table.createEntity(toImageEntity(full));
          const etag = response.etag ?? (await get(entry.sourceImageResourceId))?.etag;
          if (etag === undefined) throw new LedgerConflictError(entry.sourceImageResourceId);
          log.debug('LedgerRowInserted', { sourceImageResourceId: entry.sourceImageResourceId, state: entry.state });
          return writtenRow(full, etag);
        } catch (error) {
          if (storageStatus(error) === 409) throw new LedgerConflictError(entry.sourceImageResourceId);
          throw error;
        }
      }),

    update: (row, change, now) =>
      guarded('ledger update', async () => {
        const { etag: _etag, ...current } = row;
        const next: LedgerEntry = {
          ...current,
          ...definedChange(change),
          sourceImageResourceId: row.sourceImageResourceId,
          createdAt: row.createdAt,
          updatedAt: now.toISOString(),
        };
        try {
          const response = await table.updateEntity(toImageEntity(next), 'Replace', { etag: row.etag });
          if (response.etag === undefined) throw new Error('storage returned no ETag for a ledger update');
          log.debug('LedgerRowUpdated', { sourceImageResourceId: row.sourceImageResourceId, from: row.state, to: next.state });
          return writtenRow(next, response.etag);
        } catch (error) {
          // 412: changed since it was read; 404: removed since it was read.
          const status = storageStatus(error);
          if (status === 412 || status === 404) throw new LedgerConflictError(row.sourceImageResourceId);
          throw error;
        }
      }),

    recordProblem: (problem) => guarded('ledger problem record', () => recordProblem(table, problem)),

    clearProblems: () =>
      guarded('ledger problem clear', async () => {
        let cleared = 0;
        // Problem rows and their open-problem markers share the partition: both go.
        const filter = odata`PartitionKey eq ${PROBLEM_PARTITION}`;
        for await (const entity of table.listEntities<Record<string, unknown>>({ queryOptions: { filter, select: ['RowKey'] } })) {
          if (typeof entity.rowKey !== 'string') continue;
          try {
            await table.deleteEntity(PROBLEM_PARTITION, entity.rowKey);
          } catch (error) {
            if (storageStatus(error) !== 404) throw error;
          }
          if (entity.rowKey < PROBLEM_ROW_KEY_END) cleared += 1;
        }
        log.info('LedgerProblemsCleared', { cleared });
        return cleared;
      }),

    listProblems: () =>
      guarded('ledger problem list', async () => {
        const problems: RecordedProblem[] = [];
        const filter = odata`PartitionKey eq ${PROBLEM_PARTITION} and RowKey lt ${PROBLEM_ROW_KEY_END}`;
        for await (const entity of table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
          problems.push(toRecordedProblem(entity));
        }
        return problems.sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || Date.parse(b.firstSeenAt) - Date.parse(a.firstSeenAt));
      }),
  };
}
