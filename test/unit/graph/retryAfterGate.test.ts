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
    gate.holdFor(200);
    const started = Date.now();
    const passedAt = await Promise.all([gate.passed(), gate.passed()].map((passing) => passing.then(() => Date.now() - started)));
    expect(passedAt[0]).toBeGreaterThanOrEqual(195);
    expect(passedAt[0]).toBeLessThan(240);
    expect(passedAt[1]).toBeGreaterThanOrEqual(240);
  });

  it('gives up waiting when the request is aborted', async () => {
    const gate = createRetryAfterGate();
    gate.holdFor(10_000);
    await expect(gate.passed(AbortSignal.timeout(20))).rejects.toMatchObject({ name: 'AbortError' });
  });
});
