// The ledger over Azure Tables (DESIGN §7): one row per registration (a source image at a version),
// ETag-guarded, and the problems. Rows of the previous release (one per source image) are carried over.
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { isLoopbackUrl } from '../config';
import type { LedgerEntry, LedgerRow } from '../domain';
import { parseVersion } from '../rules/naming';
import { LedgerConflictError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { classifyStorageError, storageStatus } from '../storage/classifyStorageError';
import type { StorageEndpoints } from '../storage/storageEndpoints';
import { inChunks } from '../inChunks';
import { mapConcurrently } from '../mapConcurrently';
import type { ImageState, Ledger, LedgerChange, NewLedgerEntry, RecordedProblem, RegistrationRef } from '../ports';
import { ensureTable, isTableNotFound } from './ensureTable';
import { IMAGE_STATE_FIELDS, toImageEntity, toImageState, toLedgerRow } from './ledgerEntity';
import { IMAGE_PARTITION, PROBLEM_PARTITION, PROBLEM_ROW_KEY_END, imageRowKey, legacyImageRowKey } from './ledgerKeys';
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
  return { queue: table.url, table: table.url, setting: 'AzureWebJobsStorage', isEmulator, signedWith: 'account-key' };
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

function sameVersion(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return (parseVersion(a) ?? a) === (parseVersion(b) ?? b);
}

function orderOf(row: LedgerRow): string {
  return `${row.sourceImageResourceId.toLowerCase()}|${row.version ?? ''}`;
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

  /**
   * A read that never creates the table (DESIGN §14: read-only commands run with read rights on the
   * table only): a table that does not exist yet reads as `empty`.
   */
  const reading = async <T>(what: string, empty: T, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (isTableNotFound(error)) return empty;
      throw classifyStorageError(error, what, endpoints, 'table');
    }
  };

  const memory = createRowMemory(REMEMBERED_ROWS);

  const read = async (rowKey: string): Promise<LedgerRow | null> => {
    try {
      return toLedgerRow(await table.getEntity<Record<string, unknown>>(IMAGE_PARTITION, rowKey));
    } catch (error) {
      if (storageStatus(error) === 404) return null;
      throw error;
    }
  };

  /**
   * Moves a row of the previous release to its registration's key: insert the copy (or find the copy
   * another instance made), then delete the original if it is still as read. Nothing is posted.
   */
  const carryOverRow = async (legacy: LedgerRow): Promise<LedgerRow> => {
    const { etag, legacy: _legacy, ...entry } = legacy;
    let moved: LedgerRow | null = null;
    try {
      const response = await table.createEntity(toImageEntity(entry));
      if (response.etag !== undefined) moved = writtenRow(entry, response.etag);
    } catch (error) {
      if (storageStatus(error) !== 409) throw error;
    }
    moved ??= await read(imageRowKey(entry.sourceImageResourceId, entry.version));
    try {
      await table.deleteEntity(IMAGE_PARTITION, legacyImageRowKey(entry.sourceImageResourceId), { etag });
    } catch (error) {
      const status = storageStatus(error);
      if (status !== 404 && status !== 412) throw error;
    }
    if (moved === null) throw new LedgerConflictError({ sourceImageResourceId: entry.sourceImageResourceId });
    log.info('LedgerRowCarriedOver', { sourceImageResourceId: entry.sourceImageResourceId, version: entry.version, state: entry.state });
    return memory.remember(moved);
  };

  const get = (ref: RegistrationRef): Promise<LedgerRow | null> =>
    reading('ledger read', null, async () => {
      const row = await read(imageRowKey(ref.sourceImageResourceId, ref.version));
      if (row !== null) return memory.remember(row);
      memory.forget(ref);
      // The previous release kept one row per source image: it is this registration's when the versions agree.
      const legacy = await read(legacyImageRowKey(ref.sourceImageResourceId));
      if (legacy === null || legacy.legacy !== true || !sameVersion(legacy.version, ref.version)) return null;
      return carryOverRow(legacy);
    });

  /** The new row, or null when one exists already. */
  const insertOne = async (entry: LedgerEntry): Promise<LedgerRow | null> => {
    try {
      const response = await table.createEntity(toImageEntity(entry));
      const etag = response.etag ?? (await get(entry))?.etag;
      if (etag === undefined) return null;
      log.debug('LedgerRowInserted', { sourceImageResourceId: entry.sourceImageResourceId, state: entry.state });
      return memory.remember(writtenRow(entry, etag));
    } catch (error) {
      if (storageStatus(error) !== 409) throw error;
      memory.forget(entry);
      return null;
    }
  };

  // One transaction fails whole when any of its rows exists already (another instance got there
  // first): its rows are then inserted one by one, so each gets its own answer.
  const insertChunk = async (entries: readonly LedgerEntry[]): Promise<(LedgerRow | null)[]> => {
    const entities = entries.map(toImageEntity);
    // A transaction may not touch one row twice.
    if (entities.length < 2 || new Set(entities.map((entity) => entity.rowKey)).size < entities.length)
      return mapConcurrently(entries, 1, insertOne);
    try {
      const response = await table.submitTransaction(entities.map((entity): TransactionAction => ['create', entity]));
      log.debug('LedgerRowsInserted', { rows: entities.length });
      return Promise.all(
        entries.map(async (entry, index) => {
          const etag = response.getResponseForEntity(entities[index]?.rowKey ?? '')?.etag ?? (await get(entry))?.etag;
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

    remembered: (ref) => memory.recall(ref),

    list: () =>
      reading('ledger list', [], async () => {
        const rows: LedgerRow[] = [];
        const entities = table.listEntities<Record<string, unknown>>({
          queryOptions: { filter: odata`PartitionKey eq ${IMAGE_PARTITION}` },
        });
        for await (const entity of entities) rows.push(toLedgerRow(entity));
        return rows.sort((a, b) => (orderOf(a) < orderOf(b) ? -1 : orderOf(a) > orderOf(b) ? 1 : 0));
      }),

    carryOver: (rows) =>
      guarded('ledger carry-over', async () => {
        const moved = new Map<LedgerRow, LedgerRow>();
        for (const row of rows) {
          if (row.legacy !== true) continue;
          try {
            moved.set(row, await carryOverRow(row));
          } catch (error) {
            // Another instance moved or changed it first: its copy is read on the next listing.
            if (!(error instanceof LedgerConflictError)) throw error;
          }
        }
        return moved.size === 0 ? [...rows] : rows.map((row) => moved.get(row) ?? row).filter((row) => row.legacy !== true);
      }),

    listStates: () =>
      reading('ledger list', [], async () => {
        const states: ImageState[] = [];
        const queryOptions = { filter: odata`PartitionKey eq ${IMAGE_PARTITION}`, select: [...IMAGE_STATE_FIELDS] };
        for await (const entity of table.listEntities<Record<string, unknown>>({ queryOptions })) states.push(toImageState(entity));
        return states;
      }),

    insert: (entry, now) =>
      guarded('ledger insert', async () => {
        const row = await insertOne(stamped(entry, now));
        if (row === null) throw new LedgerConflictError({ sourceImageResourceId: entry.sourceImageResourceId });
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
        const { etag: _etag, legacy: _legacy, ...current } = row;
        const next: LedgerEntry = {
          ...current,
          ...definedChange(change),
          sourceImageResourceId: row.sourceImageResourceId,
          version: row.version,
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
            memory.forget(row);
            throw new LedgerConflictError({ sourceImageResourceId: row.sourceImageResourceId });
          }
          throw error;
        }
      }),

    remove: (row) =>
      guarded('ledger delete', async () => {
        memory.forget(row);
        try {
          await table.deleteEntity(IMAGE_PARTITION, imageRowKey(row.sourceImageResourceId, row.version), { etag: row.etag });
          log.debug('LedgerRowRemoved', { sourceImageResourceId: row.sourceImageResourceId, version: row.version, state: row.state });
        } catch (error) {
          const status = storageStatus(error);
          if (status === 404) return;
          if (status === 412) throw new LedgerConflictError({ sourceImageResourceId: row.sourceImageResourceId });
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
      reading('ledger problem list', [], async () => {
        const problems: RecordedProblem[] = [];
        const filter = odata`PartitionKey eq ${PROBLEM_PARTITION} and RowKey lt ${PROBLEM_ROW_KEY_END}`;
        for await (const entity of table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
          problems.push(toRecordedProblem(entity));
        }
        return problems.sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || Date.parse(b.firstSeenAt) - Date.parse(a.firstSeenAt));
      }),
  };
}
