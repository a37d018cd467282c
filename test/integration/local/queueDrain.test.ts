import { afterEach, describe, expect, it } from 'vitest';
import type { HostQueueSettings } from '../../../src/local/hostQueueSettings';
import { startQueueDrain, type QueueDrain, type QueueMessageHandler, type QueueMessageInfo } from '../../../src/local/queueDrain';
import { probeQueues } from '../../../src/local/queuesIdle';
import { encodeMessage } from '../../../src/queue/messageEncoding';
import { registerJob } from '../../unit/queue/messageBuilders';
import { testStorageClients, uniqueQueueName, until } from '../../support/storage';

const SETTINGS: HostQueueSettings = {
  batchSize: 4,
  newBatchThreshold: 2,
  maxDequeueCount: 3,
  visibilityTimeoutMs: 0,
  maxPollingIntervalMs: 200,
  messageEncoding: 'base64',
};

const drains: QueueDrain[] = [];

afterEach(async () => {
  await Promise.all(drains.splice(0).map((drain) => drain.stop()));
});

async function setUp(handler: QueueMessageHandler, settings: Partial<HostQueueSettings> = {}) {
  const clients = testStorageClients();
  const queueName = uniqueQueueName('drain');
  const queue = clients.queue(queueName);
  const poison = clients.queue(`${queueName}-poison`);
  await queue.create();
  const start = (): QueueDrain => {
    const drain = startQueueDrain({ clients, queueName, settings: { ...SETTINGS, ...settings }, handler, leaseMs: 5_000 });
    drains.push(drain);
    return drain;
  };
  return { clients, queueName, queue, poison, start };
}

const remaining = async (queue: { getProperties(): Promise<{ approximateMessagesCount?: number }> }): Promise<number> =>
  (await queue.getProperties()).approximateMessagesCount ?? 0;

describe('the queue drain', () => {
  it('hands the handler the parsed message and its metadata, and deletes it on success', async () => {
    const seen: Array<{ message: unknown; info: QueueMessageInfo }> = [];
    const { queue, start, queueName } = await setUp(async (message, info) => {
      seen.push({ message, info });
    });
    const sent = await queue.sendMessage(encodeMessage(registerJob()));
    const drain = start();
    await until(() => drain.stats().succeeded === 1, 5_000, 'the message to be handled');
    expect(seen).toEqual([
      { message: registerJob(), info: { queueName, id: sent.messageId, dequeueCount: 1, insertedOn: expect.any(Date) } },
    ]);
    await until(async () => (await remaining(queue)) === 0, 5_000, 'the message to be deleted');
  });

  it('passes text that is not JSON as a string, and JSON scalars parsed, as the Node worker does', async () => {
    const seen: unknown[] = [];
    const { queue, start } = await setUp(async (message) => {
      seen.push(message);
    });
    await queue.sendMessage(Buffer.from('plain words').toString('base64'));
    await queue.sendMessage(Buffer.from('42').toString('base64'));
    const drain = start();
    await until(() => drain.stats().succeeded === 2, 5_000, 'both messages');
    expect(seen.sort()).toEqual([42, 'plain words'].sort());
  });

  it('passes the text as it is when messageEncoding is none', async () => {
    const seen: unknown[] = [];
    const { queue, start } = await setUp(
      async (message) => {
        seen.push(message);
      },
      { messageEncoding: 'none' },
    );
    await queue.sendMessage('{"v":1}');
    const drain = start();
    await until(() => drain.stats().succeeded === 1, 5_000, 'the message');
    expect(seen).toEqual([{ v: 1 }]);
  });

  it('retries a failing message and, after maxDequeueCount, moves its text unchanged to <queue>-poison', async () => {
    const deliveries: number[] = [];
    const { queue, poison, start } = await setUp(async (_message, info) => {
      deliveries.push(info.dequeueCount);
      throw new Error('always fails');
    });
    const text = encodeMessage(registerJob());
    await queue.sendMessage(text);
    const drain = start();
    await until(() => drain.stats().poisoned === 1, 8_000, 'the message to be poisoned');
    expect(deliveries).toEqual([1, 2, 3]);
    const [poisoned] = (await poison.receiveMessages()).receivedMessageItems;
    expect(poisoned?.messageText).toBe(text);
    await until(async () => (await remaining(queue)) === 0, 5_000, 'the original to be deleted');
    expect(drain.stats()).toMatchObject({ received: 3, failed: 3, succeeded: 0, poisoned: 1 });
  });

  it('completes a message that succeeds on a later delivery, after visibilityTimeout', async () => {
    const attempts: Array<{ dequeueCount: number; at: number }> = [];
    const { queue, poison, start } = await setUp(
      async (_message, info) => {
        attempts.push({ dequeueCount: info.dequeueCount, at: Date.now() });
        if (info.dequeueCount === 1) throw new Error('transient');
      },
      { visibilityTimeoutMs: 1_000 },
    );
    await queue.sendMessage(encodeMessage(registerJob()));
    const drain = start();
    await until(() => drain.stats().succeeded === 1, 8_000, 'the second delivery');
    expect(attempts.map((attempt) => attempt.dequeueCount)).toEqual([1, 2]);
    const [first, second] = attempts;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(900);
    expect(await poison.exists()).toBe(false);
  });

  it('never runs more than batchSize + newBatchThreshold handlers at once', async () => {
    let running = 0;
    let most = 0;
    const { queue, start } = await setUp(async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 120));
      running -= 1;
    });
    await Promise.all(Array.from({ length: 20 }, (_, index) => queue.sendMessage(encodeMessage({ index }))));
    const drain = start();
    await until(() => drain.stats().succeeded === 20, 15_000, 'all twenty messages');
    expect(most).toBeLessThanOrEqual(SETTINGS.batchSize + SETTINGS.newBatchThreshold);
    expect(most).toBeGreaterThanOrEqual(SETTINGS.batchSize);
  });

  it('moves a message that is not base64 to the poison queue at once, unchanged, without calling the handler', async () => {
    let calls = 0;
    const { queue, poison, start } = await setUp(async () => {
      calls += 1;
    });
    await queue.sendMessage('{"v":1,"not":"encoded"}');
    const drain = start();
    await until(() => drain.stats().poisoned === 1, 5_000, 'the undecodable message');
    expect(calls).toBe(0);
    expect(drain.stats()).toMatchObject({ undecodable: 1, received: 1 });
    expect((await poison.receiveMessages()).receivedMessageItems[0]?.messageText).toBe('{"v":1,"not":"encoded"}');
  });

  it('poisons without calling the handler a message already dequeued more than maxDequeueCount times', async () => {
    let calls = 0;
    const { queue, poison, start } = await setUp(async () => {
      calls += 1;
    });
    await queue.sendMessage(encodeMessage(registerJob()));
    // Three receives that never settle, as a host that crashed mid-message would leave it.
    for (let receive = 0; receive < SETTINGS.maxDequeueCount; receive += 1) {
      const [message] = (await queue.receiveMessages({ visibilityTimeout: 1 })).receivedMessageItems;
      await queue.updateMessage(message?.messageId ?? '', message?.popReceipt ?? '', undefined, 0);
    }
    const drain = start();
    await until(() => drain.stats().poisoned === 1, 5_000, 'the over-delivered message');
    expect(calls).toBe(0);
    expect((await poison.peekMessages()).peekedMessageItems).toHaveLength(1);
  });

  it('reports idle only when nothing runs and nothing is visible, and counts hidden messages apart', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { queue, start } = await setUp(async () => gate);
    const drain = start();
    await until(async () => (await probeQueues([drain])).idle, 5_000, 'the empty queue to be idle');
    await queue.sendMessage(encodeMessage(registerJob()));
    await until(() => drain.inFlight() === 1, 5_000, 'the handler to start');
    expect((await probeQueues([drain])).idle).toBe(false);
    release();
    await until(async () => (await probeQueues([drain])).idle, 5_000, 'the drain to settle');
    await queue.sendMessage(encodeMessage(registerJob()), { visibilityTimeout: 60 });
    const snapshot = await probeQueues([drain]);
    expect(snapshot).toMatchObject({ idle: true, inFlight: 0, approximateMessagesCount: 1 });
  });

  it('stops receiving and waits for the handlers that are running', async () => {
    let finished = false;
    const { queue, start } = await setUp(async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      finished = true;
    });
    await queue.sendMessage(encodeMessage(registerJob()));
    const drain = start();
    await until(() => drain.inFlight() === 1, 5_000, 'the handler to start');
    await drain.stop();
    expect(finished).toBe(true);
    expect(drain.stats().succeeded).toBe(1);
    await until(async () => (await remaining(queue)) === 0, 5_000, 'the message to be deleted');
  });
});
