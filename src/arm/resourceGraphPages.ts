// Every row of one Resource Graph query, page after page ($skipToken), as the managed-image reader
// pages (resourceGraphSourceImageReader.ts). The SDK retries each page; an answer that cannot be
// paged through completely is an error, never a silently shorter list.
import type { ResourceGraphClient } from '@azure/arm-resourcegraph';
import { PermanentError, TransientError } from '../errors';

export interface ResourceGraphQuery {
  /** null: every subscription the identity can read. */
  readonly subscriptions: readonly string[] | null;
  readonly query: string;
  readonly pageSize: number;
  /** What the query is for, in error messages. */
  readonly what: string;
}

export async function allResourceGraphRows(
  client: Pick<ResourceGraphClient, 'resources'>,
  request: ResourceGraphQuery,
): Promise<{ readonly rows: unknown[]; readonly pages: number }> {
  const { what } = request;
  const rows: unknown[] = [];
  let skipToken: string | undefined;
  let pages = 0;
  do {
    const answer = await client.resources({
      ...(request.subscriptions === null ? {} : { subscriptions: [...request.subscriptions] }),
      query: request.query,
      options: { top: request.pageSize, resultFormat: 'objectArray', ...(skipToken === undefined ? {} : { skipToken }) },
    });
    pages += 1;
    const data: unknown = answer.data;
    if (!Array.isArray(data))
      throw new PermanentError(`${what}: the answer has no list of rows (resultFormat objectArray)`, 200, 'UnreadableResourceGraphAnswer');
    rows.push(...(data as unknown[]));
    const next = typeof answer.skipToken === 'string' && answer.skipToken !== '' ? answer.skipToken : undefined;
    if (next === undefined && String(answer.resultTruncated) === 'true')
      throw new TransientError(`${what}: the answer is truncated (${answer.count} of ${answer.totalRecords} rows) and has no $skipToken`);
    if (next !== undefined && next === skipToken) throw new TransientError(`${what}: the answer repeats the $skipToken it was asked with`);
    skipToken = next;
  } while (skipToken !== undefined);
  return { rows, pages };
}
