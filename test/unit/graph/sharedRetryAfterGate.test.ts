import { describe, expect, it } from 'vitest';
import { type SharedHold, createSharedRetryAfterGate } from '../../../src/graph/retryAfterGate';
import { MAX_SHARED_HOLD_MS, extendedUntil, throttleEntity, throttleUntil } from '../../../src/state/sharedThrottle';
import { recordingLogger } from '../../fixtures/recordingLogger';

const START = Date.parse('2026-11-23T09:00:00Z');

/** The shared row in memory, with what was asked of it; `until` never moves backwards, as in storage. */
function memoryHold() {
  const state = { until: 0, reads: 0, writes: [] as number[], failReads: false, failWrites: false };
  let release: (() => void) | null = null;
  const hold: SharedHold & { state: typeof state; holdWrites(): void; releaseWrites(): void } = {
    state,
    async read() {
      state.reads += 1;
      await Promise.resolve();
      if (state.failReads) throw new Error('storage unreachable');
      return state.until;
    },
    async extend(untilMs) {
      if (release === null) await Promise.resolve();
      else await new Promise<void>((resolve) => (release = resolve));
      if (state.failWrites) throw new Error('storage unreachable');
      state.writes.push(untilMs);
      state.until = Math.max(state.until, untilMs);
      return state.until;
    },
    holdWrites() {
      release = () => undefined;
    },
    releaseWrites() {
      const resolve = release;
      release = null;
      resolve?.();
    },
  };
  return hold;
}

function clock() {
  let now = START;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('the shared Retry-After gate', () => {
  it('reads the shared row at most once per refresh interval, one read for concurrent callers', async () => {
    const time = clock();
    const shared = memoryHold();
    const gate = createSharedRetryAfterGate(shared, { now: time.now, refreshMs: 2_000 });
    await Promise.all([gate.refresh(), gate.refresh(), gate.refresh()]);
    expect(shared.state.reads).toBe(1);
    time.advance(1_999);
    await gate.refresh();
    expect(shared.state.reads).toBe(1);
    time.advance(1);
    await gate.refresh();
    expect(shared.state.reads).toBe(2);
  });

  it('holds until the later of its own hold and the shared one', async () => {
    const time = clock();
    const shared = memoryHold();
    const gate = createSharedRetryAfterGate(shared, { now: time.now, refreshMs: 1_000 });
    shared.state.until = START + 5_000;
    // What another instance published is learnt at the next read, not before.
    expect(gate.remainingMs()).toBe(0);
    await gate.refresh();
    expect(gate.remainingMs()).toBe(5_000);
    gate.holdFor(8_000);
    expect(gate.remainingMs()).toBe(8_000);
    time.advance(1_000);
    shared.state.until = START + 12_000;
    await gate.refresh();
    expect(gate.remainingMs()).toBe(11_000);
    time.advance(11_000);
    expect(gate.remainingMs()).toBe(0);
  });

  it('publishes a hold it is given, unless the shared row holds as long already', async () => {
    const time = clock();
    const shared = memoryHold();
    const gate = createSharedRetryAfterGate(shared, { now: time.now });
    gate.holdFor(3_000);
    await gate.published();
    expect(shared.state.writes).toEqual([START + 3_000]);
    gate.holdFor(1_000);
    await gate.published();
    expect(shared.state.writes).toEqual([START + 3_000]);
    time.advance(500);
    gate.holdFor(4_000);
    await gate.published();
    expect(shared.state.writes).toEqual([START + 3_000, START + 4_500]);
  });

  it('learns from the write that another instance holds longer', async () => {
    const time = clock();
    const shared = memoryHold();
    const gate = createSharedRetryAfterGate(shared, { now: time.now });
    shared.state.until = START + 9_000;
    gate.holdFor(2_000);
    await gate.published();
    expect(gate.remainingMs()).toBe(9_000);
  });

  it('writes only the latest of the holds given while a write is under way', async () => {
    const time = clock();
    const shared = memoryHold();
    const gate = createSharedRetryAfterGate(shared, { now: time.now });
    shared.holdWrites();
    gate.holdFor(1_000);
    gate.holdFor(2_000);
    gate.holdFor(3_000);
    await Promise.resolve();
    shared.releaseWrites();
    await gate.published();
    expect(shared.state.writes).toEqual([START + 1_000, START + 3_000]);
    expect(shared.state.until).toBe(START + 3_000);
  });

  it('goes on under the holds it knows when the row cannot be read, and says so at debug', async () => {
    const time = clock();
    const shared = memoryHold();
    const { log, lines } = recordingLogger();
    const gate = createSharedRetryAfterGate(shared, { now: time.now, log, refreshMs: 1_000 });
    shared.state.until = START + 4_000;
    await gate.refresh();
    shared.state.failReads = true;
    time.advance(1_000);
    await expect(gate.refresh()).resolves.toBeUndefined();
    expect(gate.remainingMs()).toBe(3_000);
    expect(lines.map((line) => `${line.level} ${line.line.split(' ')[0]}`)).toEqual(['debug GraphThrottleUnread']);
    time.advance(3_000);
    expect(gate.remainingMs()).toBe(0);
    // Storage that failed is not asked again for 5 s, so requests do not each pay a read's timeout.
    shared.state.failReads = false;
    shared.state.until = START + 20_000;
    time.advance(1_999);
    await gate.refresh();
    expect(shared.state.reads).toBe(2);
    time.advance(1);
    await gate.refresh();
    expect(shared.state.reads).toBe(3);
    expect(gate.remainingMs()).toBe(14_000);
  });

  it('still holds its own process when the hold cannot be shared, logs it, and tries again with the next hold', async () => {
    const time = clock();
    const shared = memoryHold();
    const { log, lines } = recordingLogger();
    const gate = createSharedRetryAfterGate(shared, { now: time.now, log });
    shared.state.failWrites = true;
    gate.holdFor(2_000);
    await gate.published();
    expect(gate.remainingMs()).toBe(2_000);
    expect(lines.map((line) => `${line.level} ${line.line.split(' ')[0]}`)).toEqual(['warn GraphThrottleNotShared']);
    shared.state.failWrites = false;
    gate.holdFor(2_000);
    await gate.published();
    expect(shared.state.until).toBe(START + 2_000);
  });

  it('lets a request through once a hold learnt on the way has passed, spread, then looks again', async () => {
    const shared = memoryHold();
    const gate = createSharedRetryAfterGate(shared, { refreshMs: 0, random: () => 0 });
    shared.state.until = Date.now() + 150;
    const started = Date.now();
    await gate.passed();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(shared.state.reads).toBeGreaterThanOrEqual(2);
  });

  it('waits out a hold another instance begins while held requests are being spread', async () => {
    const shared = memoryHold();
    const gate = createSharedRetryAfterGate(shared, { refreshMs: 0, random: () => 0.99 });
    gate.holdFor(100);
    const started = Date.now();
    const passing = gate.passed();
    // During the spread (up to 25 ms after the hold), another instance is told to wait 200 ms.
    setTimeout(() => (shared.state.until = Date.now() + 200), 110);
    await passing;
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });
});

describe('the shared throttle row', () => {
  it('stands for no hold when absent, unreadable, or further ahead than any Retry-After worth honouring', () => {
    expect(throttleUntil(undefined, START)).toBe(0);
    expect(throttleUntil('not a time', START)).toBe(0);
    expect(throttleUntil(42, START)).toBe(0);
    expect(throttleUntil('2026-11-23T09:00:05.250Z', START)).toBe(START + 5_250);
    expect(throttleUntil(new Date(START + 1_000), START)).toBe(START + 1_000);
    expect(throttleUntil(new Date(START + MAX_SHARED_HOLD_MS).toISOString(), START)).toBe(START + MAX_SHARED_HOLD_MS);
    expect(throttleUntil(new Date(START + MAX_SHARED_HOLD_MS + 1).toISOString(), START)).toBe(0);
    expect(throttleUntil('3000-01-01T00:00:00Z', START)).toBe(0);
  });

  it('is written only to hold longer', () => {
    expect(extendedUntil({ untilMs: 0, etag: null }, START)).toBe(START);
    expect(extendedUntil({ untilMs: START + 2_000, etag: 'e' }, START + 1_000)).toBeNull();
    expect(extendedUntil({ untilMs: START + 2_000, etag: 'e' }, START + 2_000)).toBeNull();
    expect(extendedUntil({ untilMs: START + 2_000, etag: 'e' }, START + 2_001)).toBe(START + 2_001);
  });

  it('lives in the tenant partition, apart from the image slots, with `until` as an ISO time', () => {
    expect(throttleEntity(START + 1_500)).toEqual({ partitionKey: 'tenant', rowKey: 'graph-throttle', until: '2026-11-23T09:00:01.500Z' });
  });
});
