// Read-only commands run with read rights on the table only (DESIGN §14): reading the ledger never
// creates its table; a table that does not exist yet reads as empty.
import { describe, expect, it } from 'vitest';
import { estate, managedImage, resourceGroup, subscription } from '../../../src/emulator';
import { createLedger } from '../../../src/state/ledgerTable';
import { runImageSync } from '../../support/cliProcess';
import { startTestEmulator } from '../../support/emulator';
import { testConnectionString, testStorage, uniqueQueueName, uniqueTableName } from '../../support/storage';

const SUB = '4d4d4d4d-4d4d-4d4d-8d4d-4d4d4d4d4d4d';

async function tableExists(clients: ReturnType<typeof testStorage>['clients'], tableName: string): Promise<boolean> {
  try {
    await clients.table(tableName).listEntities().next();
    return true;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return false;
    throw error;
  }
}

describe('reading the ledger', () => {
  it('reads a table that does not exist as empty, and leaves it not created', async () => {
    const { clients, tableName } = testStorage('readonly');
    const ledger = createLedger(clients.table(tableName), { endpoints: clients.endpoints });
    expect(await ledger.list()).toEqual([]);
    expect(await ledger.listStates()).toEqual([]);
    expect(await ledger.listProblems()).toEqual([]);
    expect(
      await ledger.get({
        sourceImageResourceId: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/images/x-1.0.0`,
        version: '1.0.0',
      }),
    ).toBeNull();
    expect(await tableExists(clients, tableName)).toBe(false);
  });

  it('image-sync status and plan create no table and no queue', async () => {
    const emulator = await startTestEmulator(
      estate({ subscriptions: [subscription({ id: SUB, resourceGroups: [resourceGroup('rg', [managedImage({ name: 'x-1.0.0' })])] })] }),
    );
    try {
      const { clients } = testStorage('readonly-cli');
      const { NODE_EXTRA_CA_CERTS: _inherited, ...endpoints } = emulator.settings();
      const env = {
        AzureWebJobsStorage: testConnectionString(),
        ...endpoints,
        IMAGE_SYNC_SUBSCRIPTION_IDS: SUB,
        IMAGE_SYNC_TABLE: uniqueTableName('ro'),
        IMAGE_SYNC_REGISTER_QUEUE: uniqueQueueName('ro-register'),
        IMAGE_SYNC_STATUS_QUEUE: uniqueQueueName('ro-status'),
      };
      const status = await runImageSync(['status', '--json'], env);
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({ images: [], problems: [] });
      expect((await runImageSync(['plan', '--json'], env)).code).toBe(0);
      expect(await tableExists(clients, env.IMAGE_SYNC_TABLE)).toBe(false);
      for (const queue of [env.IMAGE_SYNC_REGISTER_QUEUE, env.IMAGE_SYNC_STATUS_QUEUE])
        expect(await clients.queue(queue).exists()).toBe(false);
    } finally {
      await emulator.stop();
    }
  });
});
