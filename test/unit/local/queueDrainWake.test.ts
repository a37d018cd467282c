// The drain's wake-ups, on a queue held in memory and a fake clock: when a message is known to be
// visible (now, or when a delay or a release ends), the drain receives it then rather than at its
// next idle poll, which has backed off towards maxPollingInterval.
import type { DequeuedMessageItem, QueueClient } from '@azure/storage-queue';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HostQueueSettings } from '../../../src/local/hostQueueSettings';
import { type QueueDrain, type QueueMessageHandler, startQueueDrain } from '../../../src/local/queueDrain';
import { encodeMessage } from '../../../src/queue/messageEncoding';
import type { StorageClients } from '../../../src/storage/storageClients';

const SETTINGS: HostQueueSettings = {
  batchSize: 4,
  newBatchThreshold: 2,
  maxDequeueCount: 3,
  visibilityTimeoutMs: 30_000,
  maxPollingIntervalMs: 60_000,
  messageEncoding: 'base64',
};

interface StoredMessage {
  readonly messageId: string;
  readonly messageText: string;
  visibleAt: number;
  dequeueCount: number;
  popReceipt: string;
}

/** The part of a QueueClient the drain uses, over an array; visibility follows Date.now() (faked). */
function memoryQueue(name: string) {
  const messages: StoredMessage[] = [];
  let receives = 0;
  let receipts = 0;
  const find = (messageId: string, popReceipt: string) =>
    messages.find((message) => message.messageId === messageId && message.popReceipt === popReceipt);
  const client = {
    name,
    url: `memory://${name}`,
    createIfNotExists: async () => ({ succeeded: false }),
    receiveMessages: async (options: { numberOfMessages: number; visibilityTimeout: number }) => {
      receives += 1;
      const now = Date.now();
      const visible = messages.filter((message) => message.visibleAt <= now).slice(0, options.numberOfMessages);
      const receivedMessageItems = visible.map((message): DequeuedMessageItem => {
        message.visibleAt = now + options.visibilityTimeout * 1000;
        message.dequeueCount += 1;
        message.popReceipt = `receipt-${++receipts}`;
        return {
          messageId: message.messageId,
          messageText: message.messageText,
          dequeueCount: message.dequeueCount,
          popReceipt: message.popReceipt,
          insertedOn: new Date(now),
          expiresOn: new Date(now + 3_600_000),
          nextVisibleOn: new Date(message.visibleAt),
        };
      });
      return { receivedMessageItems };
    },
    deleteMessage: async (messageId: string, popReceipt: string) => {
      const message = find(messageId, popReceipt);
      if (message !== undefined) messages.splice(messages.indexOf(message), 1);
      return {};
    },
    updateMessage: async (messageId: string, popReceipt: string, _text: string | undefined, visibilityTimeout: number) => {
      const message = find(messageId, popReceipt);
      if (message !== undefined) message.visibleAt = Date.now() + visibilityTimeout * 1000;
      return {};
    },
    sendMessage: async (messageText: string) => {
      messages.push({ messageId: `m-${messages.length + 1}`, messageText, visibleAt: Date.now(), dequeueCount: 0, popReceipt: '' });
      return {};
    },
  };
  return {
    client,
    receives: () => receives,
    put(message: unknown, delayMs = 0): void {
      messages.push({
        messageId: `m-${messages.length + 1}`,
        messageText: encodeMessage(message),
        visibleAt: Date.now() + delayMs,
        dequeueCount: 0,
        popReceipt: '',
      });
    },
  };
}

function memoryStorage(): { clients: StorageClients; queue: ReturnType<typeof memoryQueue> } {
  const queues = new Map<string, ReturnType<typeof memoryQueue>>();
  const queueNamed = (name: string) => {
    let queue = queues.get(name);
    if (queue === undefined) {
      queue = memoryQueue(name);
      queues.set(name, queue);
    }
    return queue;
  };
  const clients = {
    endpoints: { queue: 'memory://queues', table: 'memory://tables', setting: 'AzureWebJobsStorage' },
    queue: (name: string) => queueNamed(name).client as unknown as QueueClient,
  } as unknown as StorageClients;
  return { clients, queue: queueNamed('jobs') };
}

const drains: QueueDrain[] = [];

beforeEach(() => {
  vi.useFakeTimers();
  // A whole second, so the wake-up slots (50 ms) fall where the tests say.
  vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
});

afterEach(async () => {
  const stopping = Promise.all(drains.splice(0).map((drain) => drain.stop()));
  await vi.runOnlyPendingTimersAsync();
  await stopping;
  vi.useRealTimers();
});

function start(handler: QueueMessageHandler) {
  const storage = memoryStorage();
  const drain = startQueueDrain({ clients: storage.clients, queueName: 'jobs', settings: SETTINGS, handler });
  drains.push(drain);
  return { drain, queue: storage.queue };
}

describe('a drain that is woken', () => {
  it('receives a message sent while its idle poll had backed off, without waiting for that poll', async () => {
    const handled: unknown[] = [];
    const { drain, queue } = start(async (message) => {
      handled.push(message);
    });
    // 30 s of an empty queue: the idle polls have backed off (100 ms doubling); the next is ~20 s away.
    await vi.advanceTimersByTimeAsync(30_000);
    queue.put({ job: 1 });
    drain.wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(handled).toEqual([{ job: 1 }]);
  });

  it('receives a delayed message when its delay ends', async () => {
    const handled: unknown[] = [];
    const { drain, queue } = start(async (message) => {
      handled.push(message);
    });
    await vi.advanceTimersByTimeAsync(30_000);
    queue.put({ check: 1 }, 1_000);
    drain.wake(1_000);
    await vi.advanceTimersByTimeAsync(999);
    expect(handled).toEqual([]);
    // Wake-ups are kept in 50 ms slots.
    await vi.advanceTimersByTimeAsync(51);
    expect(handled).toEqual([{ check: 1 }]);
  });

  it('takes a failed message again when its visibilityTimeout ends', async () => {
    let deliveries = 0;
    const { queue } = start(async () => {
      deliveries += 1;
      if (deliveries === 1) throw new Error('transient');
    });
    queue.put({ job: 2 });
    await vi.advanceTimersByTimeAsync(200);
    expect(deliveries).toBe(1);
    // By now the idle polls have backed off past the release: only the wake-up brings it back in time.
    await vi.advanceTimersByTimeAsync(SETTINGS.visibilityTimeoutMs + 50);
    expect(deliveries).toBe(2);
  });

  it('merges wake-ups due in the same 50 ms into one receive', async () => {
    const { drain, queue } = start(async () => undefined);
    await vi.advanceTimersByTimeAsync(30_000);
    const receivesBefore = queue.receives();
    for (let index = 1; index <= 10; index++) drain.wake(1_000 + index);
    await vi.advanceTimersByTimeAsync(1_060);
    expect(queue.receives()).toBe(receivesBefore + 1);
  });
});
