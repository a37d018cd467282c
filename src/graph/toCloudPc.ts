import { z } from 'zod';
import type { CloudPc, CloudPcOutcome } from '../domain';
import { unreadableAnswer } from './unreadableAnswer';

const statusDetailBody = z.object({ code: z.string().nullish(), message: z.string().nullish() }).passthrough().nullish();

const cloudPcBody = z.object({
  id: z.string().min(1),
  displayName: z.string().nullish(),
  status: z.string().min(1),
  statusDetail: statusDetailBody,
  statusDetails: statusDetailBody,
});

const PROVISIONED = new Set(['provisioned', 'provisionedwithwarnings']);

function outcomeOf(status: string): CloudPcOutcome {
  const key = status.toLowerCase();
  if (PROVISIONED.has(key)) return 'provisioned';
  return key === 'failed' ? 'failed' : 'in-progress';
}

function detailText(detail: z.output<typeof statusDetailBody>): string | null {
  if (detail === null || detail === undefined) return null;
  const parts = [detail.code, detail.message].filter((part): part is string => typeof part === 'string' && part !== '');
  return parts.length === 0 ? null : parts.join(': ');
}

/** A beta cloudPC from Graph's JSON, its open `status` closed to what the gate counts; throws a PermanentError naming the field when it is not one. */
export function toCloudPc(body: unknown): CloudPc {
  const parsed = cloudPcBody.safeParse(body);
  if (!parsed.success) throw unreadableAnswer('a Cloud PC', parsed.error);
  const cloudPc = parsed.data;
  return {
    id: cloudPc.id,
    displayName: cloudPc.displayName ?? null,
    status: cloudPc.status,
    outcome: outcomeOf(cloudPc.status),
    statusDetail: detailText(cloudPc.statusDetail ?? cloudPc.statusDetails),
  };
}
