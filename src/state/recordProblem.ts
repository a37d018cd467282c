// A problem is recorded once per kind + subject: a recurrence updates the open row (count, last seen)
// instead of adding one. The open-problem marker and the problem row are created in one transaction,
// so two writers recording the same new problem at once still make one row; merges are ETag-guarded.
import type { TableClient } from '@azure/data-tables';
import type { Problem } from '../domain';
import { TransientError } from '../errors';
import { storageStatus } from '../storage/classifyStorageError';
import type { RecordedProblem } from '../ports';
import { PROBLEM_PARTITION, openProblemRowKey, problemRowKey } from './ledgerKeys';
import { toOpenProblemMarker, toProblemEntity, toRecordedProblem, type OpenProblemMarker } from './problemEntity';

const MAX_ATTEMPTS = 8;

async function readMarker(table: TableClient, rowKey: string): Promise<OpenProblemMarker | null> {
  try {
    return toOpenProblemMarker(await table.getEntity<Record<string, unknown>>(PROBLEM_PARTITION, rowKey));
  } catch (error) {
    if (storageStatus(error) === 404) return null;
    throw error;
  }
}

async function readProblem(
  table: TableClient,
  rowKey: string,
): Promise<{ readonly problem: RecordedProblem; readonly etag: string } | null> {
  try {
    const entity = await table.getEntity<Record<string, unknown>>(PROBLEM_PARTITION, rowKey);
    return { problem: toRecordedProblem(entity), etag: entity.etag };
  } catch (error) {
    if (storageStatus(error) === 404) return null;
    throw error;
  }
}

function later(a: string, b: string): string {
  return Date.parse(b) > Date.parse(a) ? b : a;
}

/** Another writer got there first: read again and merge. */
function lostRace(error: unknown): boolean {
  const status = storageStatus(error);
  return status === 409 || status === 412 || status === 404;
}

export async function recordProblem(table: TableClient, problem: Problem): Promise<{ readonly isNew: boolean }> {
  const at = new Date(problem.at);
  if (Number.isNaN(at.getTime())) throw new RangeError(`a problem's time must be an ISO-8601 date-time, not ${JSON.stringify(problem.at)}`);
  const markerKey = openProblemRowKey(problem.kind, problem.subject);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const marker = await readMarker(table, markerKey);
    try {
      if (marker === null) {
        const rowKey = problemRowKey(at);
        const recorded: RecordedProblem = {
          kind: problem.kind,
          detail: problem.detail,
          at: problem.at,
          subject: problem.subject,
          count: 1,
          firstSeenAt: problem.at,
        };
        await table.submitTransaction([
          ['create', toProblemEntity(rowKey, recorded)],
          ['create', { partitionKey: PROBLEM_PARTITION, rowKey: markerKey, problemRowKey: rowKey }],
        ]);
        return { isNew: true };
      }
      const existing = await readProblem(table, marker.problemRowKey);
      if (existing === null) {
        // A marker whose problem is gone: drop it and record the problem afresh.
        await table.deleteEntity(PROBLEM_PARTITION, markerKey, { etag: marker.etag });
        continue;
      }
      const merged: RecordedProblem = {
        ...existing.problem,
        detail: problem.detail,
        at: later(existing.problem.at, problem.at),
        count: existing.problem.count + 1,
      };
      await table.updateEntity(toProblemEntity(marker.problemRowKey, merged), 'Replace', { etag: existing.etag });
      return { isNew: false };
    } catch (error) {
      if (!lostRace(error)) throw error;
    }
  }
  throw new TransientError({ message: `recording the ${problem.kind} problem lost to other writers ${MAX_ATTEMPTS} times` });
}
