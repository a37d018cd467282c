import { describe, expect, it } from 'vitest';
import { toSourceImageResourceId } from '../../../src/graph/toSourceImageResourceId';
import { sourceImageId } from '../../fixtures/sourceImage';

const ID = sourceImageId('win11-ent-1.2.0');

/** A cloudPcSourceDeviceImage as getSourceImages lists it. */
function entry(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    resourceId: ID,
    displayName: 'win11-ent-1.2.0',
    subscriptionId: '11111111-1111-4111-8111-111111111111',
    subscriptionDisplayName: 'Imaging',
    ...overrides,
  };
}

describe('toSourceImageResourceId', () => {
  it('reads resourceId', () => {
    expect(toSourceImageResourceId(entry({ id: 'ignored' }))).toBe(ID);
  });

  it('falls back to the deprecated id when resourceId is absent, null or empty', () => {
    const { resourceId: _resourceId, ...withoutResourceId } = entry({ id: ID });
    expect(toSourceImageResourceId(withoutResourceId)).toBe(ID);
    expect(toSourceImageResourceId(entry({ resourceId: null, id: ID }))).toBe(ID);
    expect(toSourceImageResourceId(entry({ resourceId: '', id: ID }))).toBe(ID);
  });

  it('refuses an entry with neither, naming resourceId', () => {
    const { resourceId: _resourceId, ...withoutResourceId } = entry();
    expect(() => toSourceImageResourceId(withoutResourceId)).toThrow(
      /^Graph returned a source image that cannot be read: resourceId: neither resourceId nor id is given$/,
    );
  });

  it('refuses a non-text resourceId, naming it', () => {
    expect(() => toSourceImageResourceId(entry({ resourceId: 42 }))).toThrow(/: resourceId: /);
  });
});
