// Warning alerts against a real local HTTPS webhook (the run's test certificate, trusted through
// NODE_EXTRA_CA_CERTS), beside failure alerts: one receiver tells them apart by `severity`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAlerter, type FailureAlertPayload, type RebuildNeededPayload, type WarningAlertPayload } from '../../../src/alerts/alerter';
import type { RebuildNeeded, WarningAlert } from '../../../src/ports';
import { runCertificate } from '../../support/emulator';
import { fieldsOf, recordingLogger } from '../../fixtures/recordingLogger';
import { sourceImageId } from '../../fixtures/sourceImage';

const SECRET = 's3cret-warning-code';
const clock = { now: () => new Date('2026-11-20T12:00:00.000Z') };

const warning: WarningAlert = {
  sourceImageResourceId: sourceImageId('win11-ent-1.2.0'),
  displayName: 'win11-ent',
  version: '1.2.0',
  warning: 'os-support-warning',
  detail: 'Windows 365 reports osStatus supportedWithWarning for this image: plan a newer Windows release',
};

const rebuild: RebuildNeeded = {
  displayName: 'win11-ent',
  version: '1.2.0',
  sourceImageResourceId: sourceImageId('win11-ent-1.2.0'),
  osVersionNumber: '10.0.26100.4349',
  latestBuild: '26100.4946',
  patchLag: 2,
};

describe('warning alerts to a webhook over real HTTPS', () => {
  const bodies: string[] = [];
  let status = 204;
  let server: Server | undefined;
  let port = 0;

  beforeAll(async () => {
    const { cert, key } = runCertificate();
    server = createServer({ cert, key }, (request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        bodies.push(Buffer.concat(chunks).toString('utf8'));
        response.writeHead(status).end();
      });
    });
    const listening = server;
    port = await new Promise<number>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(0, '127.0.0.1', () => resolve((listening.address() as AddressInfo).port));
    });
  });

  afterEach(() => {
    bodies.length = 0;
    status = 204;
  });

  afterAll(async () => {
    const listening = server;
    if (listening === undefined) return;
    listening.closeAllConnections();
    await new Promise<void>((resolve) => listening.close(() => resolve()));
  });

  const webhookUrl = () => `https://127.0.0.1:${port}/hooks/image-sync?code=${SECRET}`;

  it('POSTs one ImageSyncWarning with severity warning and logs one warning line', async () => {
    const { log, lines } = recordingLogger();
    await createAlerter({ log, webhookUrl: webhookUrl(), clock }).warn(warning);
    expect(bodies).toHaveLength(1);
    expect(JSON.parse(bodies[0] ?? '') as WarningAlertPayload).toEqual({
      event: 'ImageSyncWarning',
      severity: 'warning',
      at: '2026-11-20T12:00:00.000Z',
      sourceImageResourceId: warning.sourceImageResourceId,
      displayName: 'win11-ent',
      version: '1.2.0',
      warning: 'os-support-warning',
      remediation: warning.detail,
    });
    expect(lines.map((line) => [line.level, line.line.split(' ')[0]])).toEqual([['warn', 'ImageSyncWarning']]);
    expect(lines[0]?.line).not.toContain(SECRET);
  });

  it('sends failures with severity error to the same webhook', async () => {
    const { log } = recordingLogger();
    const alerter = createAlerter({ log, webhookUrl: webhookUrl(), clock });
    await alerter.raise({
      sourceImageResourceId: warning.sourceImageResourceId,
      displayName: 'win11-ent',
      version: '1.2.0',
      errorCode: 'sourceImageNotFound',
      detail: 'upload failed',
    });
    await alerter.warn(warning);
    const severities = bodies.map((body) => (JSON.parse(body) as FailureAlertPayload | WarningAlertPayload).severity);
    expect(severities).toEqual(['error', 'warning']);
  });

  it('logs a 500 answer as ImageSyncAlertUndelivered naming the warning, without the secret, and does not throw', async () => {
    status = 500;
    const { log, lines } = recordingLogger();
    await expect(createAlerter({ log, webhookUrl: webhookUrl(), clock }).warn(warning)).resolves.toBeUndefined();
    expect(lines[1]?.line.startsWith('ImageSyncAlertUndelivered ')).toBe(true);
    expect(fieldsOf(lines[1]?.line ?? '')).toMatchObject({
      webhook: `https://127.0.0.1:${port}`,
      status: 500,
      warning: 'os-support-warning',
    });
    expect(lines.map((line) => line.line).join('\n')).not.toContain(SECRET);
  });

  it('POSTs ImageSyncRebuildNeeded to the rebuild webhook only, never to the alert webhook, and logs one info line without the secret', async () => {
    const { log, lines } = recordingLogger();
    const alerter = createAlerter({ log, webhookUrl: null, rebuildWebhookUrl: webhookUrl(), clock });
    await alerter.rebuildNeeded(rebuild);
    expect(bodies.map((body) => JSON.parse(body) as RebuildNeededPayload)).toEqual([
      { event: 'ImageSyncRebuildNeeded', at: '2026-11-20T12:00:00.000Z', ...rebuild },
    ]);
    expect(lines.map((line) => [line.level, line.line.split(' ')[0]])).toEqual([['info', 'ImageSyncRebuildNeeded']]);
    expect(lines[0]?.line).not.toContain(SECRET);

    bodies.length = 0;
    await createAlerter({ log, webhookUrl: webhookUrl(), clock }).rebuildNeeded(rebuild);
    expect(bodies).toEqual([]);
  });

  it('refuses a rebuild webhook that is not https, naming its setting, and does not throw', async () => {
    const { log, lines } = recordingLogger();
    await expect(
      createAlerter({ log, webhookUrl: null, rebuildWebhookUrl: `http://127.0.0.1:${port}/rebuild`, clock }).rebuildNeeded(rebuild),
    ).resolves.toBeUndefined();
    expect(bodies).toEqual([]);
    expect(fieldsOf(lines[1]?.line ?? '')).toMatchObject({
      rebuild: '26100.4946',
      detail: 'the webhook URL is http, not https; set IMAGE_SYNC_REBUILD_WEBHOOK_URL to an https URL',
    });
  });
});
