// The local runner's queue trigger: what the Functions host does for a queue-triggered function,
// read from the same host.json. It receives up to batchSize messages, fetches more once in-flight
// work drops to newBatchThreshold (so at most batchSize + newBatchThreshold run at once), and hands
// each to handleReceived (queueDrainReceive.ts: decode, call the handler, delete, release or poison,
// the message leased meanwhile, queueDrainLease.ts). When to receive next is queueDrainSchedule.ts:
// idle polling from 100 ms doubling up to maxPollingInterval, and `wake`, so a message sent (or
// due) is received then instead of at the next idle poll, as the host's queue watcher does for
// messages its own functions add.
import type { DequeuedMessageItem } from '@azure/storage-queue';
import { errorMessage } from '../errors';
import { silentLogger, type Logger } from '../log';
import { ensureQueue } from '../queue/ensureQueue';
import { classifyStorageError } from '../storage/classifyStorageError';
import type { StorageClients } from '../storage/storageClients';
import type { HostQueueSettings } from './hostQueueSettings';
import { handleReceived, type QueueMessageHandler, type ReceiveOptions } from './queueDrainReceive';
import { createDrainSchedule } from './queueDrainSchedule';

export type { QueueMessageHandler, QueueMessageInfo } from './queueDrainReceive';

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

export function startQueueDrain(options: QueueDrainOptions): QueueDrain {
  const { clients, queueName, settings } = options;
  const queue = clients.queue(queueName);
  const leaseSeconds = Math.max(1, Math.ceil((options.leaseMs ?? DEFAULT_LEASE_MS) / 1_000));
  const counts = { received: 0, succeeded: 0, failed: 0, poisoned: 0, undecodable: 0 };
  const running = new Set<Promise<void>>();
  const schedule = createDrainSchedule();
  const log = options.log ?? silentLogger;
  const receive: ReceiveOptions = {
    queue,
    queueName,
    leaseSeconds,
    log,
    poisonQueue: clients.queue(`${queueName}-poison`),
    settings,
    handler: options.handler,
    counts,
    wakeAfter: schedule.wakeAfter,
    ...(options.onPoisoned === undefined ? {} : { onPoisoned: options.onPoisoned }),
  };
  let activity = 0;
  let lastError: Error | null = null;

  const start = (message: DequeuedMessageItem): void => {
    activity += 1;
    counts.received += 1;
    const run = handleReceived(receive, message)
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
        schedule.interrupt();
      });
    running.add(run);
  };

  const receiveLoop = async (): Promise<void> => {
    let idleDelay = 0;
    while (!schedule.stopping()) {
      if (running.size > settings.newBatchThreshold) {
        // Woken when a handler finishes.
        await schedule.pause(settings.maxPollingIntervalMs, true);
        continue;
      }
      let batch: DequeuedMessageItem[];
      // What was sent before this receive, it sees.
      schedule.receiving();
      try {
        await ensureQueue(queue);
        batch = (await queue.receiveMessages({ numberOfMessages: settings.batchSize, visibilityTimeout: leaseSeconds }))
          .receivedMessageItems;
        lastError = null;
      } catch (error) {
        lastError = classifyStorageError(error, `receive from queue ${queueName}`, clients.endpoints, 'queue');
        log.warn('QueueReceiveFailed', { queue: queueName, error: lastError.message });
        await schedule.pause(settings.maxPollingIntervalMs);
        continue;
      }
      if (batch.length === 0) {
        idleDelay = Math.min(settings.maxPollingIntervalMs, idleDelay === 0 ? FIRST_IDLE_DELAY_MS : idleDelay * 2);
        await schedule.pause(idleDelay);
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
    wake: schedule.wakeAfter,
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
      schedule.stop();
      await loop;
      await Promise.all([...running]);
    },
  };
}
