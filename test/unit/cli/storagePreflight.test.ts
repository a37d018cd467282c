import { RestError } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import { StorageNotAnsweringError, checkStorageAnswers } from '../../../src/cli/storagePreflight';
import { TransientError } from '../../../src/errors';
import type { StorageClients } from '../../../src/storage/storageClients';
import type { StorageEndpoints } from '../../../src/storage/storageEndpoints';

const ENDPOINTS: StorageEndpoints = {
  queue: 'https://acct.queue.core.windows.net',
  table: 'https://acct.table.core.windows.net',
  setting: 'AzureWebJobsStorage',
  isEmulator: false,
  signedWith: 'account-key',
};

type Call = (options: { abortSignal: AbortSignal }) => Promise<unknown>;

/** Storage whose two start-up calls behave as given; the table call records the table it was asked about. */
function storage(queue: Call, table: Call, tables: string[] = []): StorageClients {
  return {
    endpoints: ENDPOINTS,
    queueService: { getProperties: queue },
    table: (name: string) => {
      tables.push(name);
      return { getAccessPolicy: table };
    },
  } as unknown as StorageClients;
}

const answers: Call = async () => ({});
const refuses =
  (statusCode: number): Call =>
  async () => {
    throw new RestError('This request is not authorized to perform this operation.', {
      statusCode,
      code: 'AuthorizationPermissionMismatch',
    });
  };
const unreachable =
  (code: string): Call =>
  async () => {
    throw new RestError(`connect ${code} 127.0.0.1:9`, { code });
  };
/** Never answers; gives up only when aborted, as the SDK does. */
const hangs: Call = ({ abortSignal }) =>
  new Promise((_resolve, reject) =>
    abortSignal.addEventListener('abort', () => reject(new Error('The operation was aborted.')), { once: true }),
  );

describe('checkStorageAnswers', () => {
  it('passes when both endpoints answer, and asks about the ledger table', async () => {
    const tables: string[] = [];
    await expect(checkStorageAnswers(storage(answers, answers, tables), 'imagesync')).resolves.toBeUndefined();
    expect(tables).toEqual(['imagesync']);
  });

  it('passes when storage refuses: a least-privilege identity is refused, but storage is there', async () => {
    await expect(checkStorageAnswers(storage(refuses(403), refuses(404)), 'imagesync')).resolves.toBeUndefined();
  });

  it('fails with the endpoint and the setting when nothing listens there', async () => {
    const error = await checkStorageAnswers(storage(answers, unreachable('ECONNREFUSED')), 'imagesync').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorageNotAnsweringError);
    expect(error).toMatchObject({ endpoint: ENDPOINTS.table, setting: 'AzureWebJobsStorage' });
    expect((error as Error).message).toMatch(
      /^storage is unreachable at https:\/\/acct\.table\.core\.windows\.net \(ECONNREFUSED\) during the start-up check: .*AzureWebJobsStorage/,
    );
  });

  it('fails within its time limit when storage accepts but never answers, and stops waiting on the other endpoint', async () => {
    const started = Date.now();
    const error = await checkStorageAnswers(storage(hangs, hangs), 'imagesync', 50).catch((caught: unknown) => caught);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error).toBeInstanceOf(StorageNotAnsweringError);
    expect((error as Error).message).toMatch(
      /^storage is unreachable at https:\/\/acct\.(queue|table)\.core\.windows\.net \(no answer within 0 s\): check AzureWebJobsStorage /,
    );
  });

  it('stops the other call as soon as one endpoint is known unreachable', async () => {
    let aborted = false;
    const watched: Call = ({ abortSignal }) =>
      new Promise((_resolve, reject) =>
        abortSignal.addEventListener('abort', () => {
          aborted = true;
          reject(new Error('The operation was aborted.'));
        }),
      );
    await expect(checkStorageAnswers(storage(unreachable('ENOTFOUND'), watched), 'imagesync', 60_000)).rejects.toBeInstanceOf(
      StorageNotAnsweringError,
    );
    expect(aborted).toBe(true);
  });

  it('throws anything else as storage errors are classified, not as unreachable', async () => {
    const garbled: Call = async () => {
      throw new RestError('unexpected end of answer', { code: 'PARSE_ERROR' });
    };
    const error = await checkStorageAnswers(storage(garbled, answers), 'imagesync').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).not.toBeInstanceOf(StorageNotAnsweringError);
    expect((error as Error).message).toMatch(/^the start-up check: no answer from storage at https:\/\/acct\.queue\.core\.windows\.net: /);
  });
});
