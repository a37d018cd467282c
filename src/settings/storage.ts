// AzureWebJobsStorage: a connection string, or identity-based access by account name.
import { z } from 'zod';
import type { Environment } from './configError';
import { guid, httpsUrl, orNull, raw, required, text } from './read';
import { parseSettings, refusal } from './schema';

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

const connectionStringSchema = z
  .object({
    AzureWebJobsStorage: raw.pipe(
      z.string().refine(
        (value) => /^UseDevelopmentStorage=true/i.test(value) || /AccountName=|QueueEndpoint=|TableEndpoint=/i.test(value),
        refusal(
          () => 'is not a storage connection string',
          'set "UseDevelopmentStorage=true" for Azurite, a connection string from the storage account\'s Access keys, or use AzureWebJobsStorage__accountName with a managed identity',
        ),
      ),
    ),
  })
  .transform((settings): StorageConfig => ({ kind: 'connectionString', connectionString: settings.AzureWebJobsStorage }));

const accountName = z.string().refine(
  (value) => STORAGE_ACCOUNT.test(value),
  refusal(
    (value) => `"${value}" is not a storage account name`,
    'use the account name only (3-24 lower-case letters and digits), not a URL',
  ),
);

/** Identity-based access: read when AzureWebJobsStorage is unset, so its absence is reported under that name. */
const identitySchema = z.object({
  AzureWebJobsStorage__accountName: required(
    accountName,
    'set AzureWebJobsStorage to a connection string ("UseDevelopmentStorage=true" for Azurite), or AzureWebJobsStorage__accountName to the storage account name for identity-based access',
    { setting: 'AzureWebJobsStorage' },
  ),
  AzureWebJobsStorage__credential: raw.pipe(
    z
      .string()
      .refine(
        (value) => value.toLowerCase() === 'managedidentity',
        refusal((value) => `"${value}" is not supported`, 'set "managedidentity" or remove it'),
      )
      .optional(),
  ),
  AzureWebJobsStorage__clientId: orNull(
    guid((value) => `"${value}" is not a GUID`, 'set the client ID of the user-assigned managed identity (a GUID)'),
  ),
});

/** The service URIs default to the account's public endpoints, which are also the example a refusal gives. */
function serviceUrisSchema(account: string) {
  const serviceUri = (service: 'queue' | 'table') => {
    const fallback = `https://${account}.${service}.core.windows.net`;
    return raw.pipe(httpsUrl(fallback).prefault(fallback));
  };
  return z.object({ AzureWebJobsStorage__queueServiceUri: serviceUri('queue'), AzureWebJobsStorage__tableServiceUri: serviceUri('table') });
}

export function loadStorage(env: Environment): StoragePart {
  return { storage: Object.freeze(storage(env)) };
}

function storage(env: Environment): StorageConfig {
  if (text(env, 'AzureWebJobsStorage') !== undefined) return parseSettings(connectionStringSchema, env);
  const identity = parseSettings(identitySchema, env);
  const uris = parseSettings(serviceUrisSchema(identity.AzureWebJobsStorage__accountName), env);
  return {
    kind: 'identity',
    accountName: identity.AzureWebJobsStorage__accountName,
    clientId: identity.AzureWebJobsStorage__clientId,
    queueServiceUri: uris.AzureWebJobsStorage__queueServiceUri,
    tableServiceUri: uris.AzureWebJobsStorage__tableServiceUri,
  };
}
