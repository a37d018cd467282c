// Sends the two job messages: validated against the contract, base64 on the wire, optionally delayed.
import type { QueueClient } from '@azure/storage-queue';
import type { RegisterJob, StatusCheck } from '../domain';
import { silentLogger, type Logger } from '../log';
import { classifyStorageError, storageErrorCode } from '../storage/classifyStorageError';
import type { StorageClients } from '../storage/storageClients';
import type { JobQueues } from '../sync/ports';
import { ensureQueue, forgetQueue } from './ensureQueue';
import { encodeMessage } from './messageEncoding';
import { MAX_MESSAGE_BYTES, parseRegisterJob, parseStatusCheck } from './parseMessage';

/** Azure's longest visibility timeout for a new message. */
export const MAX_DELAY_SECONDS = 7 * 24 * 3600;

export interface JobQueueNames {
  readonly registerQueue: string;
  readonly statusQueue: string;
}

/** Whole seconds from 0 to 7 days; a longer delay is capped (the receiver re-checks its clock anyway). */
export function delayToVisibilityTimeout(delaySeconds: number): number {
  if (!Number.isFinite(delaySeconds)) throw new RangeError(`a queue delay must be a number of seconds, not ${delaySeconds}`);
  return Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(delaySeconds)));
}

export function createJobQueues(clients: StorageClients, names: JobQueueNames, log: Logger = silentLogger): JobQueues {
  const register = clients.queue(names.registerQueue);
  const status = clients.queue(names.statusQueue);

  const send = async (queue: QueueClient, message: unknown, delaySeconds: number): Promise<void> => {
    const text = encodeMessage(message);
    if (text.length > MAX_MESSAGE_BYTES) throw new RangeError(`a ${queue.name} message of ${text.length} bytes exceeds the 64 KB limit`);
    const visibilityTimeout = delayToVisibilityTimeout(delaySeconds);
    // Never expires (-1): a message is handled or poisoned, never dropped silently; it also lets a
    // delay reach the full 7 days, which must be shorter than the time to live.
    const options = { visibilityTimeout, messageTimeToLive: -1 };
    try {
      await ensureQueue(queue);
      let sent;
      try {
        sent = await queue.sendMessage(text, options);
      } catch (error) {
        if (storageErrorCode(error) !== 'QueueNotFound') throw error;
        forgetQueue(queue);
        await ensureQueue(queue);
        sent = await queue.sendMessage(text, options);
      }
      log.debug('QueueMessageSent', { queue: queue.name, messageId: sent.messageId, delaySeconds: visibilityTimeout });
    } catch (error) {
      throw classifyStorageError(error, `send to queue ${queue.name}`, clients.endpoints, 'queue');
    }
  };

  return {
    // Parsing our own messages first means a bug here fails loudly now, not as a poison message later.
    sendRegisterJob: async (job: RegisterJob, delaySeconds = 0) => send(register, parseRegisterJob(job, register.name), delaySeconds),
    sendStatusCheck: async (check: StatusCheck, delaySeconds: number) => send(status, parseStatusCheck(check, status.name), delaySeconds),
  };
}
