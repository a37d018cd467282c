// What the emulator answers, as data; the server writes it. Error bodies follow ARM and Graph:
// `{ error: { code, message } }` (Graph adds `innerError`).
import { randomUUID } from 'node:crypto';

export type ServiceName = 'arm' | 'graph' | 'unknown';

export interface Reply {
  readonly status: number;
  /** Serialised as JSON; absent: no body. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Thrown by a handler to answer with an error body. */
export class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = 'Refusal';
  }
}

export function jsonReply(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): Reply {
  return { status, body, headers };
}

export function noContent(): Reply {
  return { status: 204 };
}

export function errorReply(service: ServiceName, refusal: Pick<Refusal, 'status' | 'code' | 'message' | 'headers'>): Reply {
  const error =
    service === 'graph'
      ? {
          code: refusal.code,
          message: refusal.message,
          innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': randomUUID(), 'client-request-id': randomUUID() },
        }
      : { code: refusal.code, message: refusal.message };
  return { status: refusal.status, body: { error }, headers: refusal.headers };
}

/** The `malformed` fault: the answer as made, but its body keeps only `@odata.context` (if it has one). */
export function malformedReply(reply: Reply): Reply {
  const context =
    typeof reply.body === 'object' && reply.body !== null && '@odata.context' in reply.body
      ? { '@odata.context': reply.body['@odata.context'] }
      : {};
  return { ...reply, body: context };
}

export function unknownSegment(segment: string): Refusal {
  return new Refusal(400, 'BadRequest', `Resource not found for the segment '${segment}'.`);
}
