// Whether and when a Graph request is sent again: decided here, and only here (DESIGN §8).
//
// The policy is one middleware of the Graph client, next to the network, so every attempt passes it.
// Before each attempt it waits for the Retry-After gate (held by this process, or by another instance
// through the shared throttle row). After each attempt it asks its strategies, in order, shaped like
// the Azure SDK's (`@azure/core-rest-pipeline`): each answers "retry after N ms" or "not mine".
//
//   throttling   429, or 503 with Retry-After: the gate is held for the Retry-After, for every call
//                of every instance, and the request goes again once it opens. A wait longer than
//                MAX_RETRY_AFTER_MS is not waited out here: the call fails with the Retry-After in
//                its TransientError, and the queue message is held or sent again (src/steps)
//   unanswered   no answer (reset, dropped connection), 500, 502, 503 without Retry-After, 504:
//                exponential backoff with jitter. Never for a call with a side effect (the create,
//                a policy PATCH): its answer may be lost after it took effect, so its caller looks
//                the outcome up instead of sending it again. A 429 is never processed, so it is
//                retried for those calls too.
//
// Attempts are bounded (`maxRetries` in all) and by the call's deadline. Above this layer, what
// outlives it is the queue's to retry (holdForRetryAfter, retryTransientLater): docs/architecture.md.
import type { Context, Middleware, MiddlewareOptions } from '@microsoft/microsoft-graph-client';
import { setTimeout as sleep } from 'node:timers/promises';
import { retryAfterMs } from '../retryAfter';
import type { RetryAfterGate } from './retryAfterGate';

export interface GraphRetrySettings {
  /** Base delay (seconds) of the exponential backoff; a Retry-After wins when sent. */
  readonly delaySeconds: number;
  readonly maxRetries: number;
}

export const DEFAULT_GRAPH_RETRY: GraphRetrySettings = { delaySeconds: 2, maxRetries: 4 };

/** Longer Retry-After waits are left to the queue rather than held inside one call (the SDK's own cap). */
export const MAX_RETRY_AFTER_MS = 180_000;
/** No backoff step waits longer than this. */
const MAX_BACKOFF_MS = 30_000;

/** Per call, through `.middlewareOptions([...])`: whether it has a side effect, and when it must be done. */
export class GraphCallOptions implements MiddlewareOptions {
  constructor(
    readonly sideEffect: boolean,
    /** ms since the epoch; no attempt is started that would have to wait past it. */
    readonly deadline: number | null = null,
  ) {}
}

/** What one attempt came to: an answer, or an error with no answer. */
export interface Attempt {
  /** Retries made so far (0 after the first attempt). */
  readonly attempt: number;
  readonly status: number | null;
  readonly headers: Headers | null;
  readonly sideEffect: boolean;
}

export interface GraphRetryStrategy {
  readonly name: string;
  /** `retryAfterMs` to wait before the next attempt (0: only the gate's hold), or null: not mine. */
  retry(attempt: Attempt, gate: RetryAfterGate): { readonly retryAfterMs: number } | null;
}

export function throttlingRetryStrategy(): GraphRetryStrategy {
  return {
    name: 'throttlingRetryStrategy',
    retry({ status, headers, sideEffect }, gate) {
      if (status !== 429 && status !== 503) return null;
      const waitMs = retryAfterMs(headers ?? undefined);
      if (waitMs === null) return null;
      // Held for everyone, also when this call is not sent again: no instance sends before it has passed.
      if (waitMs > 0) gate.holdFor(waitMs);
      // A 503 may come after the side effect took place: that call's caller looks the outcome up.
      return waitMs > MAX_RETRY_AFTER_MS || (status === 503 && sideEffect) ? null : { retryAfterMs: 0 };
    },
  };
}

const UNANSWERED: ReadonlySet<number | null> = new Set([null, 429, 500, 502, 503, 504]);

export function unansweredRetryStrategy(settings: GraphRetrySettings, random: () => number = Math.random): GraphRetryStrategy {
  return {
    name: 'unansweredRetryStrategy',
    retry({ attempt, status, headers, sideEffect }) {
      if (!UNANSWERED.has(status) || (sideEffect && status !== 429)) return null;
      // An answer that names its wait is the throttling strategy's, also when it declined the wait.
      if (retryAfterMs(headers ?? undefined) !== null) return null;
      const ceiling = Math.min(MAX_BACKOFF_MS, settings.delaySeconds * 1000 * 2 ** attempt);
      // Half fixed, half random: never immediate, and concurrent callers spread out.
      return { retryAfterMs: Math.round(ceiling / 2 + (random() * ceiling) / 2) };
    },
  };
}

/** `Retry-Attempt: N` on a resend, as the Graph SDK's own retry handler sends it (the emulator and support read it). */
function markRetry(context: Context, attempt: number): void {
  const options = (context.options ??= {});
  const headers = options.headers;
  if (headers instanceof Headers) headers.set('Retry-Attempt', String(attempt));
  else if (Array.isArray(headers))
    options.headers = [...headers.filter(([name]) => name?.toLowerCase() !== 'retry-attempt'), ['Retry-Attempt', String(attempt)]];
  else options.headers = { ...headers, 'Retry-Attempt': String(attempt) };
}

function callOptions(context: Context): GraphCallOptions {
  const control = context.middlewareControl as { getMiddlewareOptions?(type: unknown): unknown } | undefined;
  const found = control?.getMiddlewareOptions?.(GraphCallOptions);
  return found instanceof GraphCallOptions ? found : new GraphCallOptions(false);
}

/** The Graph client's middleware that carries the policy out. */
export class GraphRetryHandler implements Middleware {
  private next: Middleware | undefined;
  private readonly strategies: readonly GraphRetryStrategy[];

  constructor(
    private readonly gate: RetryAfterGate,
    private readonly settings: GraphRetrySettings = DEFAULT_GRAPH_RETRY,
    strategies?: readonly GraphRetryStrategy[],
  ) {
    this.strategies = strategies ?? [throttlingRetryStrategy(), unansweredRetryStrategy(settings)];
  }

  async execute(context: Context): Promise<void> {
    if (this.next === undefined) throw new Error('GraphRetryHandler: no next middleware');
    const options = callOptions(context);
    const signal = context.options?.signal ?? undefined;
    for (let attempt = 0; ; attempt++) {
      await this.gate.passed(signal);
      let failure: { readonly thrown: unknown } | null = null;
      context.response = undefined;
      try {
        await this.next.execute(context);
      } catch (error) {
        if (signal?.aborted === true) throw error;
        failure = { thrown: error };
      }
      const answer = context.response as Response | undefined;
      if (failure === null && answer !== undefined && answer.ok) return;
      const decision = this.decide({
        attempt,
        status: answer?.status ?? null,
        headers: answer?.headers ?? null,
        sideEffect: options.sideEffect,
      });
      const waitMs = decision === null ? null : Math.max(decision.retryAfterMs, this.gate.remainingMs());
      if (
        waitMs === null ||
        attempt >= this.settings.maxRetries ||
        (options.deadline !== null && Date.now() + waitMs >= options.deadline)
      ) {
        if (failure !== null) throw failure.thrown;
        return;
      }
      if (decision !== null && decision.retryAfterMs > 0)
        await sleep(decision.retryAfterMs, undefined, signal === undefined ? undefined : { signal });
      markRetry(context, attempt + 1);
    }
  }

  private decide(attempt: Attempt): { readonly retryAfterMs: number } | null {
    for (const strategy of this.strategies) {
      const decision = strategy.retry(attempt, this.gate);
      if (decision !== null) return decision;
    }
    return null;
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}
