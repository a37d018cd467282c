// One Resource Graph query, page after page ($skipToken), for both readers (managed images and
// gallery versions). The SDK retries each page; an answer that cannot be paged through completely
// is an error, never a silently shorter list.
import type { ResourceGraphClient } from '@azure/arm-resourcegraph';
import type { TokenCredential } from '@azure/core-auth';
import type { ArmSettings } from '../config';
import { createResourceGraphClient } from './createResourceGraphClient';
import { RESOURCE_GRAPH_MAX_PAGE } from './resourceGraphQuery';
import { PermanentError, TransientError } from '../errors';

export interface ResourceGraphAccess {
  /** The client, made on first use (a reader that is never asked makes none). */
  readonly clientOf: () => Pick<ResourceGraphClient, 'resources'>;
  /** Rows per page: the option within 1..RESOURCE_GRAPH_MAX_PAGE, the most by default. */
  readonly pageSize: number;
}

/** The two readers' shared set-up: a test's client or a real one made lazily, and the page size. */
export function resourceGraphAccess(
  credential: TokenCredential,
  config: ArmSettings,
  options: {
    readonly client?: Pick<ResourceGraphClient, 'resources'>;
    readonly retry?: { maxRetries?: number; retryDelayInMs?: number };
    readonly pageSize?: number;
  },
): ResourceGraphAccess {
  let client = options.client ?? null;
  return {
    clientOf: () => {
      client ??= createResourceGraphClient(credential, config, options.retry === undefined ? {} : { retry: options.retry });
      return client;
    },
    pageSize: Math.min(RESOURCE_GRAPH_MAX_PAGE, Math.max(1, options.pageSize ?? RESOURCE_GRAPH_MAX_PAGE)),
  };
}

export interface ResourceGraphQuery {
  /** null: every subscription the identity can read. */
  readonly subscriptions: readonly string[] | null;
  readonly query: string;
  readonly pageSize: number;
  /** What the query is for, in error messages. */
  readonly what: string;
}

/**
 * Each page of one query, handed to `onPage` as it arrives (so a reader keeps only what it needs);
 * returns how many pages were read.
 */
export async function forEachResourceGraphPage(
  client: Pick<ResourceGraphClient, 'resources'>,
  request: ResourceGraphQuery,
  onPage: (rows: readonly unknown[]) => void,
): Promise<number> {
  const { what } = request;
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
      throw new PermanentError({
        message: `${what}: the answer has no list of rows (resultFormat objectArray)`,
        status: 200,
        code: 'UnreadableResourceGraphAnswer',
      });
    onPage(data);
    const next = typeof answer.skipToken === 'string' && answer.skipToken !== '' ? answer.skipToken : undefined;
    // Paging is off for some queries (a limit, only dynamic columns): the answer says so, and is not all of it.
    if (next === undefined && String(answer.resultTruncated) === 'true')
      throw new TransientError({
        message: `${what}: the answer is truncated (${answer.count} of ${answer.totalRecords} rows) and has no $skipToken`,
      });
    if (next !== undefined && next === skipToken)
      throw new TransientError({ message: `${what}: the answer repeats the $skipToken it was asked with` });
    skipToken = next;
  } while (skipToken !== undefined);
  return pages;
}

/** Every row of one query. */
export async function allResourceGraphRows(
  client: Pick<ResourceGraphClient, 'resources'>,
  request: ResourceGraphQuery,
): Promise<{ readonly rows: unknown[]; readonly pages: number }> {
  const rows: unknown[] = [];
  const pages = await forEachResourceGraphPage(client, request, (page) => {
    for (const row of page) rows.push(row);
  });
  return { rows, pages };
}
