import { z } from 'zod';
import { unreadableAnswer } from './unreadableAnswer';

const pageBody = z.object({
  value: z.array(z.unknown()),
  '@odata.nextLink': z.string().min(1).nullish(),
});

/** One page of a Graph collection: its items, and the absolute URL of the next page (null on the last). */
export interface GraphPage {
  readonly items: readonly unknown[];
  readonly nextLink: string | null;
}

/** A page of a Graph collection from its JSON; throws a PermanentError naming the field when it is not one (a page with no `value` list). */
export function toPage(body: unknown, what: string): GraphPage {
  const parsed = pageBody.safeParse(body);
  if (!parsed.success) throw unreadableAnswer(what, parsed.error);
  return { items: parsed.data.value, nextLink: parsed.data['@odata.nextLink'] ?? null };
}
