// A listing in two passes (ARM per subscription, or Resource Graph per batch of subscriptions): what
// failed transiently in the first pass is asked again in the same run, once the longest Retry-After
// the first pass was answered with has passed (at least `secondPassDelayMs`). A wait longer than
// MAX_SECOND_PASS_DELAY_MS is left to the next reconcile.
import { setTimeout as sleep } from 'node:timers/promises';
import { PermanentError, type TransientError } from '../errors';
import { mapConcurrently } from '../mapConcurrently';

export const MAX_SECOND_PASS_DELAY_MS = 60_000;

/** What the first pass met that may pass by itself, with the wait the service asked for. */
export interface Unavailable {
  readonly kind: 'unavailable';
  readonly retryAfterMs: number | null;
}

/** A subscription (or batch) that could not be listed: unreadable is a problem to record, unavailable is asked again. */
export type ListingFailure =
  | { readonly kind: 'unreadable'; readonly detail: string }
  /** retryAfterMs: what the last answer asked to wait (429/503 with Retry-After), if anything. */
  | { readonly kind: 'unavailable'; readonly detail: string; readonly retryAfterMs: number | null };

/** What a listing's error makes of its subscription: permanent → unreadable, anything else → unavailable. */
export function listingFailure(error: PermanentError | TransientError): ListingFailure {
  if (error instanceof PermanentError) return { kind: 'unreadable', detail: error.message };
  return { kind: 'unavailable', detail: error.message, retryAfterMs: error.retryAfterMs };
}

export interface TwoPassOptions {
  readonly concurrency: number;
  readonly secondPassDelayMs: number;
  /** The second pass is left to the next reconcile (the wait was too long). */
  readonly onDeferred: (count: number, retryAfterMs: number) => void;
  readonly onRetried: (count: number, delayMs: number) => void;
}

/** Each item's outcome, in the items' order: the second pass's where there was one. */
export async function inTwoPasses<I, O extends { readonly kind: string }>(
  items: readonly I[],
  ask: (item: I) => Promise<O>,
  options: TwoPassOptions,
): Promise<O[]> {
  const isUnavailable = (outcome: O | undefined): outcome is O & Unavailable => outcome?.kind === 'unavailable';
  const outcomes = await mapConcurrently(items, options.concurrency, ask);
  const retried = items.flatMap((item, index) => (isUnavailable(outcomes[index]) ? [index] : []));
  if (retried.length === 0) return outcomes;
  const retryAfter = Math.max(0, ...outcomes.map((outcome) => (isUnavailable(outcome) ? (outcome.retryAfterMs ?? 0) : 0)));
  const delayMs = Math.max(options.secondPassDelayMs, retryAfter);
  if (delayMs > MAX_SECOND_PASS_DELAY_MS) {
    options.onDeferred(retried.length, retryAfter);
    return outcomes;
  }
  options.onRetried(retried.length, delayMs);
  await sleep(delayMs);
  const second = await mapConcurrently(retried, options.concurrency, (index) => ask(items[index] as I));
  retried.forEach((itemIndex, index) => {
    const outcome = second[index];
    if (outcome !== undefined) outcomes[itemIndex] = outcome;
  });
  return outcomes;
}
