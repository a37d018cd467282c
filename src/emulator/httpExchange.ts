// The wire side of one request: read the body, write a reply with the headers each service
// sends, or reset the connection without answering.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Reply, ServiceName } from './replies';

const MAX_BODY_BYTES = 1024 * 1024;

export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error('request body over 1 MB');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function writeReply(response: ServerResponse, service: ServiceName, reply: Reply, request: IncomingMessage): void {
  const requestId = randomUUID();
  const clientRequestId = request.headers['client-request-id'];
  const headers: Record<string, string> =
    service === 'graph'
      ? {
          'request-id': requestId,
          'client-request-id': typeof clientRequestId === 'string' ? clientRequestId : requestId,
          'x-ms-ags-diagnostic': JSON.stringify({ ServerInfo: { DataCenter: 'Emulator', Slice: 'E', Ring: '0' } }),
        }
      : { 'x-ms-request-id': requestId, 'x-ms-correlation-request-id': requestId };
  const text = reply.body === undefined ? null : JSON.stringify(reply.body);
  if (text !== null) {
    headers['Content-Type'] =
      service === 'graph'
        ? 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8'
        : 'application/json; charset=utf-8';
    headers['Content-Length'] = String(Buffer.byteLength(text));
  }
  response.writeHead(reply.status, { ...headers, ...reply.headers });
  response.end(text ?? undefined);
}

/** Drops the connection without an answer (a TCP reset where the platform allows it). */
export function resetConnection(request: IncomingMessage): void {
  const socket = request.socket;
  if (typeof socket.resetAndDestroy === 'function') {
    try {
      socket.resetAndDestroy();
      return;
    } catch {
      // TLS sockets may not support a reset; destroying still drops the connection unanswered.
    }
  }
  socket.destroy();
}
