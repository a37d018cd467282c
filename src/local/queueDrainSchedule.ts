// When a drain receives next: an empty queue is polled from 100 ms, doubling up to
// maxPollingInterval; a wake-up (a message sent, a handler finished) ends the wait at once, and a
// delayed one (a delayed send, a released message) at its time. Wake-ups due within the same 50 ms
// share one timer.

/** Delayed wake-ups due within this span share one timer. */
const WAKE_GRANULARITY_MS = 50;

export interface DrainSchedule {
  /** Waits ms, or less when woken; a pending wake-up ends it at once unless it waits for a handler slot. */
  readonly pause: (ms: number, forSlot?: boolean) => Promise<void>;
  /** A message is visible now (afterMs absent or 0) or will be in afterMs. */
  readonly wakeAfter: (afterMs?: number) => void;
  /** Ends the pause under way, if any (a handler finished: a slot is free). */
  readonly interrupt: () => void;
  /** Called before each receive: what was sent before it, it sees, so the wake-up is spent. */
  readonly receiving: () => void;
  readonly stopping: () => boolean;
  /** No more waiting: timers cleared, the pause under way ended, every later pause returns at once. */
  readonly stop: () => void;
}

export function createDrainSchedule(): DrainSchedule {
  let stopping = false;
  let wake: (() => void) | null = null;
  /** Set by wakeNow; the next pause returns at once, and the receive it leads to clears it. */
  let wakeRequested = false;
  const wakeTimers = new Map<number, NodeJS.Timeout>();

  const wakeNow = (): void => {
    wakeRequested = true;
    wake?.();
  };

  return {
    pause: (ms, forSlot = false) =>
      new Promise((resolve) => {
        if ((wakeRequested && !forSlot) || stopping) {
          resolve();
          return;
        }
        const done = (): void => {
          clearTimeout(timer);
          wake = null;
          resolve();
        };
        const timer = setTimeout(done, ms);
        wake = done;
      }),

    wakeAfter: (afterMs) => {
      if (stopping) return;
      if (!(afterMs !== undefined && afterMs > 0)) {
        wakeNow();
        return;
      }
      const slot = Math.ceil((Date.now() + afterMs) / WAKE_GRANULARITY_MS);
      if (wakeTimers.has(slot)) return;
      const timer = setTimeout(
        () => {
          wakeTimers.delete(slot);
          wakeNow();
        },
        slot * WAKE_GRANULARITY_MS - Date.now(),
      );
      wakeTimers.set(slot, timer);
    },

    interrupt: () => wake?.(),

    receiving: () => {
      wakeRequested = false;
    },

    stopping: () => stopping,

    stop: () => {
      stopping = true;
      for (const timer of wakeTimers.values()) clearTimeout(timer);
      wakeTimers.clear();
      wake?.();
    },
  };
}
