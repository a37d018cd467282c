import { isRestError } from '@azure/core-rest-pipeline';
import { PermanentError, TransientError, errorMessage } from '../errors';
import { retryAfterMs } from '../retryAfter';

/** 401, 403 and 404 are answers that will not change by waiting; everything else may. */
const PERMANENT_STATUSES = new Set([400, 401, 403, 404]);

export function classifyArmError(error: unknown, what: string): PermanentError | TransientError {
  if (isRestError(error)) {
    const status = error.statusCode ?? null;
    const code = error.code ?? null;
    const message = `${what}: ${status ?? 'no answer'}${code === null ? '' : ` ${code}`}: ${error.message}`;
    if (status !== null && PERMANENT_STATUSES.has(status)) return new PermanentError({ message, status, code, cause: error });
    // The SDK waited out Retry-After on its own retries; the last one's is kept for whoever tries next.
    const wait = status === 429 || status === 503 ? retryAfterMs(error.response?.headers) : null;
    return new TransientError({ message, status, retryAfterMs: wait, cause: error });
  }
  return new TransientError({ message: `${what}: ${errorMessage(error)}`, cause: error });
}
