// Rows of the previous release (one per source image, keyed by the source alone) carried over to
// their registration's key (DESIGN §7), when a listing meets them or a get() finds only the old row.
import type { LedgerRow } from '../domain';
import { LedgerConflictError } from '../errors';
import type { Ledger, RegistrationRef } from '../ports';
import { parseVersion } from '../rules/naming';
import { storageStatus } from '../storage/classifyStorageError';
import { writtenRow, type LedgerAccess } from './ledgerAccess';
import { toImageEntity } from './ledgerEntity';
import { IMAGE_PARTITION, imageRowKey, legacyImageRowKey } from './ledgerKeys';

export interface LedgerCarryOver {
  /** Ledger.carryOver: the listed legacy rows moved, the list as it is then. */
  readonly carryOver: Ledger['carryOver'];
  /** The legacy row of this registration carried over, or null when there is none (or it is another version's). */
  readonly carryOverFor: (ref: RegistrationRef) => Promise<LedgerRow | null>;
}

function sameVersion(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return (parseVersion(a) ?? a) === (parseVersion(b) ?? b);
}

export function createLedgerCarryOver(access: LedgerAccess): LedgerCarryOver {
  const { table, log, memory, read } = access;

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

  return {
    carryOverFor: async (ref) => {
      // The previous release kept one row per source image: it is this registration's when the versions agree.
      const legacy = await read(legacyImageRowKey(ref.sourceImageResourceId));
      if (legacy === null || legacy.legacy !== true || !sameVersion(legacy.version, ref.version)) return null;
      return carryOverRow(legacy);
    },

    carryOver: (rows) =>
      access.guarded('ledger carry-over', async () => {
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
  };
}
