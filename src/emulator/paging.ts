// Server-side paging: an opaque `$skiptoken` carrying the offset of the next page.
import { Refusal } from './replies';

export interface Page<T> {
  readonly items: T[];
  /** The skip token of the next page; null on the last page. */
  readonly nextSkipToken: string | null;
}

export function pageOf<T>(items: readonly T[], skipToken: string | null, pageSize: number): Page<T> {
  const offset = skipToken === null ? 0 : offsetOf(skipToken);
  const end = offset + pageSize;
  return { items: items.slice(offset, end), nextSkipToken: end < items.length ? tokenFor(end) : null };
}

function tokenFor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

function offsetOf(skipToken: string): number {
  const match = /^offset:(\d{1,9})$/.exec(Buffer.from(skipToken, 'base64url').toString('utf8'));
  if (match?.[1] === undefined) throw new Refusal(400, 'InvalidSkipToken', `The skip token '${skipToken}' is not valid.`);
  return Number(match[1]);
}

/** The query parameter, whatever its casing (`$skiptoken`, `$skipToken`). */
export function queryParameter(url: URL, name: string): string | null {
  const wanted = name.toLowerCase();
  for (const [key, value] of url.searchParams) if (key.toLowerCase() === wanted) return value;
  return null;
}
