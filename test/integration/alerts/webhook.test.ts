// The alert webhook against a real local HTTPS server, trusted the way production trusts a webhook:
// the default fetch and the system CAs (here the run-wide test certificate, via NODE_EXTRA_CA_CERTS).
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAlerter, type FailureAlertPayload } from '../../../src/alerts/alerter';
import { remediationFor } from '../../../src/rules/remediation';
import type { FailureAlert } from '../../../src/ports';
import { fieldsOf, recordingLogger } from '../../fixtures/recordingLogger';
import { sourceImageId } from '../../fixtures/sourceImage';

const SECRET = 's3cret-webhook-code';

interface Received {
  readonly method: string;
  readonly url: string;
  readonly contentType: string | undefined;
  readonly body: string;
}

type Answer = 'accept' | 'fail' | 'hang';

const alert: FailureAlert = {
  sourceImageResourceId: sourceImageId('win11-ent-1.2.0'),
  displayName: 'win11-ent',
  version: '1.2.0',
  errorCode: 'sourceImageNotGeneralized',
  detail: 'the upload failed: sourceImageNotGeneralized',
};
const clock = { now: () => new Date('2026-11-20T12:00:00.000Z') };

function testCertificate(): { cert: string; key: string } {
  const certPath = process.env.IMAGE_SYNC_TEST_TLS_CERT;
  const keyPath = process.env.IMAGE_SYNC_TEST_TLS_KEY;
  if (certPath === undefined || keyPath === undefined) {
    throw new Error(
      'IMAGE_SYNC_TEST_TLS_CERT / IMAGE_SYNC_TEST_TLS_KEY are not set: the certificate globalSetup (test/support/certificate.globalSetup.ts) must run first',
    );
  }
  return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
}

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server | undefined): Promise<void> {
  if (server === undefined) return Promise.resolve();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('alert webhook over real HTTPS', () => {
  const received: Received[] = [];
  let answer: Answer = 'accept';
  let https: Server | undefined;
  let plainHttp: Server | undefined;
  let httpsPort = 0;
  let httpPort = 0;
  const plainHttpRequests: string[] = [];

  function record(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method ?? '',
        url: request.url ?? '',
        contentType: request.headers['content-type'],
        body: Buffer.concat(chunks).toString('utf8'),
      });
      if (answer === 'hang') return;
      response.writeHead(answer === 'accept' ? 204 : 500).end(answer === 'fail' ? 'boom' : undefined);
    });
  }

  beforeAll(async () => {
    https = createHttpsServer(testCertificate(), record);
    httpsPort = await listen(https);
    plainHttp = createHttpServer((request, response) => {
      plainHttpRequests.push(request.url ?? '');
      response.writeHead(204).end();
    });
    httpPort = await listen(plainHttp);
  });

  afterEach(() => {
    received.length = 0;
    answer = 'accept';
  });

  afterAll(async () => {
    await close(https);
    await close(plainHttp);
  });

  const webhookUrl = () => `https://127.0.0.1:${httpsPort}/hooks/image-sync?code=${SECRET}`;

  it('POSTs one JSON alert with the log fields plus event, severity error and at, and logs no warning', async () => {
    const { log, lines } = recordingLogger();
    await createAlerter({ log, webhookUrl: webhookUrl(), clock }).raise(alert);

    expect(received).toHaveLength(1);
    const [request] = received;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe(`/hooks/image-sync?code=${SECRET}`);
    expect(request?.contentType).toBe('application/json');
    expect(JSON.parse(request?.body ?? '') as FailureAlertPayload).toEqual({
      event: 'ImageSyncFailure',
      severity: 'error',
      at: '2026-11-20T12:00:00.000Z',
      sourceImageResourceId: alert.sourceImageResourceId,
      displayName: 'win11-ent',
      version: '1.2.0',
      errorCode: 'sourceImageNotGeneralized',
      remediation: remediationFor('sourceImageNotGeneralized'),
      detail: alert.detail,
    });
    expect(lines.map((line) => line.level)).toEqual(['error']);
    expect(lines[0]?.line).not.toContain(SECRET);
  });

  it('logs a 500 answer as ImageSyncAlertUndelivered, without the secret, and does not throw', async () => {
    answer = 'fail';
    const { log, lines } = recordingLogger();
    await expect(createAlerter({ log, webhookUrl: webhookUrl() }).raise(alert)).resolves.toBeUndefined();
    expect(received).toHaveLength(1);
    expect(lines.map((line) => line.level)).toEqual(['error', 'warn']);
    expect(lines[1]?.line.startsWith('ImageSyncAlertUndelivered ')).toBe(true);
    expect(fieldsOf(lines[1]?.line ?? '')).toMatchObject({
      webhook: `https://127.0.0.1:${httpsPort}`,
      status: 500,
      errorCode: alert.errorCode,
    });
    expect(lines.map((line) => line.line).join('\n')).not.toContain(SECRET);
  });

  it('gives up after the timeout when the webhook does not answer, and does not throw', async () => {
    answer = 'hang';
    const { log, lines } = recordingLogger();
    const started = Date.now();
    await expect(createAlerter({ log, webhookUrl: webhookUrl(), timeoutMs: 300 }).raise(alert)).resolves.toBeUndefined();
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(5_000);
    expect(received).toHaveLength(1);
    expect(fieldsOf(lines[1]?.line ?? '')).toMatchObject({ status: null, detail: 'no answer within 300 ms' });
    expect(lines.map((line) => line.line).join('\n')).not.toContain(SECRET);
  });

  it('refuses a plain http webhook: nothing reaches the server, a warning says why, the secret stays out of the log', async () => {
    const { log, lines } = recordingLogger();
    await createAlerter({ log, webhookUrl: `http://127.0.0.1:${httpPort}/hooks/image-sync?code=${SECRET}` }).raise(alert);
    expect(plainHttpRequests).toEqual([]);
    expect(lines.map((line) => line.level)).toEqual(['error', 'warn']);
    expect(lines[1]?.line).toMatch(/^ImageSyncAlertUndelivered .*not https/);
    expect(lines.map((line) => line.line).join('\n')).not.toContain(SECRET);
  });

  it('logs an unreachable webhook without its path or query', async () => {
    const closed = createHttpsServer(testCertificate());
    const port = await listen(closed);
    await close(closed);
    const { log, lines } = recordingLogger();
    await expect(
      createAlerter({ log, webhookUrl: `https://127.0.0.1:${port}/hooks/${SECRET}/x?code=${SECRET}` }).raise(alert),
    ).resolves.toBeUndefined();
    expect(lines[1]?.level).toBe('warn');
    expect(fieldsOf(lines[1]?.line ?? '')).toMatchObject({ webhook: `https://127.0.0.1:${port}`, status: null });
    expect(lines.map((line) => line.line).join('\n')).not.toContain(SECRET);
  });
});
