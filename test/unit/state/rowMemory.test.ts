import { describe, expect, it } from 'vitest';
import type { LedgerRow } from '../../../src/domain';
import { createRowMemory } from '../../../src/state/rowMemory';
import { newLedgerEntry } from '../../../src/sync/ledgerTransitions';

const SUBSCRIPTION = '11111111-1111-4111-8111-111111111111';
const imageId = (name: string) => `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-images/providers/Microsoft.Compute/images/${name}`;

function row(name: string, etag = 'W/"1"'): LedgerRow {
  return { ...newLedgerEntry({ sourceImageResourceId: imageId(name), displayName: name, version: '1.0.0' }), createdAt: '2026-11-23T09:00:00.000Z', updatedAt: '2026-11-23T09:00:00.000Z', etag };
}

describe('row memory', () => {
  it('recalls the last row remembered for an image, whatever the casing of its id', () => {
    const memory = createRowMemory(10);
    memory.remember(row('a', 'W/"1"'));
    memory.remember(row('a', 'W/"2"'));
    expect(memory.recall(imageId('a').toUpperCase())?.etag).toBe('W/"2"');
    expect(memory.recall(imageId('b'))).toBeUndefined();
  });

  it('forgets an image on request', () => {
    const memory = createRowMemory(10);
    memory.remember(row('a'));
    memory.forget(imageId('A'));
    expect(memory.recall(imageId('a'))).toBeUndefined();
  });

  it('keeps at most its limit, forgetting the least recently remembered first', () => {
    const memory = createRowMemory(2);
    memory.remember(row('a'));
    memory.remember(row('b'));
    memory.remember(row('a', 'W/"2"'));
    memory.remember(row('c'));
    expect(memory.recall(imageId('b'))).toBeUndefined();
    expect(memory.recall(imageId('a'))?.etag).toBe('W/"2"');
    expect(memory.recall(imageId('c'))).toBeDefined();
  });
});
