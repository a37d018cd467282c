// Graph throttles per tenant and app, not per request: a Retry-After one request is answered with
// tells every request of the app to wait, in every instance (they share the tenant's budget). The gate
// holds them all until it has passed, rather than letting each find out with a 429 of its own
// (Microsoft's guidance for throttled clients). Within a process the gate knows a hold at once; other
// instances learn it from a shared row (src/state/sharedThrottle.ts) that the gate writes when it is
// given a hold and reads before requests, at most once per refresh interval.
import { setTimeout as sleep } from 'node:timers/promises';
import { errorMessage } from '../errors';
import { silentLogger, type Logger } from '../log';

export interface RetryAfterGate {
  /** How long requests must still wait, ms, as far as the gate knows now; 0 when the gate is open. */
  remainingMs(): number;
  /** Resolves once the gate is open (a hold added meanwhile, here or by another instance, is waited out too); rejects when `signal` aborts first. */
  passed(signal?: AbortSignal): Promise<void>;
  /** Holds requests for `ms` from now, in every instance; never shortens a hold already in place. */
  holdFor(ms: number): void;
  /** Learns the holds other instances published (reads at most once per refresh interval); never rejects. */
  refresh(): Promise<void>;
}

/** Where the instances of the app share their holds. */
export interface SharedHold {
  /** When the shared hold ends, ms since the epoch; 0 when there is none. */
  read(signal: AbortSignal): Promise<number>;
  /** Makes the shared hold last until `untilMs` at least, never shortening it; resolves to when it ends. */
  extend(untilMs: number, signal: AbortSignal): Promise<number>;
}

export interface SharedGateOptions {
  /** The shared row is read at most this often (default 1 s): how late another instance's hold can be learnt. */
  readonly refreshMs?: number;
  /** A read that takes longer counts as failed: requests go on under the holds already known. */
  readonly readTimeoutMs?: number;
  readonly writeTimeoutMs?: number;
  readonly log?: Logger;
  /** Wall-clock ms (holds are shared as times, so instances must agree on the clock). */
  readonly now?: () => number;
  readonly random?: () => number;
}

export interface SharedRetryAfterGate extends RetryAfterGate {
  /** Resolves once every hold given so far is written to the shared row, or has failed to be (logged). */
  published(): Promise<void>;
}

export const DEFAULT_SHARED_REFRESH_MS = 1_000;
const DEFAULT_READ_TIMEOUT_MS = 1_000;
const DEFAULT_WRITE_TIMEOUT_MS = 5_000;
/** After a failed read, the row is not read again for this long. */
const FAILED_READ_PAUSE_MS = 5_000;

/** Requests held together are let through over up to this share of the hold, not all at once. */
const SPREAD_SHARE = 0.25;

interface Sharing {
  readonly shared: SharedHold;
  readonly refreshMs: number;
  readonly readTimeoutMs: number;
  readonly writeTimeoutMs: number;
  readonly log: Logger;
}

/** The gate of one process alone. */
export function createRetryAfterGate(now: () => number = Date.now, random: () => number = Math.random): RetryAfterGate {
  return createGate(now, random, null);
}

/** The gate of one process, sharing its holds with every other instance through `shared`. */
export function createSharedRetryAfterGate(shared: SharedHold, options: SharedGateOptions = {}): SharedRetryAfterGate {
  return createGate(options.now ?? Date.now, options.random ?? Math.random, {
    shared,
    refreshMs: options.refreshMs ?? DEFAULT_SHARED_REFRESH_MS,
    readTimeoutMs: options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS,
    writeTimeoutMs: options.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS,
    log: options.log ?? silentLogger,
  });
}

function createGate(now: () => number, random: () => number, sharing: Sharing | null): SharedRetryAfterGate {
  /** When the latest hold known here ends, this process's own or one read from the shared row. */
  let openAt = 0;
  let lastHoldMs = 0;
  const remainingMs = (): number => Math.max(0, openAt - now());
  const holdUntil = (until: number): void => {
    if (until <= openAt || until <= now()) return;
    lastHoldMs = until - now();
    openAt = until;
  };

  let nextReadAt = Number.NEGATIVE_INFINITY;
  let reading: Promise<void> | null = null;
  /** The shared row holds at least until this (read or written). */
  let sharedUntil = 0;
  /** The latest end this process has asked the shared row for. */
  let wantedUntil = 0;
  let writing: Promise<void> | null = null;

  const refresh = (): Promise<void> => {
    if (sharing === null) return Promise.resolve();
    if (reading !== null) return reading;
    if (now() < nextReadAt) return Promise.resolve();
    nextReadAt = now() + sharing.refreshMs;
    const read = sharing.shared.read(AbortSignal.timeout(sharing.readTimeoutMs)).then(
      (until) => {
        sharedUntil = Math.max(sharedUntil, until);
        holdUntil(until);
      },
      // Unreadable is "no hold beyond those already known": Graph still answers 429 if one was missed.
      // Storage that is down is not asked again at once, or every refresh would cost a request its timeout.
      (error: unknown) => {
        nextReadAt = Math.max(nextReadAt, now() + FAILED_READ_PAUSE_MS);
        sharing.log.debug('GraphThrottleUnread', { error: errorMessage(error) });
      },
    );
    reading = read.finally(() => {
      reading = null;
    });
    return reading;
  };

  const write = async (target: Sharing): Promise<void> => {
    try {
      while (wantedUntil > sharedUntil) {
        const until = wantedUntil;
        try {
          const held = await target.shared.extend(until, AbortSignal.timeout(target.writeTimeoutMs));
          sharedUntil = Math.max(sharedUntil, until, held);
          holdUntil(held);
        } catch (error) {
          target.log.warn('GraphThrottleNotShared', { until: new Date(until).toISOString(), error: errorMessage(error) });
          // A later hold tries again.
          wantedUntil = sharedUntil;
          return;
        }
      }
    } finally {
      writing = null;
    }
  };

  const publish = (until: number): void => {
    if (sharing === null || until <= Math.max(sharedUntil, wantedUntil)) return;
    wantedUntil = until;
    writing ??= write(sharing);
  };

  return {
    remainingMs,
    refresh,
    async passed(signal) {
      const options = signal === undefined ? undefined : { signal };
      let held = false;
      for (;;) {
        await refresh();
        const wait = remainingMs();
        if (wait > 0) {
          held = true;
          await sleep(wait, undefined, options);
          continue;
        }
        if (!held) return;
        // Released together, the held requests would empty the budget at once and be refused again.
        // A hold that began meanwhile is waited out too (the loop looks again).
        held = false;
        await sleep(random() * SPREAD_SHARE * lastHoldMs, undefined, options);
      }
    },
    holdFor(ms) {
      const until = now() + ms;
      holdUntil(until);
      publish(until);
    },
    async published() {
      while (writing !== null) await writing;
    },
  };
}
