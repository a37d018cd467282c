// A queue message whose work was answered "retry after N" (429, or 503 with Retry-After, beyond the
// in-process retries) goes back to the queue only once N has passed. Given back at once, the queue
// would show it again after its visibility timeout (30 s in host.json), and an instance that never
// saw the answer could send the same request before N was up. Holding the message keeps it hidden:
// the host renews its lease while the function runs.
import { setTimeout as sleep } from 'node:timers/promises';
import { TransientError } from '../errors';
import type { SyncDeps } from '../ports';

/** Longer waits are cut here (the host's functionTimeout is 10 minutes); documented in docs/reliability.md. */
export const MAX_RETRY_AFTER_HOLD_MS = 5 * 60_000;

export async function holdForRetryAfter<T>(deps: Pick<SyncDeps, 'log'>, subject: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof TransientError && error.retryAfterMs !== null && error.retryAfterMs > 0) {
      const holdMs = Math.min(error.retryAfterMs, MAX_RETRY_AFTER_HOLD_MS);
      deps.log.info('RetryAfterHeld', { subject, holdMs, status: error.status });
      await sleep(holdMs);
    }
    throw error;
  }
}
