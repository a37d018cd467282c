// The policies' rollout rows in a real table: the device images a policy was rolled back from are
// kept across rows (rolledBackFrom), and rows written before that field existed still read.
import { describe, expect, it } from 'vitest';
import type { PolicyRollout } from '../../../src/domain';
import { PermanentError } from '../../../src/errors';
import { ROLLOUT_PARTITION, rolloutRowKey } from '../../../src/state/ledgerKeys';
import { createPolicyRollouts } from '../../../src/state/policyRollouts';
import { testStorage } from '../../support/storage';

const POLICY = '3e3e3e3e-0000-4000-8000-000000000001';
const rollout: PolicyRollout = {
  policyId: POLICY,
  policyDisplayName: 'Engineering',
  state: 'rolled-out',
  deviceImageId: 'c2c2c2c2-0000-4000-8000-000000000002',
  deviceImageDisplayName: 'win11',
  sourceImageResourceId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/win11',
  version: '2.0.0',
  previousImageId: 'c2c2c2c2-0000-4000-8000-000000000000',
  previousImageDisplayName: 'baseline',
  previousImageType: 'custom',
  rolledBackFrom: ['c2c2c2c2-0000-4000-8000-000000000001'],
  updatedAt: '2026-12-06T01:00:00.000Z',
};

describe('policy rollout rows in Azure Tables', () => {
  it('keeps the device images a policy was rolled back from, and reads a row written before the field existed as []', async () => {
    const { clients, tableName } = testStorage('rollouts');
    const table = clients.table(tableName);
    const rollouts = createPolicyRollouts(table, clients.endpoints);
    const saved = await rollouts.save(rollout, null);
    expect(await rollouts.get(POLICY.toUpperCase())).toEqual({ ...rollout, etag: saved.etag });
    expect((await rollouts.list())[0]).toMatchObject({
      state: 'rolled-out',
      previousImageId: rollout.previousImageId,
      rolledBackFrom: rollout.rolledBackFrom,
    });

    const { rolledBackFrom: _absent, ...earlierRelease } = rollout;
    await table.upsertEntity({ partitionKey: ROLLOUT_PARTITION, rowKey: rolloutRowKey(POLICY), ...earlierRelease }, 'Replace');
    expect(await rollouts.get(POLICY)).toMatchObject({ state: 'rolled-out', rolledBackFrom: [] });

    await table.upsertEntity(
      { partitionKey: ROLLOUT_PARTITION, rowKey: rolloutRowKey(POLICY), ...earlierRelease, rolledBackFrom: '{nope' },
      'Replace',
    );
    await expect(rollouts.get(POLICY)).rejects.toThrow(PermanentError);
  });
});
