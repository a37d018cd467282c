import { describe, expect, it } from 'vitest';
import { InvalidMessageError } from '../../../src/errors';
import { createJobQueues } from '../../../src/queue/jobQueues';
import { decodeMessageText } from '../../../src/queue/messageEncoding';
import { parseRegisterJob, parseStatusCheck } from '../../../src/parse/parseMessage';
import { isContractValid } from '../../unit/queue/contractSchema';
import { registerJob, statusCheck } from '../../unit/queue/messageBuilders';
import { testStorageClients, uniqueQueueName, until } from '../../support/storage';

function queuesUnderTest() {
  const clients = testStorageClients();
  const names = { registerQueue: uniqueQueueName('register'), statusQueue: uniqueQueueName('status') };
  return {
    clients,
    names,
    queues: createJobQueues(clients, names),
    register: clients.queue(names.registerQueue),
    status: clients.queue(names.statusQueue),
  };
}

describe('JobQueues', () => {
  it('creates the queue and sends a register job as base64 JSON that round-trips and meets the contract', async () => {
    const { queues, register } = queuesUnderTest();
    const job = registerJob({ trigger: 'manual', operatingSystem: 'Windows 11' });
    await queues.sendRegisterJob(job);
    const [received] = (await register.receiveMessages()).receivedMessageItems;
    expect(received?.messageText).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    const text = decodeMessageText(received?.messageText ?? '');
    expect(JSON.parse(text)).toEqual(job);
    expect(isContractValid('registerJob', JSON.parse(text))).toBe(true);
    expect(parseRegisterJob(text)).toEqual(job);
  });

  it('sends a status check that stays invisible until its delay has passed', async () => {
    const { queues, status } = queuesUnderTest();
    const check = statusCheck({ check: 2 });
    const sentAt = Date.now();
    await queues.sendStatusCheck(check, 1);
    expect((await status.peekMessages()).peekedMessageItems).toHaveLength(0);
    expect((await status.getProperties()).approximateMessagesCount).toBe(1);
    await until(async () => (await status.peekMessages()).peekedMessageItems.length === 1, 5_000, 'the delayed message');
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(900);
    const [received] = (await status.receiveMessages()).receivedMessageItems;
    const text = decodeMessageText(received?.messageText ?? '');
    expect(parseStatusCheck(text)).toEqual(check);
    expect(isContractValid('statusCheck', JSON.parse(text))).toBe(true);
  });

  it('sends messages that never expire, so none is dropped silently', async () => {
    const { queues, register } = queuesUnderTest();
    await queues.sendRegisterJob(registerJob());
    const [peeked] = (await register.peekMessages()).peekedMessageItems;
    expect(peeked?.expiresOn.getUTCFullYear()).toBeGreaterThanOrEqual(9999);
  });

  it('recreates a queue that was deleted after it was first used', async () => {
    const { queues, register } = queuesUnderTest();
    await queues.sendRegisterJob(registerJob());
    await register.delete();
    await queues.sendRegisterJob(registerJob({ version: '1.2.1' }));
    const [received] = (await register.receiveMessages()).receivedMessageItems;
    expect(parseRegisterJob(decodeMessageText(received?.messageText ?? '')).version).toBe('1.2.1');
  });

  it('refuses to send a message that breaks the contract, and sends nothing', async () => {
    const { queues, register } = queuesUnderTest();
    await expect(queues.sendRegisterJob({ ...registerJob(), version: 'latest' })).rejects.toBeInstanceOf(InvalidMessageError);
    expect(await register.exists()).toBe(false);
  });
});
