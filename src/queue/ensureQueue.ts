// Queues are created on first use, once per process and queue: every later send skips the round trip.
import type { QueueClient } from '@azure/storage-queue';

const ensured = new Map<string, Promise<void>>();

/** Creates the queue if it does not exist; later calls for the same queue URL reuse the first answer. */
export function ensureQueue(queue: QueueClient): Promise<void> {
  const known = ensured.get(queue.url);
  if (known !== undefined) return known;
  const pending = queue.createIfNotExists().then(() => undefined);
  ensured.set(queue.url, pending);
  // A failed creation is not remembered: the next call tries again.
  pending.catch(() => ensured.delete(queue.url));
  return pending;
}

/** Forgets that a queue exists (it was deleted under us); the next ensureQueue creates it again. */
export function forgetQueue(queue: QueueClient): void {
  ensured.delete(queue.url);
}
