// Where the storage account's queues and tables live, worked out from the settings alone, so that
// errors can say which endpoint failed and which setting to fix.
import { ConfigError, type StorageConfig } from '../config';

export type StorageSetting = 'AzureWebJobsStorage' | 'AzureWebJobsStorage__accountName';

export interface StorageEndpoints {
  /** Queue service URL, e.g. `https://acct.queue.core.windows.net` or `http://127.0.0.1:10001/devstoreaccount1`. */
  readonly queue: string;
  readonly table: string;
  /** The setting an administrator changes to fix a storage problem. */
  readonly setting: StorageSetting;
  /** True for the local emulator (Azurite): errors then suggest starting it. */
  readonly isEmulator: boolean;
  /** How requests are signed: a refusal's fix depends on it. */
  readonly signedWith: 'account-key' | 'sas' | 'identity';
}

const DEVELOPMENT_QUEUE = 'http://127.0.0.1:10001/devstoreaccount1';
const DEVELOPMENT_TABLE = 'http://127.0.0.1:10002/devstoreaccount1';

/** `Key=Value;…` pairs with case-insensitive keys; a value may itself contain `=` (account keys do). */
export function connectionStringParts(connectionString: string): ReadonlyMap<string, string> {
  const parts = new Map<string, string>();
  for (const element of connectionString.split(';')) {
    const at = element.indexOf('=');
    if (at <= 0) continue;
    parts.set(element.slice(0, at).trim().toLowerCase(), element.slice(at + 1).trim());
  }
  return parts;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function isLoopbackEndpoint(url: string): boolean {
  try {
    const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
    return host === 'localhost' || host === '::1' || /^127\./.test(host);
  } catch {
    return false;
  }
}

function fromConnectionString(connectionString: string): StorageEndpoints {
  const parts = connectionStringParts(connectionString);
  if (parts.get('usedevelopmentstorage')?.toLowerCase() === 'true') {
    return {
      queue: DEVELOPMENT_QUEUE,
      table: DEVELOPMENT_TABLE,
      setting: 'AzureWebJobsStorage',
      isEmulator: true,
      signedWith: 'account-key',
    };
  }
  const account = parts.get('accountname');
  const protocol = parts.get('defaultendpointsprotocol') ?? 'https';
  const suffix = parts.get('endpointsuffix') ?? 'core.windows.net';
  const derived = (service: string): string | undefined =>
    account === undefined ? undefined : `${protocol}://${account}.${service}.${suffix}`;
  const queue = parts.get('queueendpoint') ?? derived('queue');
  const table = parts.get('tableendpoint') ?? derived('table');
  for (const [name, value] of [
    ['QueueEndpoint', queue],
    ['TableEndpoint', table],
  ] as const) {
    if (value === undefined) {
      throw new ConfigError(
        'AzureWebJobsStorage',
        `names no AccountName and no ${name}`,
        `add ${name}=… (or AccountName=…) to the connection string, or use "UseDevelopmentStorage=true" for Azurite`,
      );
    }
  }
  const queueUrl = trimSlash(queue ?? '');
  const tableUrl = trimSlash(table ?? '');
  return {
    queue: queueUrl,
    table: tableUrl,
    setting: 'AzureWebJobsStorage',
    isEmulator: isLoopbackEndpoint(queueUrl) && isLoopbackEndpoint(tableUrl),
    signedWith: parts.has('sharedaccesssignature') ? 'sas' : 'account-key',
  };
}

export function storageEndpoints(config: StorageConfig): StorageEndpoints {
  if (config.kind === 'connectionString') return fromConnectionString(config.connectionString);
  return {
    queue: trimSlash(config.queueServiceUri),
    table: trimSlash(config.tableServiceUri),
    setting: 'AzureWebJobsStorage__accountName',
    isEmulator: false,
    signedWith: 'identity',
  };
}
