import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { RestError } from '@azure/core-rest-pipeline';
import { CredentialUnavailableError } from '@azure/identity';
import { ConfigError } from '../../../src/config';
import { ForbiddenError, PermanentError, TransientError } from '../../../src/errors';
import { createJobQueues } from '../../../src/queue/jobQueues';
import { createLedger } from '../../../src/state/ledgerTable';
import { StorageUnreachableError, classifyStorageError } from '../../../src/storage/classifyStorageError';
import { createStorageClients } from '../../../src/storage/storageClients';
import { storageEndpoints } from '../../../src/storage/storageEndpoints';
import { registerJob } from '../../unit/queue/messageBuilders';
import { testConnectionString, testStorageClients, uniqueQueueName, uniqueTableName } from '../../support/storage';

const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('storageEndpoints', () => {
  it('knows where UseDevelopmentStorage=true points', () => {
    expect(storageEndpoints({ kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' })).toEqual({
      queue: 'http://127.0.0.1:10001/devstoreaccount1',
      table: 'http://127.0.0.1:10002/devstoreaccount1',
      setting: 'AzureWebJobsStorage',
      isEmulator: true,
      signedWith: 'account-key',
    });
  });

  it('takes explicit endpoints, case-insensitively, without a trailing slash', () => {
    const endpoints = storageEndpoints({
      kind: 'connectionString',
      connectionString: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY};queueendpoint=http://127.0.0.1:4001/devstoreaccount1/;TableEndpoint=http://127.0.0.1:4002/devstoreaccount1`,
    });
    expect(endpoints).toMatchObject({
      queue: 'http://127.0.0.1:4001/devstoreaccount1',
      table: 'http://127.0.0.1:4002/devstoreaccount1',
      isEmulator: true,
    });
  });

  it('derives the endpoints of an Azure account, in national clouds too', () => {
    expect(
      storageEndpoints({
        kind: 'connectionString',
        connectionString: 'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=a2V5;EndpointSuffix=core.usgovcloudapi.net',
      }),
    ).toEqual({
      queue: 'https://acct.queue.core.usgovcloudapi.net',
      table: 'https://acct.table.core.usgovcloudapi.net',
      setting: 'AzureWebJobsStorage',
      isEmulator: false,
      signedWith: 'account-key',
    });
  });

  it('names AzureWebJobsStorage__accountName for identity-based storage', () => {
    expect(
      storageEndpoints({
        kind: 'identity',
        accountName: 'acct',
        clientId: null,
        queueServiceUri: 'https://acct.queue.core.windows.net',
        tableServiceUri: 'https://acct.table.core.windows.net/',
      }),
    ).toEqual({
      queue: 'https://acct.queue.core.windows.net',
      table: 'https://acct.table.core.windows.net',
      setting: 'AzureWebJobsStorage__accountName',
      isEmulator: false,
      signedWith: 'identity',
    });
  });

  it('knows a connection string that carries a shared access signature, so a refusal names it', () => {
    const endpoints = storageEndpoints({
      kind: 'connectionString',
      connectionString:
        'QueueEndpoint=https://acct.queue.core.windows.net;TableEndpoint=https://acct.table.core.windows.net;SharedAccessSignature=sv=2024-08-04&sp=a&sig=x',
    });
    expect(endpoints.signedWith).toBe('sas');
    const error = classifyStorageError(
      new RestError('denied', { statusCode: 403, code: 'AuthorizationPermissionMismatch' }),
      'ledger read',
      endpoints,
      'table',
    );
    expect(error.message).toMatch(/the shared access signature in AzureWebJobsStorage does not allow this table call/);
  });

  it('refuses a connection string that says where the queues are but not the tables', () => {
    expect(() =>
      storageEndpoints({
        kind: 'connectionString',
        connectionString: 'QueueEndpoint=http://127.0.0.1:1/devstoreaccount1;SharedAccessSignature=sv=x',
      }),
    ).toThrow(ConfigError);
  });
});

describe('createStorageClients', () => {
  it('reaches Azurite over http with an explicit connection string, for queues and tables alike', async () => {
    const clients = testStorageClients();
    const queue = clients.queue(uniqueQueueName());
    await queue.create();
    expect((await queue.getProperties()).approximateMessagesCount).toBe(0);
    const table = clients.table(uniqueTableName());
    await table.createTable();
    await table.createEntity({ partitionKey: 'p', rowKey: 'r' });
    expect((await table.getEntity('p', 'r')).partitionKey).toBe('p');
  });

  it('addresses the configured service URIs for identity-based storage', () => {
    const credential = { getToken: async () => ({ token: 't', expiresOnTimestamp: Date.now() + 60_000 }) };
    const clients = createStorageClients(
      {
        kind: 'identity',
        accountName: 'acct',
        clientId: '11111111-1111-4111-8111-111111111111',
        queueServiceUri: 'https://acct.queue.core.windows.net',
        tableServiceUri: 'https://acct.table.core.windows.net',
      },
      { credential },
    );
    expect(clients.queue('image-register').url).toBe('https://acct.queue.core.windows.net/image-register');
    expect(clients.table('imagesync').url).toBe('https://acct.table.core.windows.net');
    expect(clients.table('imagesync').tableName).toBe('imagesync');
  });
});

describe('storage errors', () => {
  it('reports unreachable storage in one line that names AzureWebJobsStorage, for queues and the ledger', async () => {
    const port = await closedPort();
    const connectionString = testConnectionString().replace(
      /(QueueEndpoint|TableEndpoint)=http:\/\/127\.0\.0\.1:\d+/g,
      `$1=http://127.0.0.1:${port}`,
    );
    const clients = createStorageClients({ kind: 'connectionString', connectionString });
    const [queueError, ledgerError] = await Promise.all([
      createJobQueues(clients, { registerQueue: uniqueQueueName(), statusQueue: uniqueQueueName() })
        .sendRegisterJob(registerJob())
        .catch((error: unknown) => error),
      createLedger(clients.table(uniqueTableName()), { endpoints: clients.endpoints })
        .list()
        .catch((error: unknown) => error),
    ]);
    for (const error of [queueError, ledgerError]) {
      expect(error).toBeInstanceOf(StorageUnreachableError);
      expect(error).toBeInstanceOf(TransientError);
      const message = (error as Error).message;
      expect(message).toMatch(
        new RegExp(
          `^storage is unreachable at http://127\\.0\\.0\\.1:${port}/devstoreaccount1 \\(ECONNREFUSED\\) during .+: start Azurite \\(npm start starts one\\) or point AzureWebJobsStorage at a running one$`,
        ),
      );
      expect(message).not.toContain('\n');
    }
  }, 20_000);

  it('reports a wrong account key as permanent, naming the setting', async () => {
    const connectionString = testConnectionString().replace(
      /AccountKey=[^;]+/,
      `AccountKey=${Buffer.from('wrong key').toString('base64')}`,
    );
    const clients = createStorageClients({ kind: 'connectionString', connectionString });
    const error = await createJobQueues(clients, { registerQueue: uniqueQueueName(), statusQueue: uniqueQueueName() })
      .sendRegisterJob(registerJob())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PermanentError);
    expect((error as PermanentError).status).toBe(403);
    expect((error as Error).message).toMatch(/check the account key in AzureWebJobsStorage$/);
  });

  const identity = storageEndpoints({
    kind: 'identity',
    accountName: 'acct',
    clientId: null,
    queueServiceUri: 'https://acct.queue.core.windows.net',
    tableServiceUri: 'https://acct.table.core.windows.net',
  });

  it('reports a missing Azure identity as permanent, naming AzureWebJobsStorage__accountName', () => {
    const error = classifyStorageError(
      new CredentialUnavailableError('ManagedIdentityCredential: no endpoint'),
      'ledger read',
      identity,
      'table',
    );
    expect(error).toBeInstanceOf(PermanentError);
    expect(error.message).toMatch(
      /^ledger read: no Azure identity could sign in to storage at https:\/\/acct\.table\.core\.windows\.net .*AzureWebJobsStorage__accountName/,
    );
  });

  it('tells an identity without data roles which roles to grant', () => {
    const error = classifyStorageError(
      new RestError('denied', { statusCode: 403, code: 'AuthorizationPermissionMismatch' }),
      'send to queue q',
      identity,
      'queue',
    );
    expect(error).toBeInstanceOf(ForbiddenError);
    expect(error.message).toContain('grant the identity the queue data role this command needs');
    expect(error.message).toContain('"Storage Queue Data Contributor" and "Storage Table Data Contributor" for the function app and sync');
  });

  it.each([
    [429, TransientError],
    [500, TransientError],
    [503, TransientError],
    [400, PermanentError],
    [404, PermanentError],
    [409, PermanentError],
  ])('classifies an answer of %i', (statusCode, expected) => {
    expect(classifyStorageError(new RestError('x', { statusCode }), 'op', identity, 'queue')).toBeInstanceOf(expected);
  });
});
