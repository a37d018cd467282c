// Every request the emulator received and how it answered, with the questions tests ask of them:
// how many of each kind, and which were resent before their Retry-After had passed.
import type { FaultName } from './faultInjector';
import type { ServiceName } from './replies';
import type { GraphVersion } from './routes';

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

  earlyRetries(options: EarlyRetryOptions = {}): EarlyRetry[] {
    const toleranceMs = options.toleranceMs ?? 25;
    const bySignature = new Map<string, RecordedRequest[]>();
    for (const entry of this.entries) {
      const signature = `${entry.method} ${entry.path}\n${entry.body}`;
      bySignature.set(signature, [...(bySignature.get(signature) ?? []), entry]);
    }
    const early: EarlyRetry[] = [];
    for (const group of bySignature.values()) {
      for (const answered of group) {
        if (answered.retryAfterSeconds === null || (answered.status !== 429 && answered.status !== 503)) continue;
        const allowedAtMs = answered.answeredAtMs + answered.retryAfterSeconds * 1000;
        for (const request of group) {
          if (request.receivedAtMs < answered.answeredAtMs || request.sequence === answered.sequence) continue;
          const earlyByMs = allowedAtMs - request.receivedAtMs;
          if (earlyByMs > toleranceMs) early.push({ request, after: answered, earlyByMs: Math.round(earlyByMs) });
        }
      }
    }
    return early.sort((left, right) => left.request.sequence - right.request.sequence);
  }
}
