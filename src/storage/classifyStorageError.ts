// Storage errors are classified once, here: the queue and ledger code throw what this returns.
import { isRestError } from '@azure/core-rest-pipeline';
import { AggregateAuthenticationError, AuthenticationError, CredentialUnavailableError } from '@azure/identity';
import { ForbiddenError, PermanentError, TransientError, errorMessage } from '../errors';
import type { StorageEndpoints } from './storageEndpoints';

/** Nothing answered at the storage endpoint: a wrong setting, a stopped emulator, or a network outage. */
export class StorageUnreachableError extends TransientError {
  constructor(
    message: string,
    readonly endpoint: string,
    options?: { cause?: unknown },
  ) {
    super({ message, ...options });
    this.name = 'StorageUnreachableError';
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'REQUEST_SEND_ERROR',
]);
const PERMANENT_STATUSES = new Set([400, 401, 403, 404, 405, 409, 411, 412, 413, 416]);

/** The HTTP status of a storage SDK error; null when there was no answer or it is not an SDK error. */
export function storageStatus(error: unknown): number | null {
  return isRestError(error) ? (error.statusCode ?? null) : null;
}

/** The storage service's error code (e.g. `EntityAlreadyExists`, `PopReceiptMismatch`), or the network error code. */
export function storageErrorCode(error: unknown): string | null {
  return isRestError(error) ? (error.code ?? null) : null;
}

function endpointOf(endpoints: StorageEndpoints, service: 'queue' | 'table'): string {
  return service === 'queue' ? endpoints.queue : endpoints.table;
}

function unreachableHint(endpoints: StorageEndpoints): string {
  return endpoints.isEmulator
    ? `start Azurite (npm start starts one) or point ${endpoints.setting} at a running one`
    : `check ${endpoints.setting} names the right storage account and that this host can reach it`;
}

function accessHint(endpoints: StorageEndpoints, service: 'queue' | 'table'): string {
  switch (endpoints.signedWith) {
    case 'account-key':
      return 'check the account key in AzureWebJobsStorage';
    case 'sas':
      return `the shared access signature in AzureWebJobsStorage does not allow this ${service} call: give one that does (docs/permissions.md lists what each command needs)`;
    case 'identity':
      return `grant the identity the ${service} data role this command needs (docs/permissions.md: "Storage Table Data Reader" on the table for status, "Storage Queue Data Message Sender" on the register queue for register, "Storage Queue Data Contributor" and "Storage Table Data Contributor" for the function app and sync)`;
  }
}

/**
 * Classifies an error from a queue or table call. `what` names the operation, e.g. `ledger update`.
 * Unreachable storage and refused access produce one line that names the setting to fix.
 */
export function classifyStorageError(
  error: unknown,
  what: string,
  endpoints: StorageEndpoints,
  service: 'queue' | 'table',
): TransientError | PermanentError {
  if (error instanceof TransientError || error instanceof PermanentError) return error;
  const endpoint = endpointOf(endpoints, service);
  if (
    error instanceof CredentialUnavailableError ||
    error instanceof AuthenticationError ||
    error instanceof AggregateAuthenticationError
  ) {
    const detail = errorMessage(error).split('\n')[0] ?? '';
    return new PermanentError({
      message: `${what}: no Azure identity could sign in to storage at ${endpoint} (${detail}): for ${endpoints.setting}, enable a managed identity in Azure or sign in (az login) locally, or set AzureWebJobsStorage to a connection string instead`,
      status: null,
      code: 'CredentialUnavailable',
      cause: error,
    });
  }
  if (!isRestError(error)) return new TransientError({ message: `${what}: ${errorMessage(error)}`, cause: error });
  const status = error.statusCode ?? null;
  const code = error.code ?? null;
  if (status === null) {
    if (code !== null && NETWORK_CODES.has(code)) {
      return new StorageUnreachableError(
        `storage is unreachable at ${endpoint} (${code}) during ${what}: ${unreachableHint(endpoints)}`,
        endpoint,
        { cause: error },
      );
    }
    return new TransientError({ message: `${what}: no answer from storage at ${endpoint}: ${error.message}`, cause: error });
  }
  const summary = `${what}: storage answered ${status}${code === null ? '' : ` ${code}`}`;
  if (status === 401 || status === 403) {
    return new ForbiddenError({ message: `${summary} at ${endpoint}: ${accessHint(endpoints, service)}`, status, code, cause: error });
  }
  if (PERMANENT_STATUSES.has(status))
    return new PermanentError({ message: `${summary}: ${error.message.split('\n')[0] ?? ''}`, status, code, cause: error });
  return new TransientError({ message: summary, status, cause: error });
}
