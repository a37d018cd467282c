import { isRestError } from '@azure/core-rest-pipeline';
import { PermanentError, TransientError, errorMessage } from '../errors';

/** 401, 403 and 404 are answers that will not change by waiting; everything else may. */
const PERMANENT_STATUSES = new Set([400, 401, 403, 404]);

export function classifyArmError(error: unknown, what: string): PermanentError | TransientError {
  if (isRestError(error)) {
    const status = error.statusCode ?? null;
    const code = error.code ?? null;
    const message = `${what}: ${status ?? 'no answer'}${code === null ? '' : ` ${code}`}: ${error.message}`;
    if (status !== null && PERMANENT_STATUSES.has(status)) return new PermanentError(message, status, code, { cause: error });
    return new TransientError(message, status, null, { cause: error });
  }
  return new TransientError(`${what}: ${errorMessage(error)}`, null, null, { cause: error });
}
