// The ledger over Azure Tables (DESIGN §7): one row per source image, ETag-guarded, and the problems.
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { isLoopbackUrl } from '../config';
import type { LedgerEntry, LedgerRow } from '../domain';
import { LedgerConflictError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { classifyStorageError, storageStatus } from '../storage/classifyStorageError';
import type { StorageEndpoints } from '../storage/storageEndpoints';
import { inChunks } from '../inChunks';
import { mapConcurrently } from '../mapConcurrently';
import type { ImageState, Ledger, LedgerChange, NewLedgerEntry, RecordedProblem } from '../sync/ports';
import { ensureTable } from './ensureTable';
import { IMAGE_STATE_FIELDS, toImageEntity, toImageState, toLedgerRow } from './ledgerEntity';
import { IMAGE_PARTITION, PROBLEM_PARTITION, PROBLEM_ROW_KEY_END, imageRowKey } from './ledgerKeys';
import { toRecordedProblem } from './problemEntity';
import { createRowMemory } from './rowMemory';
import { recordProblem } from './recordProblem';

/** The most rows Azure Tables takes in one entity-group transaction. */
const TRANSACTION_ROWS = 100;
/** Transactions of one insertMany sent at once. */
const TRANSACTIONS_AT_ONCE = 4;
/** Single inserts at once, when a refused transaction's rows go one by one. */
const INSERTS_AT_ONCE = 8;
/** Rows remembered for `remembered()`: a few MB at most, more than a reconcile usually queues. */
const REMEMBERED_ROWS = 5_000;

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

function stamped(entry: NewLedgerEntry, now: Date): LedgerEntry {
  const stamp = now.toISOString();
  return { ...entry, createdAt: stamp, updatedAt: stamp };
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

  const memory = createRowMemory(REMEMBERED_ROWS);

  const get = (sourceImageResourceId: string): Promise<LedgerRow | null> =>
    guarded('ledger read', async () => {
      try {
        return memory.remember(toLedgerRow(await table.getEntity<Record<string, unknown>>(IMAGE_PARTITION, imageRowKey(sourceImageResourceId))));
      } catch (error) {
        if (storageStatus(error) === 404) {
          memory.forget(sourceImageResourceId);
          return null;
        }
        throw error;
      }
    });

  /** The new row, or null when one exists already. */
  const insertOne = async (entry: LedgerEntry): Promise<LedgerRow | null> => {
    try {
      const response = await table.createEntity(toImageEntity(entry));
      const etag = response.etag ?? (await get(entry.sourceImageResourceId))?.etag;
      if (etag === undefined) return null;
      log.debug('LedgerRowInserted', { sourceImageResourceId: entry.sourceImageResourceId, state: entry.state });
      return memory.remember(writtenRow(entry, etag));
    } catch (error) {
      if (storageStatus(error) !== 409) throw error;
      memory.forget(entry.sourceImageResourceId);
      return null;
    }
  };

  // One transaction fails whole when any of its rows exists already (another instance got there
  // first): its rows are then inserted one by one, so each gets its own answer.
  const insertChunk = async (entries: readonly LedgerEntry[]): Promise<(LedgerRow | null)[]> => {
    const entities = entries.map(toImageEntity);
    // A transaction may not touch one row twice.
    if (entities.length < 2 || new Set(entities.map((entity) => entity.rowKey)).size < entities.length) return mapConcurrently(entries, 1, insertOne);
    try {
      const response = await table.submitTransaction(entities.map((entity): TransactionAction => ['create', entity]));
      log.debug('LedgerRowsInserted', { rows: entities.length });
      return Promise.all(
        entries.map(async (entry, index) => {
          const etag = response.getResponseForEntity(entities[index]?.rowKey ?? '')?.etag ?? (await get(entry.sourceImageResourceId))?.etag;
          return etag === undefined ? null : memory.remember(writtenRow(entry, etag));
        }),
      );
    } catch (error) {
      if (storageStatus(error) !== 409) throw error;
      return mapConcurrently(entries, INSERTS_AT_ONCE, insertOne);
    }
  };

  return {
    get,

    remembered: (sourceImageResourceId) => memory.recall(sourceImageResourceId),

    list: () =>
      guarded('ledger list', async () => {
        const rows: LedgerRow[] = [];
        const entities = table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${IMAGE_PARTITION}` } });
        for await (const entity of entities) rows.push(toLedgerRow(entity));
        const key = (row: LedgerRow): string => row.sourceImageResourceId.toLowerCase();
        return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
      }),

    listStates: () =>
      guarded('ledger list', async () => {
        const states: ImageState[] = [];
        const queryOptions = { filter: odata`PartitionKey eq ${IMAGE_PARTITION}`, select: [...IMAGE_STATE_FIELDS] };
        for await (const entity of table.listEntities<Record<string, unknown>>({ queryOptions })) states.push(toImageState(entity));
        return states;
      }),

    insert: (entry, now) =>
      guarded('ledger insert', async () => {
        const row = await insertOne(stamped(entry, now));
        if (row === null) throw new LedgerConflictError(entry.sourceImageResourceId);
        return row;
      }),

    insertMany: (entries, now) =>
      guarded('ledger insert', async () => {
        const chunks = inChunks(
          entries.map((entry) => stamped(entry, now)),
          TRANSACTION_ROWS,
        );
        return (await mapConcurrently(chunks, TRANSACTIONS_AT_ONCE, insertChunk)).flat();
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
          return memory.remember(writtenRow(next, response.etag));
        } catch (error) {
          // 412: changed since it was read; 404: removed since it was read.
          const status = storageStatus(error);
          if (status === 412 || status === 404) {
            memory.forget(row.sourceImageResourceId);
            throw new LedgerConflictError(row.sourceImageResourceId);
          }
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
