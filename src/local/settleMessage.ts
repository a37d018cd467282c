// The three ends of a received message, as the Functions host's QueueProcessor does them: delete it
// (handled), release it (hidden for visibilityTimeout, then tried again), or poison it (copied,
// text unchanged, to `<queue>-poison`, then deleted). A message another receiver took over (pop
// receipt mismatch) or that is already gone is left alone, as the host does.
import type { DequeuedMessageItem, QueueClient } from '@azure/storage-queue';
import { ensureQueue } from '../queue/ensureQueue';
import { storageErrorCode, storageStatus } from '../storage/classifyStorageError';

function alreadySettled(error: unknown): boolean {
  const status = storageStatus(error);
  return status === 404 || (status === 400 && storageErrorCode(error) === 'PopReceiptMismatch');
}

async function tolerant(work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (!alreadySettled(error)) throw error;
  }
}

export function completeMessage(queue: QueueClient, message: DequeuedMessageItem): Promise<void> {
  return tolerant(() => queue.deleteMessage(message.messageId, message.popReceipt));
}

export function releaseMessage(queue: QueueClient, message: DequeuedMessageItem, visibilityTimeoutMs: number): Promise<void> {
  // Whole seconds, as the host's TimeSpan is sent; the text is left as it is.
  return tolerant(() => queue.updateMessage(message.messageId, message.popReceipt, undefined, Math.floor(visibilityTimeoutMs / 1_000)));
}

export async function poisonMessage(queue: QueueClient, poisonQueue: QueueClient, message: DequeuedMessageItem): Promise<void> {
  await ensureQueue(poisonQueue);
  await poisonQueue.sendMessage(message.messageText);
  await completeMessage(queue, message);
}
