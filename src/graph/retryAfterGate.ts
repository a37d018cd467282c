// Graph throttles per tenant and app, not per request: a Retry-After one request is answered with
// tells every request of the process to wait. The gate holds them all until it has passed, rather
// than letting each find out with a 429 of its own (Microsoft's guidance for throttled clients).
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryAfterGate {
  /** How long requests must still wait, ms; 0 when the gate is open. */
  remainingMs(): number;
  /** Resolves once the gate is open (a hold added meanwhile is waited out too); rejects when `signal` aborts first. */
  passed(signal?: AbortSignal): Promise<void>;
  /** Holds requests for `ms` from now; never shortens a hold already in place. */
  holdFor(ms: number): void;
}

/** Requests held together are let through over up to this share of the hold, not all at once. */
const SPREAD_SHARE = 0.25;

export function createRetryAfterGate(now: () => number = Date.now, random: () => number = Math.random): RetryAfterGate {
  let openAt = 0;
  let lastHoldMs = 0;
  const remainingMs = (): number => Math.max(0, openAt - now());
  return {
    remainingMs,
    async passed(signal) {
      const options = signal === undefined ? undefined : { signal };
      let held = false;
      for (let wait = remainingMs(); wait > 0; wait = remainingMs()) {
        held = true;
        await sleep(wait, undefined, options);
      }
      // Released together, the held requests would empty the budget at once and be refused again.
      if (held) await sleep(random() * SPREAD_SHARE * lastHoldMs, undefined, options);
    },
    holdFor(ms) {
      if (now() + ms <= openAt) return;
      openAt = now() + ms;
      lastHoldMs = ms;
    },
  };
}
