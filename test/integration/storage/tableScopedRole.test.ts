// The app's Storage Table Data Contributor is scoped to the ledger table (infra/modules/storage-access.bicep).
// Creating a table is an account-level operation, so with that role the app's create-on-first-use is
// refused although the table (made by the infrastructure) exists: the writes must go on. A table
// SAS with the contributor's rights on that one table stands in for the role (Azurite checks it
// the way Azure storage does).
import { AzureNamedKeyCredential, TableClient, TableServiceClient, generateTableSas } from '@azure/data-tables';
import { describe, expect, it } from 'vitest';
import { createLedger } from '../../../src/state/ledgerTable';
import { createImageSlots } from '../../../src/state/imageSlots';
import { newLedgerEntry } from '../../../src/steps/ledgerTransitions';
import { testConnectionString, testStorageClients, uniqueTableName } from '../../support/storage';

const SOURCE = '/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg/providers/Microsoft.Compute/images/win11';
const NOW = new Date('2026-12-06T10:00:00.000Z');

function connectionParts(): Map<string, string> {
  return new Map(
    testConnectionString()
      .split(';')
      .map((part) => [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)]),
  );
}

/** A client of one table that holds only a SAS of the table contributor's rights on it. */
function contributorOn(tableName: string): TableClient {
  const parts = connectionParts();
  const credential = new AzureNamedKeyCredential(parts.get('AccountName') ?? '', parts.get('AccountKey') ?? '');
  const sas = generateTableSas(tableName, credential, {
    permissions: { query: true, add: true, update: true, delete: true },
    expiresOn: new Date(Date.now() + 3_600_000),
  });
  return TableClient.fromConnectionString(
    `TableEndpoint=${parts.get('TableEndpoint')};SharedAccessSignature=${sas.replace(/^\?/, '')}`,
    tableName,
    { allowInsecureConnection: true },
  );
}

describe('a ledger whose identity may write the table but not create tables', () => {
  it('writes, reads and reserves slots in the table the infrastructure created', async () => {
    const tableName = uniqueTableName('scoped');
    await TableServiceClient.fromConnectionString(testConnectionString(), { allowInsecureConnection: true }).createTable(tableName);
    const table = contributorOn(tableName);
    const endpoints = testStorageClients().endpoints;
    await expect(table.createTable()).rejects.toMatchObject({ statusCode: 403 });

    const ledger = createLedger(table, { endpoints });
    const identity = { sourceImageResourceId: SOURCE, displayName: 'win11', version: '1.0.0' };
    const row = await ledger.insert(newLedgerEntry(identity), NOW);
    await ledger.update(row, { state: 'creating', attempts: 1 }, NOW);
    expect(await ledger.get(identity)).toMatchObject({ state: 'creating', attempts: 1 });
    const slots = createImageSlots(table, endpoints);
    expect(await slots.reserve(['a|1.0.0'], new Set(), 20, NOW)).toEqual(new Set(['a|1.0.0']));
  });

  it('still says the table is missing when it is, naming the fix', async () => {
    const table = contributorOn(uniqueTableName('absent'));
    const ledger = createLedger(table, { endpoints: testStorageClients().endpoints });
    const identity = { sourceImageResourceId: SOURCE, displayName: 'win11', version: '1.0.0' };
    await expect(ledger.insert(newLedgerEntry(identity), NOW)).rejects.toThrow(/table/i);
  });
});
