// The Graph client's middleware for the Retry-After gate. It sits next to the network, after the
// SDK's RetryHandler, so the RetryHandler's resends pass through it too: every request waits while
// the gate is held (by this process or, through the shared row, by another instance), and a 429 or
// 503 with Retry-After holds it for everyone.
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { retryAfterMs } from '../errors';
import type { RetryAfterGate } from './retryAfterGate';

export class RetryAfterGateHandler implements Middleware {
  private next: Middleware | undefined;

  constructor(private readonly gate: RetryAfterGate) {}

  async execute(context: Context): Promise<void> {
    if (this.next === undefined) throw new Error('RetryAfterGateHandler: no next middleware');
    await this.gate.passed(context.options?.signal ?? undefined);
    await this.next.execute(context);
    const { response } = context;
    if (response === undefined || (response.status !== 429 && response.status !== 503)) return;
    const waitMs = retryAfterMs(response.headers);
    if (waitMs !== null && waitMs > 0) this.gate.holdFor(waitMs);
  }

  setNext(next: Middleware): void {
    this.next = next;
  }
}
