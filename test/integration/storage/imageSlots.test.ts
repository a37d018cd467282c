// The tenant's image slots in a real table: reservations made at once by many writers never pass the limit.
import { describe, expect, it } from 'vitest';
import { createImageSlots } from '../../../src/state/imageSlots';
import { slotName } from '../../../src/rules/slotName';
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
    expect(await slots.reserved(now)).toEqual(new Set(granted.map(slotName)));

    await slots.release(granted[0] ?? '');
    expect([...(await slots.reserve(['late'], inTenant, 7, now))]).toEqual(['late']);
    expect([...(await slots.reserve(['later'], inTenant, 7, now))]).toEqual([]);
  });

  it('keeps thousands of reservations in its one row', async () => {
    const { clients, tableName } = testStorage('slots-many');
    const slots = createImageSlots(clients.table(tableName), clients.endpoints);
    const wanted = Array.from(
      { length: 3000 },
      (_, index) =>
        `/subscriptions/b0000000-0000-4000-8000-000000000001/resourcegroups/rg-images/providers/microsoft.compute/images/img-${index}|1.0.0`,
    );
    expect((await slots.reserve(wanted, new Set(), 5000, new Date())).size).toBe(3000);
    expect((await slots.reserved(new Date())).size).toBe(3000);
  });

  it('reads no reservations, and creates nothing, where the table does not exist', async () => {
    const { clients, tableName } = testStorage('slots-absent');
    const slots = createImageSlots(clients.table(tableName), clients.endpoints);
    expect(await slots.reserved(new Date())).toEqual(new Set());
    const table = clients.table(tableName);
    await expect(table.listEntities().next()).rejects.toMatchObject({ statusCode: 404 });
  });
});
