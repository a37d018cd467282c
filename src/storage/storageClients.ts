// The storage SDK clients, made once from the validated StorageConfig: a connection string (Azure,
// `UseDevelopmentStorage=true`, or an explicit Azurite string) or an identity (managed identity in
// Azure, developer sign-in elsewhere).
import type { TokenCredential } from '@azure/core-auth';
import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';
import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { QueueServiceClient, type QueueClient, type StoragePipelineOptions } from '@azure/storage-queue';
import type { StorageConfig } from '../config';
import { storageEndpoints, type StorageEndpoints } from './storageEndpoints';

export interface StorageClients {
  readonly endpoints: StorageEndpoints;
  readonly queueService: QueueServiceClient;
  queue(name: string): QueueClient;
  table(name: string): TableClient;
}

export interface StorageClientOptions {
  /** Replaces the identity chosen from the config (identity-based storage only). */
  readonly credential?: TokenCredential;
}

// A few quick retries: long enough to ride out a blip, short enough that a wrong or stopped endpoint
// is reported within seconds rather than the SDK defaults' minutes.
const QUEUE_PIPELINE: StoragePipelineOptions = {
  retryOptions: { maxTries: 4, retryDelayInMs: 500, maxRetryDelayInMs: 8_000, tryTimeoutInMs: 30_000 },
};
const TABLE_RETRY: TableServiceClientOptions['retryOptions'] = { maxRetries: 3, retryDelayInMs: 500, maxRetryDelayInMs: 8_000 };

function identityCredential(clientId: string | null): TokenCredential {
  return clientId === null ? new DefaultAzureCredential() : new ManagedIdentityCredential({ clientId });
}

export function createStorageClients(config: StorageConfig, options: StorageClientOptions = {}): StorageClients {
  const endpoints = storageEndpoints(config);
  if (config.kind === 'connectionString') {
    const { connectionString } = config;
    const queueService = QueueServiceClient.fromConnectionString(connectionString, QUEUE_PIPELINE);
    // data-tables refuses to sign plain-http requests unless told; Azurite speaks http.
    const allowInsecureConnection = endpoints.table.startsWith('http:');
    return {
      endpoints,
      queueService,
      queue: (name) => queueService.getQueueClient(name),
      table: (name) => TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection, retryOptions: TABLE_RETRY }),
    };
  }
  const credential = options.credential ?? identityCredential(config.clientId);
  const queueService = new QueueServiceClient(endpoints.queue, credential, QUEUE_PIPELINE);
  return {
    endpoints,
    queueService,
    queue: (name) => queueService.getQueueClient(name),
    table: (name) => new TableClient(endpoints.table, name, credential, { retryOptions: TABLE_RETRY }),
  };
}
