// The ledger the handlers write through refuses a state change the lifecycle does not allow, before
// anything reaches storage (src/steps/checkedLedger.ts over src/rules/lifecycle.ts).
import { describe, expect, it } from 'vitest';
import { createLedger } from '../../../src/state/ledgerTable';
import { LifecycleViolationError, checkedLedger } from '../../../src/steps/checkedLedger';
import { newLedgerEntry } from '../../../src/steps/ledgerTransitions';
import { testStorage } from '../../support/storage';

const SOURCE = '/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-images/providers/Microsoft.Compute/images/win11-ent';
const T0 = new Date('2026-12-01T10:00:00.000Z');
const T1 = new Date('2026-12-01T11:00:00.000Z');

function ledgers() {
  const { clients, tableName } = testStorage('checked');
  const raw = createLedger(clients.table(tableName), { endpoints: clients.endpoints });
  return { raw, checked: checkedLedger(raw) };
}

const identity = { sourceImageResourceId: SOURCE, displayName: 'win11-ent', version: '1.0.0' };

describe('the checked ledger', () => {
  it('refuses to queue a retired registration again, and leaves the row as it was', async () => {
    const { raw, checked } = ledgers();
    const retired = await raw.insert({ ...newLedgerEntry(identity), state: 'retired', deviceImageId: 'image-1' }, T0);
    await expect(checked.update(retired, { state: 'queued' }, T1)).rejects.toBeInstanceOf(LifecycleViolationError);
    await expect(checked.update(retired, { state: 'creating' }, T1)).rejects.toThrow(/from retired to creating/);
    const after = await raw.get(identity);
    expect(after?.state).toBe('retired');
    expect(after?.etag).toBe(retired.etag);
  });

  it('refuses to claim (creating) a ready registration: a second POST for an image the tenant has', async () => {
    const { raw, checked } = ledgers();
    const ready = await checked.insert({ ...newLedgerEntry(identity), state: 'ready', deviceImageId: 'image-1' }, T0);
    await expect(checked.update(ready, { state: 'creating' }, T1)).rejects.toBeInstanceOf(LifecycleViolationError);
    expect((await raw.get(identity))?.state).toBe('ready');
  });

  it('refuses a first row that says retired, alone or among others, and writes none of a refused batch', async () => {
    const { raw, checked } = ledgers();
    await expect(checked.insert({ ...newLedgerEntry(identity), state: 'retired' }, T0)).rejects.toBeInstanceOf(LifecycleViolationError);
    const other = { ...newLedgerEntry({ ...identity, version: '1.1.0' }) };
    await expect(checked.insertMany([other, { ...newLedgerEntry(identity), state: 'retired' }], T0)).rejects.toBeInstanceOf(
      LifecycleViolationError,
    );
    expect(await raw.list()).toEqual([]);
  });

  it('writes what the lifecycle allows, and changes of other fields whatever the state', async () => {
    const { raw, checked } = ledgers();
    const queued = await checked.insert(newLedgerEntry(identity), T0);
    const creating = await checked.update(queued, { state: 'creating', attempts: 1 }, T1);
    const pending = await checked.update(creating, { state: 'pending', deviceImageId: 'image-1' }, T1);
    const ready = await checked.update(pending, { state: 'ready' }, T1);
    const retired = await checked.update(ready, { state: 'retired' }, T1);
    await checked.update(retired, { reason: 'deleted by retention' }, T1);
    expect(await raw.get(identity)).toMatchObject({ state: 'retired', reason: 'deleted by retention', attempts: 1 });
  });
});
