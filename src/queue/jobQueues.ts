// Sends the two job messages: validated against the contract, base64 on the wire, optionally delayed.
import type { QueueClient } from '@azure/storage-queue';
import type { RegisterJob, StatusCheck } from '../domain';
import { ForbiddenError } from '../errors';
import { silentLogger, type Logger } from '../log';
import { classifyStorageError, storageErrorCode } from '../storage/classifyStorageError';
import type { StorageClients } from '../storage/storageClients';
import type { JobQueues } from '../ports';
import { ensureQueue, forgetQueue } from './ensureQueue';
import { encodeMessage } from './messageEncoding';
import { MAX_MESSAGE_BYTES, parseRegisterJob, parseStatusCheck } from '../parse/parseMessage';

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
      let sent;
      try {
        sent = await queue.sendMessage(text, options);
      } catch (error) {
        // The infrastructure creates the queues; a sender without the right to create one (a build
        // pipeline holds only Message Sender) is told so, rather than failing on a create it never needed.
        if (storageErrorCode(error) !== 'QueueNotFound') throw error;
        forgetQueue(queue);
        await createMissingQueue(queue);
        sent = await queue.sendMessage(text, options);
      }
      log.debug('QueueMessageSent', { queue: queue.name, messageId: sent.messageId, delaySeconds: visibilityTimeout });
    } catch (error) {
      throw classifyStorageError(error, `send to queue ${queue.name}`, clients.endpoints, 'queue');
    }
  };

  const createMissingQueue = async (queue: QueueClient): Promise<void> => {
    try {
      await ensureQueue(queue);
    } catch (error) {
      const refused = classifyStorageError(error, `create the missing queue ${queue.name}`, clients.endpoints, 'queue');
      if (!(refused instanceof ForbiddenError)) throw refused;
      throw new ForbiddenError({
        message: `the queue ${queue.name} does not exist at ${clients.endpoints.queue}, and this identity may not create it: deploy the app's infrastructure (it creates the queues), or check that ${queue === register ? 'IMAGE_SYNC_REGISTER_QUEUE' : 'IMAGE_SYNC_STATUS_QUEUE'} names the queue the function app uses`,
        status: refused.status === 401 ? 401 : 403,
        code: refused.code,
        cause: error,
      });
    }
  };

  return {
    // Parsing our own messages first means a bug here fails loudly now, not as a poison message later.
    sendRegisterJob: async (job: RegisterJob, delaySeconds = 0) => send(register, parseRegisterJob(job, register.name), delaySeconds),
    sendStatusCheck: async (check: StatusCheck, delaySeconds: number) => send(status, parseStatusCheck(check, status.name), delaySeconds),
  };
}
