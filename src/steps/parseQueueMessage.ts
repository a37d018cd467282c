import { InvalidMessageError } from '../errors';
import type { SyncDeps } from '../ports';
import { reportProblem } from './reportFailure';

export interface MessageMeta {
  /** The queue message id, when the trigger gives one. */
  readonly messageId: string | null;
}

/**
 * A queue message parsed at the edge. One that can never be processed is recorded as one problem
 * (and alerted) and completed: null, never a retry loop.
 */
export async function parseQueueMessage<T>(
  deps: SyncDeps,
  queue: string,
  message: unknown,
  meta: MessageMeta,
  parse: (input: unknown, queue: string) => T,
): Promise<T | null> {
  try {
    return parse(message, queue);
  } catch (error) {
    if (!(error instanceof InvalidMessageError)) throw error;
    await reportProblem(deps, {
      kind: 'invalid-message',
      subject: `${queue}/${meta.messageId ?? 'unknown'}`,
      detail: `${queue}: ${error.message}`,
    });
    return null;
  }
}
