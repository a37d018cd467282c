// What happens to one received message, as the Functions host does it: over maxDequeueCount or not
// decodable, it is poisoned; otherwise the handler runs while the message stays leased, and the
// message is deleted (handled), released for another delivery (failed), or poisoned (failed on its
// last delivery).
import type { DequeuedMessageItem, QueueClient } from '@azure/storage-queue';
import { errorMessage } from '../errors';
import { MessageDecodingError } from '../queue/messageEncoding';
import type { HostQueueSettings } from './hostQueueSettings';
import { keepLeased, type LeaseOptions } from './queueDrainLease';
import { completeMessage, poisonMessage, releaseMessage } from './settleMessage';
import { toTriggerInput } from './triggerInput';

/** The trigger metadata a handler receives with a message. */
export interface QueueMessageInfo {
  readonly queueName: string;
  readonly id: string;
  readonly dequeueCount: number;
  readonly insertedOn: Date | null;
}

/** Resolves: handled (deleted). Throws: failed (tried again, or poisoned after maxDequeueCount). */
export type QueueMessageHandler = (message: unknown, info: QueueMessageInfo) => Promise<void>;

export interface ReceivedCounts {
  succeeded: number;
  failed: number;
  poisoned: number;
  undecodable: number;
}

export interface ReceiveOptions extends LeaseOptions {
  readonly poisonQueue: QueueClient;
  readonly settings: HostQueueSettings;
  readonly handler: QueueMessageHandler;
  readonly counts: ReceivedCounts;
  /** A released message is visible again in afterMs. */
  readonly wakeAfter: (afterMs: number) => void;
  readonly onPoisoned?: () => void;
}

/** Handles one received message and settles it; throws only when settling it failed. */
export async function handleReceived(options: ReceiveOptions, received: DequeuedMessageItem): Promise<void> {
  const lease = keepLeased(options, received);
  try {
    await handleLeased(options, received, lease.settled);
  } finally {
    await lease.settled();
  }
}

async function poison(options: ReceiveOptions, message: DequeuedMessageItem, why: string): Promise<void> {
  const { queue, queueName, poisonQueue, log, counts } = options;
  log.warn('QueueMessagePoisoned', {
    queue: queueName,
    poisonQueue: poisonQueue.name,
    messageId: message.messageId,
    dequeueCount: message.dequeueCount,
    why,
  });
  await poisonMessage(queue, poisonQueue, message);
  counts.poisoned += 1;
  options.onPoisoned?.();
}

async function handleLeased(
  options: ReceiveOptions,
  received: DequeuedMessageItem,
  endLease: () => Promise<DequeuedMessageItem>,
): Promise<void> {
  const { queue, queueName, settings, handler, counts, log } = options;
  let message = received;
  if (message.dequeueCount > settings.maxDequeueCount) {
    message = await endLease();
    await poison(options, message, `dequeued ${message.dequeueCount} times, over maxDequeueCount ${settings.maxDequeueCount}`);
    return;
  }
  let input: unknown;
  try {
    input = toTriggerInput(message.messageText, settings.messageEncoding);
  } catch (error) {
    if (!(error instanceof MessageDecodingError)) throw error;
    // The host moves a message it cannot decode to the poison queue at once: retrying cannot help.
    counts.undecodable += 1;
    message = await endLease();
    await poison(options, message, 'the message text is not valid base64 (host.json messageEncoding is base64)');
    return;
  }
  const info: QueueMessageInfo = {
    queueName,
    id: message.messageId,
    dequeueCount: message.dequeueCount,
    insertedOn: message.insertedOn ?? null,
  };
  try {
    await handler(input, info);
  } catch (error) {
    counts.failed += 1;
    message = await endLease();
    log.warn('QueueMessageFailed', {
      queue: queueName,
      messageId: message.messageId,
      dequeueCount: message.dequeueCount,
      error: errorMessage(error),
    });
    if (message.dequeueCount >= settings.maxDequeueCount) {
      await poison(options, message, `failed on delivery ${message.dequeueCount} of maxDequeueCount ${settings.maxDequeueCount}`);
    } else {
      await releaseMessage(queue, message, settings.visibilityTimeoutMs);
      options.wakeAfter(settings.visibilityTimeoutMs);
    }
    return;
  }
  counts.succeeded += 1;
  message = await endLease();
  await completeMessage(queue, message);
}
