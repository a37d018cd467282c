// The ledger table is created on first use, once per process and table.
import { type TableClient, type TableEntity, odata } from '@azure/data-tables';
import { LedgerConflictError, errorMessage } from '../errors';
import { storageErrorCode, storageStatus } from '../storage/classifyStorageError';

const ensured = new Map<string, Promise<void>>();

function tableKey(table: TableClient): string {
  return `${table.url}/${table.tableName}`;
}

/**
 * Creates the table if absent (data-tables treats "already exists" as success); later calls reuse the
 * first answer. Creating a table is an account-level operation: an identity whose data role is
 * scoped to the table (as the infrastructure grants the app's) is refused it (403) although the table
 * exists, so a refusal goes on to the write, which says "table not found" if it really is absent.
 */
export function ensureTable(table: TableClient): Promise<void> {
  const key = tableKey(table);
  const known = ensured.get(key);
  if (known !== undefined) return known;
  const pending = table.createTable().catch((error: unknown) => {
    if (storageStatus(error) !== 403) throw error;
  });
  ensured.set(key, pending);
  // A failed creation is not remembered: the next call tries again.
  pending.catch(() => ensured.delete(key));
  return pending;
}

/** data-tables reports a missing table as a 404 whose code is in the body's odata.error. */
export function isTableNotFound(error: unknown): boolean {
  return storageErrorCode(error) === 'TableNotFound' || (storageStatus(error) === 404 && errorMessage(error).includes('TableNotFound'));
}

/** Every row of one partition, parsed by `toRow`; a missing table holds none (a read never creates it). */
export async function listPartition<T>(table: TableClient, partition: string, toRow: (entity: Record<string, unknown>) => T): Promise<T[]> {
  const rows: T[] = [];
  try {
    for await (const entity of table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${partition}` },
    }))
      rows.push(toRow(entity));
  } catch (error) {
    if (isTableNotFound(error)) return [];
    throw error;
  }
  return rows;
}

/**
 * Inserts the entity (`expected` null) or replaces it if it is still as read (its ETag), creating the
 * table on first use; returns the new ETag. Another writer first is a LedgerConflictError naming
 * `subject`; any other failure is thrown as storage gave it, for the caller to classify.
 */
export async function writeGuarded(
  table: TableClient,
  entity: TableEntity,
  expected: { readonly etag: string } | null,
  subject: string,
): Promise<string> {
  try {
    await ensureTable(table);
    const response =
      expected === null ? await table.createEntity(entity) : await table.updateEntity(entity, 'Replace', { etag: expected.etag });
    if (response.etag === undefined) throw new Error(`storage answered the write of ${subject} without an ETag`);
    return response.etag;
  } catch (error) {
    const status = storageStatus(error);
    if (status === 409 || status === 412 || (expected !== null && status === 404))
      throw new LedgerConflictError({ sourceImageResourceId: subject });
    throw error;
  }
}
