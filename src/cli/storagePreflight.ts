// Before a command does anything, storage must answer. No command can finish without it, and the
// storage SDK's retries (or the ARM and Graph calls a command makes first) would take minutes to say so.
import { isRestError } from '@azure/core-rest-pipeline';
import { StorageUnreachableError, classifyStorageError } from '../storage/classifyStorageError';
import type { StorageClients } from '../storage/storageClients';
import type { StorageSetting } from '../storage/storageEndpoints';

/** Long enough for a slow network's first connection; well under the 30 s a person waits for an answer. */
export const STORAGE_ANSWER_TIMEOUT_MS = 20_000;

/** Storage did not answer the start-up check: names the endpoint and the setting that points there. */
export class StorageNotAnsweringError extends StorageUnreachableError {
  constructor(
    message: string,
    endpoint: string,
    readonly setting: StorageSetting,
    options?: { cause?: unknown },
  ) {
    super(message, endpoint, options);
    this.name = 'StorageNotAnsweringError';
  }
}

/**
 * Resolves once the queue and the table endpoint have each answered anything at all: a refusal
 * (403, 404) still means storage is there, and least-privilege identities get refusals here.
 */
export async function checkStorageAnswers(storage: StorageClients, table: string, timeoutMs = STORAGE_ANSWER_TIMEOUT_MS): Promise<void> {
  const { endpoints } = storage;
  const stop = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    stop.abort();
  }, timeoutMs);

  async function answers(service: 'queue' | 'table', call: (abortSignal: AbortSignal) => Promise<unknown>): Promise<void> {
    try {
      await call(stop.signal);
    } catch (error) {
      if (isRestError(error) && error.statusCode !== undefined) return;
      // One endpoint failing is enough to know: stop waiting on the other.
      const wasTimeout = timedOut;
      stop.abort();
      const endpoint = service === 'queue' ? endpoints.queue : endpoints.table;
      if (wasTimeout) {
        throw new StorageNotAnsweringError(
          `storage is unreachable at ${endpoint} (no answer within ${Math.round(timeoutMs / 1000)} s): check ${endpoints.setting} names the right storage account and that this host can reach it`,
          endpoint,
          endpoints.setting,
          { cause: error },
        );
      }
      const classified = classifyStorageError(error, 'the start-up check', endpoints, service);
      if (classified instanceof StorageUnreachableError)
        throw new StorageNotAnsweringError(classified.message, classified.endpoint, endpoints.setting, { cause: error });
      throw classified;
    }
  }

  try {
    await Promise.all([
      answers('queue', (abortSignal) => storage.queueService.getProperties({ abortSignal })),
      answers('table', (abortSignal) => storage.table(table).getAccessPolicy({ abortSignal })),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
