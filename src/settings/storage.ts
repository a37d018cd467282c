// AzureWebJobsStorage: a connection string, or identity-based access by account name.
import { ConfigError, type Environment } from './configError';
import { GUID, httpsUrl, text } from './read';

export type StorageConfig =
  | { readonly kind: 'connectionString'; readonly connectionString: string }
  | {
      readonly kind: 'identity';
      readonly accountName: string;
      readonly clientId: string | null;
      readonly queueServiceUri: string;
      readonly tableServiceUri: string;
    };

export interface StoragePart {
  readonly storage: StorageConfig;
}

const STORAGE_ACCOUNT = /^[a-z0-9]{3,24}$/;

export function loadStorage(env: Environment): StoragePart {
  return { storage: Object.freeze(storage(env)) };
}

function storage(env: Environment): StorageConfig {
  const connectionString = text(env, 'AzureWebJobsStorage');
  if (connectionString !== undefined) {
    const usesDevelopmentStorage = /^UseDevelopmentStorage=true/i.test(connectionString);
    if (!usesDevelopmentStorage && !/AccountName=|QueueEndpoint=|TableEndpoint=/i.test(connectionString)) {
      throw new ConfigError(
        'AzureWebJobsStorage',
        'is not a storage connection string',
        'set "UseDevelopmentStorage=true" for Azurite, a connection string from the storage account\'s Access keys, or use AzureWebJobsStorage__accountName with a managed identity',
      );
    }
    return { kind: 'connectionString', connectionString };
  }
  const accountName = text(env, 'AzureWebJobsStorage__accountName');
  if (accountName === undefined) {
    throw new ConfigError(
      'AzureWebJobsStorage',
      'is not set',
      'set AzureWebJobsStorage to a connection string ("UseDevelopmentStorage=true" for Azurite), or AzureWebJobsStorage__accountName to the storage account name for identity-based access',
    );
  }
  if (!STORAGE_ACCOUNT.test(accountName)) {
    throw new ConfigError(
      'AzureWebJobsStorage__accountName',
      `"${accountName}" is not a storage account name`,
      'use the account name only (3-24 lower-case letters and digits), not a URL',
    );
  }
  const credential = text(env, 'AzureWebJobsStorage__credential');
  if (credential !== undefined && credential.toLowerCase() !== 'managedidentity') {
    throw new ConfigError('AzureWebJobsStorage__credential', `"${credential}" is not supported`, 'set "managedidentity" or remove it');
  }
  const clientId = text(env, 'AzureWebJobsStorage__clientId') ?? null;
  if (clientId !== null && !GUID.test(clientId)) {
    throw new ConfigError(
      'AzureWebJobsStorage__clientId',
      `"${clientId}" is not a GUID`,
      'set the client ID of the user-assigned managed identity (a GUID)',
    );
  }
  const serviceUri = (name: string, service: 'queue' | 'table'): string => {
    const fallback = `https://${accountName}.${service}.core.windows.net`;
    return httpsUrl(env, name, fallback, fallback) ?? fallback;
  };
  return {
    kind: 'identity',
    accountName,
    clientId,
    queueServiceUri: serviceUri('AzureWebJobsStorage__queueServiceUri', 'queue'),
    tableServiceUri: serviceUri('AzureWebJobsStorage__tableServiceUri', 'table'),
  };
}
