// The local runner's queue trigger: what the Functions host does for a queue-triggered function,
// read from the same host.json. It receives up to batchSize messages, fetches more once in-flight
// work drops to newBatchThreshold (so at most batchSize + newBatchThreshold run at once), decodes
// each message, calls the handler, and deletes, releases or poisons the message by the outcome.
// An empty queue is polled from 100 ms, doubling up to maxPollingInterval; `wake` says a message is
// (or will be) visible, so it is received then instead of at the next idle poll, as the host's
// queue watcher does for messages its own functions add.
import type { DequeuedMessageItem } from '@azure/storage-queue';
import { errorMessage } from '../errors';
import { silentLogger, type Logger } from '../log';
import { ensureQueue } from '../queue/ensureQueue';
import { MessageDecodingError } from '../queue/messageEncoding';
import { classifyStorageError } from '../storage/classifyStorageError';
import type { StorageClients } from '../storage/storageClients';
import type { HostQueueSettings } from './hostQueueSettings';
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

export interface QueueDrainOptions {
  readonly clients: StorageClients;
  readonly queueName: string;
  readonly settings: HostQueueSettings;
  readonly handler: QueueMessageHandler;
  readonly log?: Logger;
  /** How long a received message stays hidden while its handler runs; the host's 10 minutes by default. */
  readonly leaseMs?: number;
  /** Called after a message was moved to `<queue>-poison` (so its drain can be woken). */
  readonly onPoisoned?: () => void;
}

export interface QueueDrainStats {
  readonly received: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly poisoned: number;
  readonly undecodable: number;
}

/** What can be known of a queue from outside: nothing says when a hidden message will reappear. */
export interface QueueDrainProbe {
  readonly queueName: string;
  /** Messages whose handler is running (or whose outcome is being written). */
  readonly inFlight: number;
  /** A message can be received now. */
  readonly hasVisibleMessages: boolean;
  /** Visible and hidden (delayed or released) messages, as Azure estimates it. */
  readonly approximateMessagesCount: number;
}

export interface QueueDrain {
  readonly queueName: string;
  inFlight(): number;
  /** Grows with every receive and every settled message: unchanged across a probe means nothing happened. */
  activity(): number;
  stats(): QueueDrainStats;
  /** The last receive error (storage unreachable, say), cleared by the next successful receive. */
  lastError(): Error | null;
  probe(): Promise<QueueDrainProbe>;
  /**
   * A message was sent that is visible now, or will be in `afterMs` (a delayed send): receive then
   * rather than at the next idle poll. Wake-ups due within the same 50 ms are merged.
   */
  wake(afterMs?: number): void;
  /** Stops receiving and waits for the handlers running now to finish and be settled. */
  stop(): Promise<void>;
}

const DEFAULT_LEASE_MS = 30_000;
const FIRST_IDLE_DELAY_MS = 100;
/** Delayed wake-ups due within this span share one timer. */
const WAKE_GRANULARITY_MS = 50;

export function startQueueDrain(options: QueueDrainOptions): QueueDrain {
  const { clients, queueName, settings, handler } = options;
  const log = options.log ?? silentLogger;
  const queue = clients.queue(queueName);
  const poisonQueue = clients.queue(`${queueName}-poison`);
  const leaseSeconds = Math.max(1, Math.ceil((options.leaseMs ?? DEFAULT_LEASE_MS) / 1_000));
  const counts = { received: 0, succeeded: 0, failed: 0, poisoned: 0, undecodable: 0 };
  const running = new Set<Promise<void>>();
  let activity = 0;
  let lastError: Error | null = null;
  let stopping = false;
  let wake: (() => void) | null = null;
  /** Set by wakeNow; the next pause returns at once, and the receive it leads to clears it. */
  let wakeRequested = false;
  const wakeTimers = new Map<number, NodeJS.Timeout>();

  /** Waits ms, or less when woken; a pending wake-up ends it at once unless it waits for a handler slot. */
  const pause = (ms: number, forSlot = false): Promise<void> =>
    new Promise((resolve) => {
      if ((wakeRequested && !forSlot) || stopping) {
        resolve();
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      wake = done;
    });

  const wakeNow = (): void => {
    wakeRequested = true;
    wake?.();
  };

  const wakeAfter = (afterMs: number): void => {
    if (stopping) return;
    if (!(afterMs > 0)) {
      wakeNow();
      return;
    }
    const slot = Math.ceil((Date.now() + afterMs) / WAKE_GRANULARITY_MS);
    if (wakeTimers.has(slot)) return;
    const timer = setTimeout(
      () => {
        wakeTimers.delete(slot);
        wakeNow();
      },
      slot * WAKE_GRANULARITY_MS - Date.now(),
    );
    wakeTimers.set(slot, timer);
  };

  const poison = async (message: DequeuedMessageItem, why: string): Promise<void> => {
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
  };

  /** Keeps a received message hidden while its handler runs (a short lease, renewed): a killed runner's messages come back within one lease. */
  const keepLeased = (message: DequeuedMessageItem): { settled: () => Promise<DequeuedMessageItem> } => {
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
  };

  const handle = async (received: DequeuedMessageItem): Promise<void> => {
    const lease = keepLeased(received);
    try {
      await handleLeased(received, lease.settled);
    } finally {
      await lease.settled();
    }
  };

  const handleLeased = async (received: DequeuedMessageItem, endLease: () => Promise<DequeuedMessageItem>): Promise<void> => {
    let message = received;
    if (message.dequeueCount > settings.maxDequeueCount) {
      message = await endLease();
      await poison(message, `dequeued ${message.dequeueCount} times, over maxDequeueCount ${settings.maxDequeueCount}`);
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
      await poison(message, 'the message text is not valid base64 (host.json messageEncoding is base64)');
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
        await poison(message, `failed on delivery ${message.dequeueCount} of maxDequeueCount ${settings.maxDequeueCount}`);
      } else {
        await releaseMessage(queue, message, settings.visibilityTimeoutMs);
        wakeAfter(settings.visibilityTimeoutMs);
      }
      return;
    }
    counts.succeeded += 1;
    message = await endLease();
    await completeMessage(queue, message);
  };

  const start = (message: DequeuedMessageItem): void => {
    activity += 1;
    counts.received += 1;
    const run = handle(message)
      .catch((error: unknown) => {
        // Writing the outcome failed; the lease expires and the message is delivered again.
        log.error('QueueMessageSettleFailed', {
          queue: queueName,
          messageId: message.messageId,
          error: errorMessage(classifyStorageError(error, `settle a ${queueName} message`, clients.endpoints, 'queue')),
        });
      })
      .finally(() => {
        running.delete(run);
        activity += 1;
        wake?.();
      });
    running.add(run);
  };

  const receiveLoop = async (): Promise<void> => {
    let idleDelay = 0;
    while (!stopping) {
      if (running.size > settings.newBatchThreshold) {
        // Woken when a handler finishes.
        await pause(settings.maxPollingIntervalMs, true);
        continue;
      }
      let batch: DequeuedMessageItem[];
      // What was sent before this receive, it sees.
      wakeRequested = false;
      try {
        await ensureQueue(queue);
        batch = (await queue.receiveMessages({ numberOfMessages: settings.batchSize, visibilityTimeout: leaseSeconds }))
          .receivedMessageItems;
        lastError = null;
      } catch (error) {
        lastError = classifyStorageError(error, `receive from queue ${queueName}`, clients.endpoints, 'queue');
        log.warn('QueueReceiveFailed', { queue: queueName, error: lastError.message });
        await pause(settings.maxPollingIntervalMs);
        continue;
      }
      if (batch.length === 0) {
        idleDelay = Math.min(settings.maxPollingIntervalMs, idleDelay === 0 ? FIRST_IDLE_DELAY_MS : idleDelay * 2);
        await pause(idleDelay);
        continue;
      }
      idleDelay = 0;
      for (const message of batch) start(message);
    }
  };

  const loop = receiveLoop();

  return {
    queueName,
    inFlight: () => running.size,
    activity: () => activity,
    stats: () => ({ ...counts }),
    lastError: () => lastError,
    wake: wakeAfter,
    probe: async () => {
      try {
        await ensureQueue(queue);
        const [peeked, properties] = await Promise.all([queue.peekMessages({ numberOfMessages: 1 }), queue.getProperties()]);
        return {
          queueName,
          inFlight: running.size,
          hasVisibleMessages: peeked.peekedMessageItems.length > 0,
          approximateMessagesCount: properties.approximateMessagesCount ?? 0,
        };
      } catch (error) {
        throw classifyStorageError(error, `look into queue ${queueName}`, clients.endpoints, 'queue');
      }
    },
    stop: async () => {
      stopping = true;
      for (const timer of wakeTimers.values()) clearTimeout(timer);
      wakeTimers.clear();
      wake?.();
      await loop;
      await Promise.all([...running]);
    },
  };
}
