// The lease of a received message: it stays hidden while its handler runs, on a short lease renewed
// every third of it, so a killed runner's messages come back within one lease.
import type { DequeuedMessageItem, QueueClient } from '@azure/storage-queue';
import { errorMessage } from '../errors';
import type { Logger } from '../log';

export interface MessageLease {
  /** Stops renewing and returns the message with its latest pop receipt (the one to settle it with). */
  readonly settled: () => Promise<DequeuedMessageItem>;
}

export interface LeaseOptions {
  readonly queue: QueueClient;
  readonly queueName: string;
  readonly leaseSeconds: number;
  readonly log: Logger;
}

export function keepLeased({ queue, queueName, leaseSeconds, log }: LeaseOptions, message: DequeuedMessageItem): MessageLease {
  let current = message;
  let renewing: Promise<void> = Promise.resolve();
  const timer = setInterval(
    () => {
      renewing = renewing.then(async () => {
        try {
          const renewed = await queue.updateMessage(current.messageId, current.popReceipt, undefined, leaseSeconds);
          if (renewed.popReceipt !== undefined) current = { ...current, popReceipt: renewed.popReceipt };
        } catch (error) {
          log.warn('QueueMessageLeaseNotRenewed', { queue: queueName, messageId: current.messageId, error: errorMessage(error) });
        }
      });
    },
    Math.max(1_000, (leaseSeconds * 1_000) / 3),
  );
  timer.unref();
  return {
    settled: async () => {
      clearInterval(timer);
      await renewing;
      return current;
    },
  };
}
