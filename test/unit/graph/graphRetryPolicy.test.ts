import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { describe, expect, it } from 'vitest';
import {
  GraphCallOptions,
  GraphRetryHandler,
  MAX_RETRY_AFTER_MS,
  throttlingRetryStrategy,
  unansweredRetryStrategy,
} from '../../../src/graph/graphRetryPolicy';
import { createRetryAfterGate } from '../../../src/graph/retryAfterGate';

const headers = (values: Record<string, string> = {}) => new Headers(values);
const attempt = (status: number | null, values: Record<string, string> = {}, sideEffect = false) => ({
  attempt: 0,
  status,
  headers: status === null ? null : headers(values),
  sideEffect,
});

describe('throttlingRetryStrategy', () => {
  const strategy = throttlingRetryStrategy();

  it('holds the gate for a 429 or 503 with Retry-After, for every call, and retries once it opens', () => {
    for (const status of [429, 503]) {
      const gate = createRetryAfterGate();
      expect(strategy.retry(attempt(status, { 'Retry-After': '2' }), gate)).toEqual({ retryAfterMs: 0 });
      expect(gate.remainingMs()).toBeGreaterThan(1_900);
    }
  });

  it('holds the gate but sends a side effect again only after a 429 (a 503 may follow the effect)', () => {
    const gate = createRetryAfterGate();
    expect(strategy.retry(attempt(503, { 'Retry-After': '1' }, true), gate)).toBeNull();
    expect(gate.remainingMs()).toBeGreaterThan(900);
    expect(strategy.retry(attempt(429, { 'Retry-After': '1' }, true), gate)).toEqual({ retryAfterMs: 0 });
  });

  it('leaves a wait longer than it holds a call to the queue, still holding the gate for it', () => {
    const gate = createRetryAfterGate();
    expect(strategy.retry(attempt(429, { 'Retry-After': String(MAX_RETRY_AFTER_MS / 1000 + 60) }), gate)).toBeNull();
    expect(gate.remainingMs()).toBeGreaterThan(MAX_RETRY_AFTER_MS);
  });

  it('reads retry-after-ms, and is not the strategy of an answer without a wait', () => {
    const gate = createRetryAfterGate();
    expect(strategy.retry(attempt(429, { 'retry-after-ms': '1500' }), gate)).toEqual({ retryAfterMs: 0 });
    expect(strategy.retry(attempt(429), createRetryAfterGate())).toBeNull();
    expect(strategy.retry(attempt(500, { 'Retry-After': '1' }), createRetryAfterGate())).toBeNull();
  });
});

describe('unansweredRetryStrategy', () => {
  const strategy = unansweredRetryStrategy({ delaySeconds: 1, maxRetries: 4 }, () => 0.5);

  it.each([null, 429, 500, 502, 503, 504])('backs off exponentially with jitter after %s without a Retry-After', (status) => {
    const gate = createRetryAfterGate();
    expect(strategy.retry(attempt(status), gate)).toEqual({ retryAfterMs: 750 });
    expect(strategy.retry({ ...attempt(status), attempt: 3 }, gate)).toEqual({ retryAfterMs: 6_000 });
  });

  it('never sends a side effect again after no answer or a 5xx, and leaves refusals and named waits alone', () => {
    const gate = createRetryAfterGate();
    for (const status of [null, 500, 502, 503, 504]) expect(strategy.retry(attempt(status, {}, true), gate)).toBeNull();
    expect(strategy.retry(attempt(429, {}, true), gate)).toEqual({ retryAfterMs: 750 });
    for (const status of [400, 401, 403, 404, 409]) expect(strategy.retry(attempt(status), gate)).toBeNull();
    expect(strategy.retry(attempt(503, { 'Retry-After': '600' }), gate)).toBeNull();
  });
});

/** The network as a script: each attempt gets the next answer (a status, or 'reset' for no answer). */
function scripted(answers: (number | 'reset')[]): { readonly network: Middleware; readonly sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    network: {
      async execute(context: Context) {
        sent.push(new Headers(context.options?.headers).get('Retry-Attempt') ?? '0');
        const answer = answers.shift() ?? 200;
        if (answer === 'reset') throw new TypeError('fetch failed');
        context.response = new Response(answer === 200 ? '{}' : null, {
          status: answer,
          headers: answer === 429 ? { 'Retry-After': '0.05' } : {},
        });
      },
    },
  };
}

async function run(answers: (number | 'reset')[], options: GraphCallOptions): Promise<{ status: number | 'thrown'; sent: string[] }> {
  const { network, sent } = scripted(answers);
  const handler = new GraphRetryHandler(createRetryAfterGate(), { delaySeconds: 0.01, maxRetries: 3 });
  handler.setNext(network);
  const context: Context = {
    request: 'https://graph.test/v1.0/x',
    options: { headers: {} },
    middlewareControl: { getMiddlewareOptions: () => options } as unknown as Context['middlewareControl'],
  };
  try {
    await handler.execute(context);
    return { status: context.response?.status ?? 0, sent };
  } catch {
    return { status: 'thrown', sent };
  }
}

describe('GraphRetryHandler', () => {
  it('sends a read again after throttling, a reset and a 503, numbering each resend, until it is answered', async () => {
    expect(await run([429, 'reset', 503, 200], new GraphCallOptions(false))).toEqual({ status: 200, sent: ['0', '1', '2', '3'] });
  });

  it('stops after maxRetries resends, leaving the last answer to the caller', async () => {
    expect(await run([503, 503, 503, 503, 503, 200], new GraphCallOptions(false))).toEqual({ status: 503, sent: ['0', '1', '2', '3'] });
  });

  it('sends a side effect once more after a 429, never after a 5xx or no answer', async () => {
    expect(await run([429, 200], new GraphCallOptions(true))).toEqual({ status: 200, sent: ['0', '1'] });
    expect(await run([500, 200], new GraphCallOptions(true))).toEqual({ status: 500, sent: ['0'] });
    expect(await run(['reset', 200], new GraphCallOptions(true))).toEqual({ status: 'thrown', sent: ['0'] });
  });

  it('starts no attempt that would wait past the call deadline', async () => {
    expect(await run([503, 200], new GraphCallOptions(false, Date.now() + 1))).toEqual({ status: 503, sent: ['0'] });
  });
});
