import { GraphError } from '@microsoft/microsoft-graph-client';
import { AmbiguousOutcomeError, PermanentError, TransientError, errorMessage, retryAfterMs } from '../errors';

export interface GraphCallOptions {
  /** For a non-idempotent call (the create): an answer that may hide a success is ambiguous. */
  readonly sideEffect?: boolean;
}

/**
 * 4xx but 408/429 are permanent: the request itself is wrong or not allowed. 429 means it was not
 * processed. 408, 5xx, resets and timeouts are transient, and for a create also ambiguous: the
 * image may exist.
 */
export function classifyGraphError(error: unknown, what: string, options: GraphCallOptions = {}): PermanentError | TransientError {
  if (error instanceof GraphError) {
    const status = error.statusCode > 0 ? error.statusCode : null;
    const message = `${what}: ${status ?? 'no answer'}${error.code === null ? '' : ` ${error.code}`}: ${error.message}`;
    if (status === 429) return new TransientError(message, status, retryAfterMs(error.headers), { cause: error });
    if (status !== null && status >= 400 && status < 500 && status !== 408) return new PermanentError(message, status, error.code, { cause: error });
    // A Retry-After on a lost create is kept: the create is not sent again before it has passed.
    if (options.sideEffect === true) return new AmbiguousOutcomeError(message, status, retryAfterMs(error.headers), { cause: error });
    return new TransientError(message, status, retryAfterMs(error.headers), { cause: error });
  }
  const message = `${what}: ${errorMessage(error)}`;
  return options.sideEffect === true ? new AmbiguousOutcomeError(message, null, null, { cause: error }) : new TransientError(message, null, null, { cause: error });
}
