import { describe, expect, it } from 'vitest';
import { MAX_DELAY_SECONDS, delayToVisibilityTimeout } from '../../../src/queue/jobQueues';

describe('delayToVisibilityTimeout', () => {
  it.each([
    [0, 0],
    [1, 1],
    [0.2, 1],
    [299.5, 300],
    [-5, 0],
    [MAX_DELAY_SECONDS, MAX_DELAY_SECONDS],
    [MAX_DELAY_SECONDS + 1, MAX_DELAY_SECONDS],
    [Number.MAX_SAFE_INTEGER, MAX_DELAY_SECONDS],
  ])('delays %d s as %d s: whole seconds, capped at 7 days', (delay, expected) => {
    expect(delayToVisibilityTimeout(delay)).toBe(expected);
  });

  it('refuses a delay that is not a number', () => {
    expect(() => delayToVisibilityTimeout(Number.NaN)).toThrow(RangeError);
    expect(() => delayToVisibilityTimeout(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});
