import { describe, expect, it } from 'vitest';
import { createRetryAfterGate } from '../../../src/graph/retryAfterGate';

describe('the Retry-After gate', () => {
  it('is open until held, then holds for the longest wait it was given', () => {
    let now = 1_000;
    const gate = createRetryAfterGate(() => now);
    expect(gate.remainingMs()).toBe(0);
    gate.holdFor(2_000);
    gate.holdFor(500);
    expect(gate.remainingMs()).toBe(2_000);
    now += 1_500;
    expect(gate.remainingMs()).toBe(500);
    gate.holdFor(3_000);
    expect(gate.remainingMs()).toBe(3_000);
    now += 3_000;
    expect(gate.remainingMs()).toBe(0);
  });

  it('lets a request through at once while open', async () => {
    const gate = createRetryAfterGate();
    const started = performance.now();
    await gate.passed();
    expect(performance.now() - started).toBeLessThan(20);
  });

  it('lets held requests through once the hold has passed, spread over a quarter of it', async () => {
    const spreads = [0, 0.99];
    const gate = createRetryAfterGate(Date.now, () => spreads.shift() ?? 0);
    // Taken before the hold starts: a pause between the two (a loaded machine) must not shrink the elapsed time.
    const started = Date.now();
    gate.holdFor(200);
    const passedAt = await Promise.all([gate.passed(), gate.passed()].map((passing) => passing.then(() => Date.now() - started)));
    // Neither before the hold has passed, and the one that drew the end of the spread not before
    // 200 + 0.99 × 50 ms. Which request draws first is up to the timers (their waits differ by the
    // time between the two calls), so the two are compared in the order they passed. (An upper
    // bound on the first raced on a loaded machine: a late timer says nothing about the spread.)
    const [first, last] = [...passedAt].sort((a, b) => a - b);
    expect(first).toBeGreaterThanOrEqual(195);
    expect(last).toBeGreaterThanOrEqual(245);
  });

  it('gives up waiting when the request is aborted', async () => {
    const gate = createRetryAfterGate();
    gate.holdFor(10_000);
    await expect(gate.passed(AbortSignal.timeout(20))).rejects.toMatchObject({ name: 'AbortError' });
  });
});
