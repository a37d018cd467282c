// The ring rollouts (DESIGN §18): one ETag-guarded row per registration in the ledger's table
// (PartitionKey `ring`), and the Cloud PC ids each policy had right before its ring's PATCH, in rows
// of their own (PartitionKey `ringseen`, at most SEEN_PER_ROW ids a row: a property holds 64 KiB).
import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';
import { RING_ROLLOUT_STATES, type RingRollout } from '../domain';
import { LedgerConflictError, PermanentError } from '../errors';
import { classifyStorageError, storageStatus } from '../storage/classifyStorageError';
import type { StorageEndpoints } from '../storage/storageEndpoints';
import type { RingPolicyRef, RingRolloutRow, RingRollouts } from '../ports';
import { ensureTable, listPartition, writeGuarded } from './ensureTable';
import { optionalText } from './ledgerEntity';
import { RING_PARTITION, RING_SEEN_PARTITION, imageRowKey, ringSeenRowKey } from './ledgerKeys';

/** 800 ids of 36 characters and a comma: 29,600 characters, under a property's 32,768 (64 KiB of UTF-16). */
export const SEEN_PER_ROW = 800;

function jsonText<T extends z.ZodTypeAny>(schema: T) {
  return z.string().transform((text, context): z.output<T> => {
    try {
      const parsed = schema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
    } catch {
      // reported below
    }
    context.addIssue({ code: 'custom', message: 'is not the JSON the app wrote' });
    return z.NEVER;
  });
}

const count = z.number().int().min(0);

const ringEntity = z.object({
  etag: z.string().min(1),
  sourceImageResourceId: z.string().min(1),
  displayName: z.string(),
  version: z.string().min(1),
  deviceImageId: z.string().min(1),
  rings: jsonText(z.array(z.array(z.string()))),
  ring: z.number().int().min(1),
  state: z.enum(RING_ROLLOUT_STATES),
  ringStartedAt: z.string().min(1),
  since: optionalText,
  policyIds: jsonText(z.array(z.string())),
  provisioned: count,
  failed: count,
  failures: jsonText(z.array(z.object({ id: z.string(), displayName: z.string().nullable(), statusDetail: z.string().nullable() }))),
  endedAt: optionalText,
  updatedAt: z.string().min(1),
});

const JSON_FIELDS = new Set(['rings', 'policyIds', 'failures']);
const FIELDS = Object.keys(ringEntity.shape).filter((name) => name !== 'etag') as (keyof RingRollout)[];

function toRow(entity: Record<string, unknown>): RingRolloutRow {
  const parsed = ringEntity.safeParse(entity);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PermanentError({
      message: `ledger row ${RING_PARTITION}/${String(entity['rowKey'])} is unreadable (${issue?.path.join('.') ?? ''} ${issue?.message ?? 'unknown shape'})`,
      status: null,
      code: 'LedgerRowUnreadable',
    });
  }
  return parsed.data;
}

function toEntity(rollout: RingRollout): Record<string, string | number> & { partitionKey: string; rowKey: string } {
  const properties: Record<string, string | number> = {};
  for (const name of FIELDS) {
    const value = rollout[name];
    if (value === null) continue;
    properties[name] = JSON_FIELDS.has(name) ? JSON.stringify(value) : (value as string | number);
  }
  return { partitionKey: RING_PARTITION, rowKey: imageRowKey(rollout.sourceImageResourceId, rollout.version), ...properties };
}

export function createRingRollouts(table: TableClient, endpoints: StorageEndpoints): RingRollouts {
  const failed = (error: unknown, what: string) =>
    error instanceof LedgerConflictError ? error : classifyStorageError(error, what, endpoints, 'table');
  const seenKey = (ref: RingPolicyRef, chunk: number) =>
    ringSeenRowKey(ref.sourceImageResourceId, ref.version, ref.ring, ref.policyId, chunk);

  return {
    async get(ref) {
      try {
        return toRow(await table.getEntity(RING_PARTITION, imageRowKey(ref.sourceImageResourceId, ref.version)));
      } catch (error) {
        if (storageStatus(error) === 404) return null;
        throw failed(error, 'ring rollout read');
      }
    },

    async list() {
      try {
        return await listPartition(table, RING_PARTITION, toRow);
      } catch (error) {
        throw failed(error, 'ring rollout list');
      }
    },

    async save(rollout, expected) {
      try {
        const etag = await writeGuarded(table, toEntity(rollout), expected, `ring rollout of ${rollout.displayName} ${rollout.version}`);
        return { ...rollout, etag };
      } catch (error) {
        throw failed(error, 'ring rollout write');
      }
    },

    // Chunk 0 says how many chunks there are, so a shorter record replacing a longer one leaves no stale ids counted.
    async saveSeen(ref, cloudPcIds) {
      const ids = cloudPcIds.map((id) => id.toLowerCase());
      const chunks = Math.max(1, Math.ceil(ids.length / SEEN_PER_ROW));
      try {
        await ensureTable(table);
        for (let chunk = chunks - 1; chunk >= 0; chunk--) {
          await table.upsertEntity(
            {
              partitionKey: RING_SEEN_PARTITION,
              rowKey: seenKey(ref, chunk),
              ids: ids.slice(chunk * SEEN_PER_ROW, (chunk + 1) * SEEN_PER_ROW).join(','),
              ...(chunk === 0 ? { chunks } : {}),
            },
            'Replace',
          );
        }
      } catch (error) {
        throw failed(error, 'Cloud PC record write');
      }
    },

    async seen(ref) {
      const read = async (chunk: number): Promise<Record<string, unknown> | null> => {
        try {
          return await table.getEntity<Record<string, unknown>>(RING_SEEN_PARTITION, seenKey(ref, chunk));
        } catch (error) {
          if (storageStatus(error) === 404) return null;
          throw failed(error, 'Cloud PC record read');
        }
      };
      const first = await read(0);
      if (first === null) return null;
      const chunks = z.number().int().min(1).safeParse(first['chunks']);
      const ids = new Set<string>();
      const add = (entity: Record<string, unknown> | null) => {
        const text = entity?.['ids'];
        if (typeof text === 'string') for (const id of text.split(',')) if (id !== '') ids.add(id);
      };
      add(first);
      for (let chunk = 1; chunk < (chunks.success ? chunks.data : 1); chunk++) {
        const entity = await read(chunk);
        // A chunk missing while chunk 0 says it exists: the record is incomplete, and judging from it could count old Cloud PCs.
        if (entity === null) return null;
        add(entity);
      }
      return ids;
    },
  };
}
