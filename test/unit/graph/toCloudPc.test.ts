import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnexpectedResponseError } from '../../../src/errors';
import { toCloudPc } from '../../../src/graph/toCloudPc';

const example = JSON.parse(readFileSync(path.join(__dirname, '../../fixtures/api/cloudPCs-list-beta.json'), 'utf8')) as {
  value: unknown[];
};

describe('toCloudPc', () => {
  it("reads the documented beta example: status closed to what the gate counts, the failure's detail in words", () => {
    expect(example.value.map(toCloudPc)).toEqual([
      {
        id: '6b7a9c2e-1f3d-4e5a-9b8c-0d1e2f3a4b5c',
        displayName: 'CPC-pilot-01',
        status: 'provisioned',
        outcome: 'provisioned',
        statusDetail: null,
      },
      {
        id: '0c9d8e7f-6a5b-4c3d-8e2f-1a0b9c8d7e6f',
        displayName: 'CPC-pilot-02',
        status: 'failed',
        outcome: 'failed',
        statusDetail: 'imageNotSupported: The Cloud PC could not be provisioned from the image.',
      },
    ]);
  });

  it.each([
    ['provisionedWithWarnings', 'provisioned'],
    ['PROVISIONED', 'provisioned'],
    ['provisioning', 'in-progress'],
    ['inGracePeriod', 'in-progress'],
    ['unknownFutureValue', 'in-progress'],
    ['somethingNew', 'in-progress'],
  ])('reads status %s as %s', (status, outcome) => {
    expect(toCloudPc({ id: 'x', status }).outcome).toBe(outcome);
  });

  it('refuses a Cloud PC without a status (v1.0 has none), naming the field', () => {
    expect(() => toCloudPc({ id: 'x', displayName: 'CPC' })).toThrow(UnexpectedResponseError);
    expect(() => toCloudPc({ id: 'x', displayName: 'CPC' })).toThrow(/a Cloud PC that cannot be read: status/);
  });
});
