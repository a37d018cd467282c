import { describe, expect, it } from 'vitest';
import { grantSlots, openReservations } from '../../../src/state/imageSlots';
import { RESERVATION_SETTLE_MS, RESERVATION_TTL_MS } from '../../../src/rules/times';

const NOW = new Date('2026-12-01T15:00:00Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

describe('tenant image slots', () => {
  it('grants slots in order while the tenant and the open reservations leave room', () => {
    const { granted, reservations } = grantSlots({ a: ago(1000) }, ['b', 'c', 'd'], new Set(['x', 'y']), 5, NOW);
    expect([...granted]).toEqual(['b', 'c']);
    expect(Object.keys(reservations).sort()).toEqual(['a', 'b', 'c']);
  });

  it('counts a registration once when it is both reserved and in the tenant', () => {
    const { granted } = grantSlots({ a: ago(1000) }, ['b'], new Set(['a']), 2, NOW);
    expect([...granted]).toEqual(['b']);
  });

  it('keeps an existing reservation without taking another slot', () => {
    const { granted, reservations } = grantSlots({ a: ago(1000) }, ['a'], new Set(['x']), 2, NOW);
    expect([...granted]).toEqual(['a']);
    expect(reservations).toEqual({ a: ago(1000) });
  });

  it('grants nothing when the tenant is full already (a limit below the current count)', () => {
    expect([...grantSlots({}, ['a'], new Set(['x', 'y', 'z']), 2, NOW).granted]).toEqual([]);
  });

  it('ends reservations once their image has been listed a while, and lost ones after the TTL', () => {
    const open = openReservations(
      { settled: ago(RESERVATION_SETTLE_MS), fresh: ago(1000), lost: ago(RESERVATION_TTL_MS), unreadable: 'never' },
      new Set(['settled', 'fresh']),
      NOW,
    );
    expect(Object.keys(open)).toEqual(['fresh']);
  });
});
