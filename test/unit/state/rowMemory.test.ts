import { describe, expect, it } from 'vitest';
import type { LedgerRow } from '../../../src/domain';
import { createRowMemory } from '../../../src/state/rowMemory';
import { newLedgerEntry } from '../../../src/steps/ledgerTransitions';

const SUBSCRIPTION = '11111111-1111-4111-8111-111111111111';
const imageId = (name: string) => `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-images/providers/Microsoft.Compute/images/${name}`;
/** The registration of `name` at 1.0.0, the version every row below has. */
const ref = (id: string, version: string | null = '1.0.0') => ({ sourceImageResourceId: id, version });

function row(name: string, etag = 'W/"1"'): LedgerRow {
  return {
    ...newLedgerEntry({ sourceImageResourceId: imageId(name), displayName: name, version: '1.0.0' }),
    createdAt: '2026-11-23T09:00:00.000Z',
    updatedAt: '2026-11-23T09:00:00.000Z',
    etag,
  };
}

describe('row memory', () => {
  it('recalls the last row remembered for a registration, whatever the casing of its source id, and only at its version', () => {
    const memory = createRowMemory(10);
    memory.remember(row('a', 'W/"1"'));
    memory.remember(row('a', 'W/"2"'));
    expect(memory.recall(ref(imageId('a').toUpperCase()))?.etag).toBe('W/"2"');
    expect(memory.recall(ref(imageId('b')))).toBeUndefined();
    expect(memory.recall(ref(imageId('a'), '1.0.1'))).toBeUndefined();
  });

  it('forgets a registration on request', () => {
    const memory = createRowMemory(10);
    memory.remember(row('a'));
    memory.forget(ref(imageId('A')));
    expect(memory.recall(ref(imageId('a')))).toBeUndefined();
  });

  it('keeps at most its limit, forgetting the least recently remembered first', () => {
    const memory = createRowMemory(2);
    memory.remember(row('a'));
    memory.remember(row('b'));
    memory.remember(row('a', 'W/"2"'));
    memory.remember(row('c'));
    expect(memory.recall(ref(imageId('b')))).toBeUndefined();
    expect(memory.recall(ref(imageId('a')))?.etag).toBe('W/"2"');
    expect(memory.recall(ref(imageId('c')))).toBeDefined();
  });
});
