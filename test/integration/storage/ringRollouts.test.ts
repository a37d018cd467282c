// Ring rollout rows and the Cloud PC ids seen at a PATCH, in a real table (Azurite): a round trip,
// an ETag race, a record larger than one property holds, and a row that is not the app's shape.
import { describe, expect, it } from 'vitest';
import type { RingRollout } from '../../../src/domain';
import { LedgerConflictError, PermanentError } from '../../../src/errors';
import { RING_PARTITION, imageRowKey } from '../../../src/state/ledgerKeys';
import { SEEN_PER_ROW, createRingRollouts } from '../../../src/state/ringRollouts';
import { testStorage } from '../../support/storage';

const SOURCE = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/win11';
const rollout: RingRollout = {
  sourceImageResourceId: SOURCE,
  displayName: 'Win11',
  version: '2.0.0',
  deviceImageId: 'c2c2c2c2-0000-4000-8000-000000000002',
  rings: [['Pilot'], ['Sales', 'Finance']],
  ring: 1,
  state: 'soaking',
  ringStartedAt: '2026-12-06T01:00:00.000Z',
  since: null,
  policyIds: [],
  provisioned: 0,
  failed: 0,
  failures: [],
  endedAt: null,
  updatedAt: '2026-12-06T01:00:00.000Z',
};
const guid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('ring rollout rows in Azure Tables', () => {
  it('round-trips a rollout, and lets one of two writers of the same row win', async () => {
    const { clients, tableName } = testStorage('rings');
    const rings = createRingRollouts(clients.table(tableName), clients.endpoints);
    expect(await rings.list()).toEqual([]);
    const saved = await rings.save(rollout, null);
    expect(await rings.get({ sourceImageResourceId: SOURCE.toUpperCase(), version: '2.0.0' })).toEqual(saved);
    await expect(rings.save(rollout, null)).rejects.toBeInstanceOf(LedgerConflictError);
    const halted = {
      ...saved,
      state: 'halted' as const,
      since: '2026-12-06T02:00:00.000Z',
      policyIds: ['p-1'],
      failed: 1,
      failures: [{ id: 'cpc-1', displayName: 'CPC-1', statusDetail: 'imageNotSupported: no' }],
      endedAt: '2026-12-06T03:00:00.000Z',
    };
    const updated = await rings.save(halted, saved);
    await expect(rings.save(rollout, saved)).rejects.toBeInstanceOf(LedgerConflictError);
    expect(await rings.list()).toEqual([updated]);
  });

  it('keeps more Cloud PC ids than one property holds, per ring and policy, and a shorter record replaces a longer one whole', async () => {
    const { clients, tableName } = testStorage('ringseen');
    const rings = createRingRollouts(clients.table(tableName), clients.endpoints);
    const ref = { sourceImageResourceId: SOURCE, version: '2.0.0', ring: 1, policyId: 'P-1' };
    expect(await rings.seen(ref)).toBeNull();
    const many = Array.from({ length: SEEN_PER_ROW * 2 + 5 }, (_, n) => guid(n).toUpperCase());
    await rings.saveSeen(ref, many);
    expect(await rings.seen({ ...ref, policyId: 'p-1' })).toEqual(new Set(many.map((id) => id.toLowerCase())));
    expect(await rings.seen({ ...ref, ring: 2 })).toBeNull();
    await rings.saveSeen(ref, [guid(1)]);
    expect(await rings.seen(ref)).toEqual(new Set([guid(1)]));
    await rings.saveSeen(ref, []);
    expect(await rings.seen(ref)).toEqual(new Set());
  });

  it('refuses a row that is not the shape the app writes, naming the field', async () => {
    const { clients, tableName } = testStorage('ringbad');
    const table = clients.table(tableName);
    const rings = createRingRollouts(table, clients.endpoints);
    await rings.save(rollout, null);
    await table.updateEntity({ partitionKey: RING_PARTITION, rowKey: imageRowKey(SOURCE, '2.0.0'), rings: 'Pilot > Sales' }, 'Merge');
    await expect(rings.list()).rejects.toThrow(PermanentError);
    await expect(rings.get(rollout)).rejects.toThrow(/ledger row ring\/.* is unreadable \(rings is not the JSON the app wrote\)/);
  });
});
