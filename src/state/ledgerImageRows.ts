// The ledger's image rows (DESIGN §7): one per registration (a source image at a version), read,
// listed, inserted (in entity-group transactions where it can) and changed only ETag-guarded.
import { odata, type TransactionAction } from '@azure/data-tables';
import type { LedgerEntry, LedgerRow } from '../domain';
import { LedgerConflictError } from '../errors';
import { inChunks } from '../inChunks';
import { mapConcurrently } from '../mapConcurrently';
import type { ImageState, Ledger, LedgerChange, NewLedgerEntry, RegistrationRef } from '../ports';
import { storageStatus } from '../storage/classifyStorageError';
import { writtenRow, type LedgerAccess } from './ledgerAccess';
import type { LedgerCarryOver } from './ledgerCarryOver';
import { IMAGE_STATE_FIELDS, toImageEntity, toImageState, toLedgerRow } from './ledgerEntity';
import { IMAGE_PARTITION, imageRowKey } from './ledgerKeys';

/** The most rows Azure Tables takes in one entity-group transaction. */
const TRANSACTION_ROWS = 100;
/** Transactions of one insertMany sent at once. */
const TRANSACTIONS_AT_ONCE = 4;
/** Single inserts at once, when a refused transaction's rows go one by one. */
const INSERTS_AT_ONCE = 8;

export type LedgerImageRows = Omit<Ledger, 'carryOver' | 'recordProblem' | 'clearProblems' | 'listProblems'>;

/** The change's fields that are set: an absent or undefined field keeps the row's value. */
function definedChange(change: LedgerChange): LedgerChange {
  return Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined));
}

function stamped(entry: NewLedgerEntry, now: Date): LedgerEntry {
  const stamp = now.toISOString();
  return { ...entry, createdAt: stamp, updatedAt: stamp };
}

function orderOf(row: LedgerRow): string {
  return `${row.sourceImageResourceId.toLowerCase()}|${row.version ?? ''}`;
}

export function createLedgerImageRows(access: LedgerAccess, carryOver: LedgerCarryOver): LedgerImageRows {
  const { table, log, memory, guarded, reading, read } = access;

  const get = (ref: RegistrationRef): Promise<LedgerRow | null> =>
    reading('ledger read', null, async () => {
      const row = await read(imageRowKey(ref.sourceImageResourceId, ref.version));
      if (row !== null) return memory.remember(row);
      memory.forget(ref);
      return carryOver.carryOverFor(ref);
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
  };
}
