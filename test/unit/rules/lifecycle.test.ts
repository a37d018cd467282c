import { describe, expect, it } from 'vitest';
import type { LedgerState } from '../../../src/domain';
import { FIRST_STATES, NEXT_STATES, mayFollow } from '../../../src/rules/lifecycle';

const STATES: readonly LedgerState[] = ['queued', 'creating', 'pending', 'ready', 'failed', 'skipped', 'retired'];
const followers = (from: LedgerState) => STATES.filter((to) => mayFollow(from, to));

describe('the lifecycle of a registration', () => {
  it('lists every state, and every state may be written again as it is (a change of other fields)', () => {
    expect(Object.keys(NEXT_STATES).sort()).toEqual([...STATES].sort());
    for (const state of STATES) expect(mayFollow(state, state), state).toBe(true);
  });

  it('lets a create go out (creating) only from a queued or creating row, or a new one', () => {
    expect(STATES.filter((from) => mayFollow(from, 'creating'))).toEqual(['queued', 'creating']);
    expect(mayFollow(null, 'creating')).toBe(true);
  });

  it('never queues, claims or skips a retired registration again; it goes back only to what Graph shows', () => {
    expect(followers('retired')).toEqual(['pending', 'ready', 'failed', 'retired']);
  });

  it('retires only a registration that had a device image', () => {
    expect(STATES.filter((from) => from !== 'retired' && mayFollow(from, 'retired'))).toEqual(['pending', 'ready', 'failed']);
    expect(mayFollow(null, 'retired')).toBe(false);
  });

  it('starts a row in any state but retired', () => {
    expect([...FIRST_STATES].sort()).toEqual(STATES.filter((state) => state !== 'retired').sort());
  });
});
