// Graph's retry middleware resends 429, 503 and 504 answers; a request that got no answer at all (a
// reset, a dropped connection) or a 500/502 it leaves to the caller. For a call that is safe to send
// again, this strategy answers "retry after N ms" (exponential backoff with jitter, bounded attempts)
// or null: not mine.
import { PermanentError, TransientError } from '../errors';
import type { GraphRetrySettings } from './createGraphClient';

/** No backoff step waits longer than this. */
const MAX_DELAY_MS = 30_000;
const RETRIED_STATUSES: ReadonlySet<number | null> = new Set([null, 500, 502]);

export interface GraphRetryState {
  /** Retries made so far (0 after the first attempt). */
  readonly attempt: number;
  readonly error: PermanentError | TransientError;
}

export interface GraphRetryStrategy {
  readonly name: string;
  retry(state: GraphRetryState): { readonly retryAfterMs: number } | null;
}

export function unansweredRetryStrategy(settings: GraphRetrySettings, random: () => number = Math.random): GraphRetryStrategy {
  return {
    name: 'unansweredRetryStrategy',
    retry({ attempt, error }) {
      if (attempt >= settings.maxRetries || !(error instanceof TransientError)) return null;
      // Throttling the middleware gave up on, and answers that ask for a wait, are not this strategy's.
      if (error.retryAfterMs !== null || !RETRIED_STATUSES.has(error.status)) return null;
      const ceiling = Math.min(MAX_DELAY_MS, settings.delaySeconds * 1000 * 2 ** attempt);
      // Half fixed, half random: never immediate, and concurrent callers spread out.
      return { retryAfterMs: Math.round(ceiling / 2 + (random() * ceiling) / 2) };
    },
  };
}
