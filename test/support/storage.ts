// Storage for integration tests: the run's Azurite (see azurite.globalSetup.ts), with names unique
// to each test so tests never see each other's messages or rows.
import { randomBytes } from 'node:crypto';
import { createStorageClients, type StorageClients } from '../../src/storage/storageClients';

export function testConnectionString(): string {
  const connectionString = process.env.IMAGE_SYNC_TEST_STORAGE;
  if (connectionString === undefined || connectionString === '') {
    throw new Error('IMAGE_SYNC_TEST_STORAGE is not set: run the tests through vitest, whose global setup starts Azurite');
  }
  return connectionString;
}

export function testStorageClients(): StorageClients {
  return createStorageClients({ kind: 'connectionString', connectionString: testConnectionString() });
}

function suffix(): string {
  return randomBytes(6).toString('hex');
}

/** A queue name no other test uses: lower-case, digits and single hyphens; room is left for `-poison`. */
export function uniqueQueueName(prefix = 'test'): string {
  return `${prefix
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 30)}-${suffix()}`;
}

/** A table name no other test uses: letters and digits, starting with a letter. */
export function uniqueTableName(prefix = 'test'): string {
  return `${prefix.replace(/[^A-Za-z0-9]/g, '').slice(0, 30) || 'test'}${suffix()}`;
}

/** Clients plus a fresh queue name and table name, for a test that needs its own. */
export function testStorage(prefix = 'test'): { readonly clients: StorageClients; readonly queueName: string; readonly tableName: string } {
  return { clients: testStorageClients(), queueName: uniqueQueueName(prefix), tableName: uniqueTableName(prefix) };
}

/** Resolves once `condition` holds (checked every 25 ms); fails the test after `timeoutMs`. */
export async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
