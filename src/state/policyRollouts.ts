// The app's rollouts (DESIGN §13), one ETag-guarded row per provisioning policy in the ledger's table
// (PartitionKey `rollout`, RowKey the policy id lower-cased): what it pointed the policy at, and the
// image the policy used before, which `image-sync rollback` restores.
import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';
import type { PolicyRollout } from '../domain';
import { LedgerConflictError, PermanentError } from '../errors';
import { classifyStorageError, storageStatus } from '../storage/classifyStorageError';
import type { StorageEndpoints } from '../storage/storageEndpoints';
import type { PolicyRolloutRow, PolicyRollouts } from '../ports';
import { listPartition, writeGuarded } from './ensureTable';
import { optionalText } from './ledgerEntity';
import { ROLLOUT_PARTITION, rolloutRowKey } from './ledgerKeys';

function deviceImageIds(text: string | undefined): string[] | null {
  if (text === undefined || text === '') return [];
  try {
    const parsed = z.array(z.string().min(1)).safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const rolloutEntity = z.object({
  etag: z.string().min(1),
  policyId: z.string().min(1),
  policyDisplayName: z.string(),
  state: z.enum(['pointing', 'rolled-out', 'rolling-back', 'rolled-back']),
  deviceImageId: z.string().min(1),
  deviceImageDisplayName: optionalText,
  sourceImageResourceId: z.string().min(1),
  version: z.string().min(1),
  previousImageId: optionalText,
  previousImageDisplayName: optionalText,
  previousImageType: optionalText,
  /** JSON text; absent (rows written before it existed) reads as []. */
  rolledBackFrom: z
    .string()
    .optional()
    .transform((text, context) => {
      const ids = deviceImageIds(text);
      if (ids !== null) return ids;
      context.addIssue({ code: 'custom', message: 'rolledBackFrom is not a JSON list of device image ids' });
      return z.NEVER;
    }),
  updatedAt: z.string().min(1),
});

const FIELDS = Object.keys(rolloutEntity.shape).filter((name) => name !== 'etag') as (keyof PolicyRollout)[];

function toRow(entity: Record<string, unknown>): PolicyRolloutRow {
  const parsed = rolloutEntity.safeParse(entity);
  if (!parsed.success)
    throw new PermanentError({
      message: `ledger row ${ROLLOUT_PARTITION}/${String(entity['rowKey'])} is unreadable (${parsed.error.issues[0]?.message ?? 'unknown shape'})`,
      status: null,
      code: 'LedgerRowUnreadable',
    });
  return parsed.data;
}

function toEntity(rollout: PolicyRollout): Record<string, string> & { partitionKey: string; rowKey: string } {
  const properties: Record<string, string> = {};
  for (const name of FIELDS) {
    const value = rollout[name];
    if (value !== null) properties[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return { partitionKey: ROLLOUT_PARTITION, rowKey: rolloutRowKey(rollout.policyId), ...properties };
}

export function createPolicyRollouts(table: TableClient, endpoints: StorageEndpoints): PolicyRollouts {
  const failed = (error: unknown, what: string) =>
    error instanceof LedgerConflictError ? error : classifyStorageError(error, what, endpoints, 'table');

  return {
    async get(policyId) {
      try {
        return toRow(await table.getEntity(ROLLOUT_PARTITION, rolloutRowKey(policyId)));
      } catch (error) {
        if (storageStatus(error) === 404) return null;
        throw failed(error, 'rollout read');
      }
    },

    async save(rollout, expected) {
      try {
        const etag = await writeGuarded(table, toEntity(rollout), expected, `provisioning policy ${rollout.policyId}`);
        return { ...rollout, etag };
      } catch (error) {
        throw failed(error, 'rollout write');
      }
    },

    async discard(row) {
      try {
        await table.deleteEntity(ROLLOUT_PARTITION, rolloutRowKey(row.policyId), { etag: row.etag });
      } catch (error) {
        const status = storageStatus(error);
        if (status === 404) return;
        if (status === 412) throw new LedgerConflictError({ sourceImageResourceId: `provisioning policy ${row.policyId}` });
        throw failed(error, 'rollout delete');
      }
    },

    async list() {
      try {
        return await listPartition(table, ROLLOUT_PARTITION, toRow);
      } catch (error) {
        throw failed(error, 'rollout list');
      }
    },
  };
}
