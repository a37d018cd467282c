// Every request the emulator received and how it answered, with the questions tests ask of them:
// how many of each kind, and which were resent before their Retry-After had passed.
import type { IncomingMessage } from 'node:http';
import type { FaultName } from './faultInjector';
import type { ServiceName } from './replies';
import type { GraphVersion } from './graphVersion';

export interface RecordedRequest {
  /** Arrival order, from 1. */
  readonly sequence: number;
  /** Wall-clock time of arrival (ISO-8601). */
  readonly at: string;
  /** Milliseconds since the emulator started (monotonic), at arrival and when answered. */
  readonly receivedAtMs: number;
  readonly answeredAtMs: number;
  readonly service: ServiceName;
  readonly method: string;
  /** Path and query as received. */
  readonly path: string;
  readonly kind: string;
  readonly graphVersion: GraphVersion | null;
  /** Status sent, or `reset` when the socket was destroyed without an answer. */
  readonly status: number | 'reset';
  readonly fault: FaultName | null;
  readonly latencyMs: number;
  readonly retryAfterSeconds: number | null;
  readonly hasBearerToken: boolean;
  /** Request headers, lower-cased, with the Authorization value redacted. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A request identical to one answered 429/503 with Retry-After, arriving before that had passed. */
export interface EarlyRetry {
  readonly request: RecordedRequest;
  /** The answered request it repeats. */
  readonly after: RecordedRequest;
  /** How much too early it came. */
  readonly earlyByMs: number;
}

export interface EarlyRetryOptions {
  /** Timer slack forgiven (timers may fire a few ms early against the server's clock). Default 25 ms. */
  readonly toleranceMs?: number;
}

export class RequestLog {
  readonly entries: RecordedRequest[] = [];

  add(entry: RecordedRequest): void {
    this.entries.push(entry);
  }

  clear(): void {
    this.entries.length = 0;
  }

  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const entry of this.entries) counts[entry.kind] = (counts[entry.kind] ?? 0) + 1;
    return counts;
  }

  count(kind: string): number {
    return this.entries.filter((entry) => entry.kind === kind).length;
  }

  /**
   * Each answer with Retry-After is followed by at most one identical request (same method, path
   * and query, body) arriving after it. SDKs keep a request's client request id across its retries,
   * so when both carry one, only the same id follows (concurrent look-alikes are other requests);
   * without ids, the answer whose Retry-After ends first is followed first. A follower is early if
   * it arrived before the Retry-After had passed.
   */
  earlyRetries(options: EarlyRetryOptions = {}): EarlyRetry[] {
    const toleranceMs = options.toleranceMs ?? 25;
    const bySignature = new Map<string, RecordedRequest[]>();
    for (const entry of this.entries) {
      const signature = `${entry.method} ${entry.path}\n${entry.body}`;
      bySignature.set(signature, [...(bySignature.get(signature) ?? []), entry]);
    }
    const early: EarlyRetry[] = [];
    for (const group of bySignature.values()) {
      const followed = new Set<number>();
      const arrivals = [...group].sort((left, right) => left.receivedAtMs - right.receivedAtMs);
      for (const request of arrivals) {
        const id = clientRequestId(request);
        const candidates = group
          .filter(
            (answered) => isRetryAfterAnswer(answered) && !followed.has(answered.sequence) && answered.answeredAtMs <= request.receivedAtMs,
          )
          .filter((answered) => id === null || clientRequestId(answered) === null || clientRequestId(answered) === id)
          .sort((left, right) => allowedAtMs(left) - allowedAtMs(right));
        const after = candidates.find((answered) => id !== null && clientRequestId(answered) === id) ?? candidates[0];
        if (after === undefined) continue;
        followed.add(after.sequence);
        const earlyByMs = allowedAtMs(after) - request.receivedAtMs;
        if (earlyByMs > toleranceMs) early.push({ request, after, earlyByMs: Math.round(earlyByMs) });
      }
    }
    return early.sort((left, right) => left.request.sequence - right.request.sequence);
  }
}

function isRetryAfterAnswer(entry: RecordedRequest): boolean {
  return entry.retryAfterSeconds !== null && (entry.status === 429 || entry.status === 503);
}

function allowedAtMs(entry: RecordedRequest): number {
  return entry.answeredAtMs + (entry.retryAfterSeconds ?? 0) * 1000;
}

function clientRequestId(entry: RecordedRequest): string | null {
  return entry.headers['x-ms-client-request-id'] ?? entry.headers['client-request-id'] ?? null;
}

/** Request headers as the log keeps them: lower-cased names, the Authorization value redacted. */
export function recordedHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name] =
      name === 'authorization' ? value.toString().replace(/^(\S+)\s.*$/, '$1 <redacted>') : Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
