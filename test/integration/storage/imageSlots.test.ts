// The tenant's image slots in a real table: reservations made at once by many writers never pass the limit.
import { describe, expect, it } from 'vitest';
import { createImageSlots } from '../../../src/state/imageSlots';
import { testStorage } from '../../support/storage';

describe('image slots in Azure Tables', () => {
  it('grants no more slots than the limit to twelve writers reserving at once, and gives a released one to the next', async () => {
    const { clients, tableName } = testStorage('slots');
    const slots = createImageSlots(clients.table(tableName), clients.endpoints);
    const now = new Date();
    const inTenant = new Set(['in-tenant-1', 'in-tenant-2']);
    const grants = await Promise.all(Array.from({ length: 12 }, (_, index) => slots.reserve([`image-${index}`], inTenant, 7, now)));
    const granted = grants.flatMap((set) => [...set]);
    expect(granted).toHaveLength(5);
    expect(await slots.reserved(now)).toEqual(new Set(granted));

    await slots.release(granted[0] ?? '');
    expect([...(await slots.reserve(['late'], inTenant, 7, now))]).toEqual(['late']);
    expect([...(await slots.reserve(['later'], inTenant, 7, now))]).toEqual([]);
  });

  it('reads no reservations, and creates nothing, where the table does not exist', async () => {
    const { clients, tableName } = testStorage('slots-absent');
    const slots = createImageSlots(clients.table(tableName), clients.endpoints);
    expect(await slots.reserved(new Date())).toEqual(new Set());
    const table = clients.table(tableName);
    await expect(table.listEntities().next()).rejects.toMatchObject({ statusCode: 404 });
  });
});
