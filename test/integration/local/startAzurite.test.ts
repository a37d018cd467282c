import { describe, expect, it } from 'vitest';
import { TableClient } from '@azure/data-tables';
import { QueueServiceClient } from '@azure/storage-queue';
import { acceptsConnections as accepts, startAzurite } from '../../../src/local/startAzurite';
import { testConnectionString, uniqueQueueName, uniqueTableName } from '../../support/storage';

describe('startAzurite', () => {
  it("gives the test workers the run's Azurite through IMAGE_SYNC_TEST_STORAGE", () => {
    expect(testConnectionString()).toMatch(
      /^DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=.+;BlobEndpoint=http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1;QueueEndpoint=http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1;TableEndpoint=http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/,
    );
  });

  it('starts blob, queue and table services in memory on free loopback ports, and stops them', async () => {
    const azurite = await startAzurite();
    try {
      for (const endpoint of [azurite.blobEndpoint, azurite.queueEndpoint, azurite.tableEndpoint]) {
        expect(new URL(endpoint).hostname).toBe('127.0.0.1');
        expect(Number(new URL(endpoint).port)).not.toBe(10000);
        expect(await accepts(endpoint)).toBe(true);
      }
      expect(azurite.connectionString).not.toBe(testConnectionString());
      const queue = QueueServiceClient.fromConnectionString(azurite.connectionString).getQueueClient(uniqueQueueName());
      await queue.create();
      await queue.sendMessage('hello');
      expect((await queue.peekMessages()).peekedMessageItems[0]?.messageText).toBe('hello');
      const table = TableClient.fromConnectionString(azurite.connectionString, uniqueTableName(), { allowInsecureConnection: true });
      await table.createTable();
      await table.createEntity({ partitionKey: 'p', rowKey: 'r', value: 1 });
      expect((await table.getEntity<{ value: number }>('p', 'r')).value).toBe(1);
    } finally {
      await azurite.stop();
    }
    expect(await accepts(azurite.queueEndpoint)).toBe(false);
    await azurite.stop();
  });
});
