// Problem rows ↔ RecordedProblem. A problem seen again is one row with a count, first and last seen.
import type { TableEntity, TableEntityResult } from '@azure/data-tables';
import { z } from 'zod';
import { PermanentError } from '../errors';
import type { RecordedProblem } from '../ports';
import { boundedText } from './ledgerEntity';
import { PROBLEM_PARTITION } from './ledgerKeys';

type ProblemProperties = Record<string, string | number>;

export function toProblemEntity(rowKey: string, problem: RecordedProblem): TableEntity<ProblemProperties> {
  return {
    partitionKey: PROBLEM_PARTITION,
    rowKey,
    kind: problem.kind,
    detail: boundedText(problem.detail),
    ...(problem.subject === null ? {} : { subject: problem.subject }),
    firstSeenAt: problem.firstSeenAt,
    lastSeenAt: problem.at,
    count: problem.count,
  };
}

const problemEntitySchema = z.object({
  kind: z.string().min(1),
  detail: z.string(),
  subject: z
    .string()
    .nullish()
    .transform((value) => value ?? null),
  firstSeenAt: z.string().min(1),
  lastSeenAt: z.string().min(1),
  count: z.number().int().min(1),
});

export function toRecordedProblem(entity: TableEntityResult<Record<string, unknown>>): RecordedProblem {
  const parsed = problemEntitySchema.safeParse(entity);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PermanentError({
      message: `ledger row problem/${entity.rowKey ?? '?'} is unreadable (${issue?.path.map(String).join('.') ?? ''}: ${issue?.message ?? 'unknown shape'})`,
      status: null,
      code: 'LedgerRowUnreadable',
    });
  }
  const { lastSeenAt, ...rest } = parsed.data;
  return { ...rest, at: lastSeenAt };
}

/** The open-problem marker: which problem row holds the open problem of a kind and subject. */
export interface OpenProblemMarker {
  readonly problemRowKey: string;
  readonly etag: string;
}

const markerSchema = z.object({ problemRowKey: z.string().min(1), etag: z.string().min(1) });

export function toOpenProblemMarker(entity: TableEntityResult<Record<string, unknown>>): OpenProblemMarker {
  const parsed = markerSchema.safeParse(entity);
  if (!parsed.success)
    throw new PermanentError({
      message: `ledger row problem/${entity.rowKey ?? '?'} is not an open-problem marker`,
      status: null,
      code: 'LedgerRowUnreadable',
    });
  return parsed.data;
}
