// DESIGN §14, held by the code: each command run with only the rights docs/permissions.md gives it.
// Azurite checks shared access signatures the way Azure storage checks them, so a SAS that grants
// exactly one right on one queue (or table) stands in for the RBAC data role of the same reach:
// `Storage Queue Data Message Sender` on the register queue, `Storage Table Data Reader` on the table.
import { AzureNamedKeyCredential, TableServiceClient, generateTableSas } from '@azure/data-tables';
import { QueueSASPermissions, StorageSharedKeyCredential, generateQueueSASQueryParameters } from '@azure/storage-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator';
import { estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../src/emulator';
import { commandSettings, runImageSync } from '../support/cliProcess';
import { startTestEmulator } from '../support/emulator';
import { testConnectionString, testStorageClients, uniqueQueueName } from '../support/storage';

const SUB = '55555555-5555-4555-8555-555555555555';
const id = (name: string) => managedImageResourceId(SUB, 'rg-pipeline', name);

function connectionParts(): Map<string, string> {
  return new Map(
    testConnectionString()
      .split(';')
      .map((part) => [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)]),
  );
}

/** A connection string that carries only the given SAS: no account key. */
function sasConnectionString(sas: string): string {
  const parts = connectionParts();
  return `QueueEndpoint=${parts.get('QueueEndpoint')};TableEndpoint=${parts.get('TableEndpoint')};SharedAccessSignature=${sas.replace(/^\?/, '')}`;
}

const inAnHour = () => new Date(Date.now() + 3_600_000);

/** Storage Queue Data Message Sender on one queue: add messages, nothing else. */
function sendOnlyTo(queueName: string): string {
  const parts = connectionParts();
  const credential = new StorageSharedKeyCredential(parts.get('AccountName') ?? '', parts.get('AccountKey') ?? '');
  const sas = generateQueueSASQueryParameters(
    { queueName, permissions: QueueSASPermissions.parse('a'), expiresOn: inAnHour() },
    credential,
  ).toString();
  return sasConnectionString(sas);
}

/** Storage Table Data Reader on one table: query entities, nothing else. */
function readOnlyOn(tableName: string): string {
  const parts = connectionParts();
  const credential = new AzureNamedKeyCredential(parts.get('AccountName') ?? '', parts.get('AccountKey') ?? '');
  return sasConnectionString(generateTableSas(tableName, credential, { permissions: { query: true }, expiresOn: inAnHour() }));
}

let emulator: Emulator;
let settings: Record<string, string>;

beforeAll(async () => {
  emulator = await startTestEmulator(
    estate({
      subscriptions: [
        subscription({
          id: SUB,
          resourceGroups: [
            resourceGroup('rg-pipeline', [managedImage({ name: 'gold-1.0.0', tags: {}, upload: { outcome: 'ready', seconds: 0.3 } })]),
          ],
        }),
      ],
    }),
  );
  // Each test gives AzureWebJobsStorage the rights it runs with.
  settings = commandSettings(emulator, 'least', { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB });
});

afterAll(async () => {
  await emulator.stop();
});

async function tableExists(name: string): Promise<boolean> {
  const service = TableServiceClient.fromConnectionString(testConnectionString(), { allowInsecureConnection: true });
  for await (const table of service.listTables({ queryOptions: { filter: `TableName eq '${name}'` } }))
    if (table.name === name) return true;
  return false;
}

describe('a build pipeline with only Message Sender on the register queue (and Reader on the image)', () => {
  it('is told plainly when the queue the infrastructure creates is missing, and creates nothing', async () => {
    const env = { ...settings, IMAGE_SYNC_REGISTER_QUEUE: uniqueQueueName('least-missing'), AzureWebJobsStorage: '' };
    env.AzureWebJobsStorage = sendOnlyTo(env.IMAGE_SYNC_REGISTER_QUEUE);
    const run = await runImageSync(['register', id('gold-1.0.0'), '--version', '1.0.0'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `the queue ${env.IMAGE_SYNC_REGISTER_QUEUE} does not exist at .*, and this identity may not create it: deploy the app's infrastructure`,
      ),
    );
    expect(await testStorageClients().queue(env.IMAGE_SYNC_REGISTER_QUEUE).exists()).toBe(false);
  });

  it('queues the image without Graph or the ledger, and the app registers it', async () => {
    await testStorageClients()
      .queue(settings.IMAGE_SYNC_REGISTER_QUEUE ?? '')
      .create();
    const pipeline = { ...settings, AzureWebJobsStorage: sendOnlyTo(settings.IMAGE_SYNC_REGISTER_QUEUE ?? '') };
    const queued = await runImageSync(['register', id('gold-1.0.0'), '--display-name', 'Gold', '--version', '1.4.0', '--json'], pipeline);
    expect(queued.stderr).toBe('');
    expect(queued.code).toBe(0);
    expect(JSON.parse(queued.stdout)).toMatchObject({
      outcome: 'queued',
      displayName: 'Gold',
      version: '1.4.0',
      ledgerRead: false,
      ledgerState: null,
    });
    expect(emulator.requests.filter((request) => request.service === 'graph')).toEqual([]);
    expect(await tableExists(settings.IMAGE_SYNC_TABLE ?? '')).toBe(false);

    const app = { ...settings, AzureWebJobsStorage: testConnectionString() };
    const sync = await runImageSync(['sync', '--json', '--timeout', '60'], app);
    expect(sync.code).toBe(0);
    expect(emulator.deviceImages()).toEqual([
      expect.objectContaining({ displayName: 'Gold', version: '1.4.0', sourceImageResourceId: id('gold-1.0.0'), status: 'ready' }),
    ]);

    // Asked again with the ledger readable too (Storage Table Data Reader): told it is registered, nothing sent.
    const again = await runImageSync(['register', id('gold-1.0.0'), '--display-name', 'Gold', '--version', '1.4.0'], {
      ...settings,
      AzureWebJobsStorage: testConnectionString(),
    });
    expect(again.stdout).toMatch(/^Already registered: Gold 1\.4\.0 is ready \(device image [\w-]+\)\./);
  });
});

describe('an administrator with only Table Data Reader on the ledger', () => {
  it('runs status and report, and a command that needs more is refused naming the fix', async () => {
    const reader = { ...settings, AzureWebJobsStorage: readOnlyOn(settings.IMAGE_SYNC_TABLE ?? '') };
    const status = await runImageSync(['status', '--json'], reader);
    expect(status.stderr).toBe('');
    expect(JSON.parse(status.stdout)).toMatchObject({
      images: [expect.objectContaining({ displayName: 'Gold', version: '1.4.0', state: 'ready' })],
    });

    // report reads the ledger alone: the registration's month and the slot count the sync's reconcile recorded.
    const report = await runImageSync(['report', '--json'], reader);
    expect(report.stderr).toBe('');
    expect(report.code).toBe(0);
    expect(JSON.parse(report.stdout)).toMatchObject({
      months: [expect.objectContaining({ registrations: 1, ready: 1 })],
      slots: expect.objectContaining({ limit: 20 }),
    });

    const sync = await runImageSync(['sync', '--json', '--timeout', '30'], reader);
    expect(sync.code).toBe(1);
    expect(JSON.parse(sync.stdout)).toMatchObject({
      error: { message: expect.stringMatching(/403 .*the shared access signature in AzureWebJobsStorage does not allow this queue call/) },
    });
  });
});
