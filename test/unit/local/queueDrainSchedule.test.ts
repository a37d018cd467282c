// When a drain receives next, on a fake clock: a pause ends at its time or at a wake-up, a delayed
// wake-up at its time (those due within 50 ms share one timer), and stop ends every wait.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDrainSchedule } from '../../../src/local/queueDrainSchedule';

/** Resolves to the fake time at which the pause ended. */
function ended(pause: Promise<void>): Promise<number> {
  return pause.then(() => Date.now());
}

describe('the drain schedule', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('ends a pause at its time when nothing wakes it', async () => {
    const schedule = createDrainSchedule();
    const at = ended(schedule.pause(1_000));
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await at).toBe(1_000);
  });

  it('ends a pause at a wake-up, and a wake-up before the pause ends the next pause at once until a receive spends it', async () => {
    const schedule = createDrainSchedule();
    const at = ended(schedule.pause(60_000));
    await vi.advanceTimersByTimeAsync(200);
    schedule.wakeAfter();
    expect(await at).toBe(200);
    // Still pending: the next pause returns at once.
    expect(await ended(schedule.pause(60_000))).toBe(200);
    schedule.receiving();
    const later = ended(schedule.pause(5_000));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(await later).toBe(5_200);
  });

  it('does not end a pause for a handler slot on a pending wake-up, only on interrupt', async () => {
    const schedule = createDrainSchedule();
    schedule.wakeAfter(0);
    const at = ended(schedule.pause(60_000, true));
    await vi.advanceTimersByTimeAsync(300);
    schedule.interrupt();
    expect(await at).toBe(300);
  });

  it('wakes at a delayed time, one timer for wake-ups due within the same 50 ms', async () => {
    const schedule = createDrainSchedule();
    schedule.wakeAfter(1_010);
    schedule.wakeAfter(1_040);
    expect(vi.getTimerCount()).toBe(1);
    const at = ended(schedule.pause(60_000));
    await vi.advanceTimersByTimeAsync(1_050);
    expect(await at).toBe(1_050);
  });

  it('stops: the wait under way ends, timers go, later pauses return at once and wake-ups are ignored', async () => {
    const schedule = createDrainSchedule();
    schedule.wakeAfter(5_000);
    const at = ended(schedule.pause(60_000));
    await vi.advanceTimersByTimeAsync(100);
    schedule.stop();
    expect(await at).toBe(100);
    expect(schedule.stopping()).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    schedule.wakeAfter(1_000);
    expect(vi.getTimerCount()).toBe(0);
    expect(await ended(schedule.pause(60_000))).toBe(100);
  });
});
