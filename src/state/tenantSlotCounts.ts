// The tenant's custom-image slots as the last reconcile counted them (DESIGN §16), one row in the
// ledger's table (PartitionKey `tenant`, RowKey `slot-count`), so `image-sync report` reads the
// ledger alone. Last writer wins: every reconcile counts afresh.
import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';
import { PermanentError } from '../errors';
import { classifyStorageError, storageStatus } from '../storage/classifyStorageError';
import type { StorageEndpoints } from '../storage/storageEndpoints';
import type { TenantSlotCount, TenantSlotCounts } from '../ports';
import { ensureTable } from './ensureTable';
import { TENANT_PARTITION } from './ledgerKeys';

export const SLOT_COUNT_ROW_KEY = 'slot-count';

const count = z.number().int().min(0);
const slotCountEntity = z.object({ inUse: count, limit: count, keepVersions: count, at: z.string().min(1) });

export function createTenantSlotCounts(table: TableClient, endpoints: StorageEndpoints): TenantSlotCounts {
  return {
    async record(slotCount: TenantSlotCount): Promise<void> {
      try {
        await ensureTable(table);
        await table.upsertEntity({ partitionKey: TENANT_PARTITION, rowKey: SLOT_COUNT_ROW_KEY, ...slotCount }, 'Replace');
      } catch (error) {
        throw classifyStorageError(error, 'slot count write', endpoints, 'table');
      }
    },

    async latest(): Promise<TenantSlotCount | null> {
      let entity: Record<string, unknown>;
      try {
        entity = await table.getEntity(TENANT_PARTITION, SLOT_COUNT_ROW_KEY);
      } catch (error) {
        // No row yet, or no table yet (a read never creates one).
        if (storageStatus(error) === 404) return null;
        throw classifyStorageError(error, 'slot count read', endpoints, 'table');
      }
      const parsed = slotCountEntity.safeParse(entity);
      if (!parsed.success)
        throw new PermanentError({
          message: `ledger row ${TENANT_PARTITION}/${SLOT_COUNT_ROW_KEY} is unreadable (${parsed.error.issues[0]?.message ?? 'unknown shape'})`,
          status: null,
          code: 'LedgerRowUnreadable',
        });
      return parsed.data;
    },
  };
}
