// Secrets never appear in what the app writes: log lines (every level), alert webhook bodies, the
// ledger's problems and reasons (and so `status`), or the CLI's output. The flows are realistic and
// include failures: an unreadable subscription, an ambiguous create, a failed and a retried upload, a
// webhook that fails and one that drops the connection, a poison message and an unreadable one that
// carry secrets in their text, Graph refusing a token, storage unreachable.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStatusReport } from '../../../src/cli/statusReport';
import { estate, managedImage, resourceGroup, subscription } from '../../../src/emulator';
import { handlePoisonMessage } from '../../../src/handlers/poisonMessage';
import { handleStatusMessage } from '../../../src/handlers/pollImageStatus';
import { reconcile } from '../../../src/handlers/reconcile';
import { handleRegisterMessage } from '../../../src/handlers/registerImage';
import { testApp, testAppSettings, type TestApp } from '../../support/appDeps';
import { runImageSync } from '../../support/cliProcess';
import { useEmulator } from '../../support/emulator';
import { testConnectionString } from '../../support/storage';
import { nextMessages } from '../reliability/reliabilityApp';

const TOKEN = 'tok-4f1c2e9a-bearer-S3CRET-value';
const WEBHOOK_PATH_SECRET = 'whsec-path-7d21c0b6';
const WEBHOOK_CODE = 'whcode-93a5e1f2';
const WEBHOOK_SIG = 'whsig-0b8c44aa%2Bz';
const SAS_SIG = 'sassig-5e9d7c3b%3D';
const ACCOUNT_KEY = /AccountKey=([^;]+)/.exec(testConnectionString())?.[1] ?? '';
const SUB = '88888888-8888-4888-8888-888888888881';
const LOCKED = '88888888-8888-4888-8888-888888888882';

const fixture = useEmulator(
  () =>
    estate({
      subscriptions: [
        subscription({
          id: SUB,
          resourceGroups: [
            resourceGroup('rg-images', [
              managedImage({ name: 'good-1.0.0', upload: { outcome: 'ready', seconds: 0.2 } }),
              managedImage({ name: 'broken-1.0.0', upload: { outcome: 'failed', errorCode: 'sourceImageNotGeneralized', seconds: 0.2 } }),
              managedImage({
                name: 'flaky-1.0.0',
                upload: { outcome: 'failed', errorCode: 'internalServerError', seconds: 0.2, retryOutcome: 'ready', retrySeconds: 0.2 },
              }),
            ]),
          ],
        }),
        subscription({ id: LOCKED, access: 'forbidden' }),
      ],
    }),
  { token: TOKEN },
);

/** The webhook: answers 204, then 500, then drops the connection, in turn. */
const webhookBodies: string[] = [];
let webhook: Server | undefined;
let webhookPort = 0;

beforeAll(async () => {
  const tls = {
    cert: readFileSync(process.env.IMAGE_SYNC_TEST_TLS_CERT ?? '', 'utf8'),
    key: readFileSync(process.env.IMAGE_SYNC_TEST_TLS_KEY ?? '', 'utf8'),
  };
  webhook = createServer(tls, (request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      webhookBodies.push(`${request.url ?? ''}\n${Buffer.concat(chunks).toString('utf8')}`);
      const turn = webhookBodies.length % 3;
      if (turn === 0) request.socket.destroy();
      else response.writeHead(turn === 1 ? 204 : 500).end(turn === 2 ? `no: ${request.url ?? ''}` : undefined);
    });
  });
  await new Promise<void>((resolve) => webhook?.listen(0, '127.0.0.1', resolve));
  webhookPort = (webhook.address() as AddressInfo).port;
});

afterAll(async () => {
  webhook?.closeAllConnections();
  await new Promise((resolve) => webhook?.close(resolve));
});

const webhookUrl = () => `https://127.0.0.1:${webhookPort}/hooks/${WEBHOOK_PATH_SECRET}?code=${WEBHOOK_CODE}&sig=${WEBHOOK_SIG}`;
const SECRETS = () => [
  TOKEN,
  ACCOUNT_KEY,
  WEBHOOK_PATH_SECRET,
  WEBHOOK_CODE,
  WEBHOOK_SIG,
  decodeURIComponent(WEBHOOK_SIG),
  SAS_SIG,
  decodeURIComponent(SAS_SIG),
];

function leaks(texts: readonly string[]): string[] {
  return texts.flatMap((text) =>
    SECRETS()
      .filter((secret) => secret !== '' && text.includes(secret))
      .map((secret) => `${secret} in: ${text.slice(0, 300)}`),
  );
}

async function settleStatusChecks(app: TestApp): Promise<void> {
  for (let round = 0; round < 8; round++) {
    const rows = await app.deps.ledger.list();
    if (rows.every((row) => row.state !== 'pending' && row.state !== 'creating' && row.state !== 'queued')) return;
    const checks = await nextMessages(app, app.config.statusQueue, 1, 3_000);
    for (const check of checks) await handleStatusMessage(app.deps, check, { messageId: `check-${round}` });
  }
}

describe('secrets', () => {
  it('never appear in log lines, alerts, problems or the status document, through realistic flows with failures', async () => {
    expect(ACCOUNT_KEY.length).toBeGreaterThan(20);
    const settings = testAppSettings(fixture.emulator, {
      IMAGE_SYNC_ALERT_WEBHOOK_URL: webhookUrl(),
      IMAGE_SYNC_SUBSCRIPTION_IDS: `${SUB},${LOCKED}`,
    });
    expect(settings.IMAGE_SYNC_STATIC_TOKEN).toBe(TOKEN);
    expect(settings.AzureWebJobsStorage).toContain(`AccountKey=${ACCOUNT_KEY}`);
    const app = testApp(settings);

    await reconcile(app.deps);
    const jobs = await nextMessages(app, app.config.registerQueue, 3);
    fixture.emulator.setFaults({ service: 'graph', kinds: ['graph.deviceImages.create'], ambiguousCreates: { next: 1, answer: 'reset' } });
    try {
      for (const job of jobs) await handleRegisterMessage(app.deps, job, { messageId: null });
    } finally {
      fixture.emulator.clearFaults();
    }
    await settleStatusChecks(app);

    const carriesSecrets = `AzureWebJobsStorage=DefaultEndpointsProtocol=https;AccountName=stimagesync;AccountKey=${ACCOUNT_KEY}; webhook https://hooks.example/x?sig=${SAS_SIG} Bearer ${TOKEN}`;
    await handlePoisonMessage(app.deps, `${app.config.registerQueue}-poison`, carriesSecrets, { messageId: 'poisoned-1' });
    await handleRegisterMessage(app.deps, { v: 1, sourceImageResourceId: carriesSecrets }, { messageId: 'unreadable-1' });
    await handleRegisterMessage(app.deps, carriesSecrets, { messageId: 'unreadable-2' });
    // Graph refusing a token: the problem names the refusal, never the token.
    const refused = testApp({ ...settings, IMAGE_SYNC_STATIC_TOKEN: `${TOKEN}-not-this-one`, IMAGE_SYNC_TABLE: app.config.table });
    await reconcile(refused.deps);

    const problems = await app.deps.ledger.listProblems();
    // The refused token also makes ARM answer 401, for both subscriptions.
    expect(new Set(problems.map((problem) => problem.kind))).toEqual(
      new Set(['graph-forbidden', 'invalid-message', 'poison-message', 'subscription-unreadable']),
    );
    const rows = await app.deps.ledger.list();
    expect(rows.map((row) => row.state).sort()).toEqual(['failed', 'ready', 'ready']);
    expect(webhookBodies.length).toBeGreaterThanOrEqual(5);
    expect(app.lines.filter((line) => line.includes('ImageSyncAlertUndelivered')).length).toBeGreaterThanOrEqual(2);

    const written = [
      ...app.lines,
      ...refused.lines,
      ...webhookBodies.map((body) => body.slice(body.indexOf('\n') + 1)),
      ...problems.map((problem) => JSON.stringify(problem)),
      ...rows.map((row) => JSON.stringify(row)),
      JSON.stringify(buildStatusReport(rows, problems, { now: new Date(), expiryWarningDays: 30 })),
    ];
    expect(leaks(written)).toEqual([]);
    // What the webhook was sent to is its own business: the secrets reached it, and only it.
    expect(webhookBodies.every((body) => body.startsWith(`/hooks/${WEBHOOK_PATH_SECRET}?code=${WEBHOOK_CODE}`))).toBe(true);
  });

  it('never appear in what the CLI prints, on success or when storage is unreachable', async () => {
    const settings = testAppSettings(fixture.emulator, {
      IMAGE_SYNC_ALERT_WEBHOOK_URL: webhookUrl(),
      IMAGE_SYNC_SUBSCRIPTION_IDS: `${SUB},${LOCKED}`,
    });
    const [status, plan, unreachableKey, unreachableSas] = await Promise.all([
      runImageSync(['status', '--json', '--verbose'], settings),
      runImageSync(['plan', '--verbose'], settings),
      runImageSync(['status'], {
        ...settings,
        AzureWebJobsStorage: `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${ACCOUNT_KEY};QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;TableEndpoint=http://127.0.0.1:9/devstoreaccount1`,
      }),
      runImageSync(['status'], {
        ...settings,
        AzureWebJobsStorage: `QueueEndpoint=http://127.0.0.1:9/q;TableEndpoint=http://127.0.0.1:9/t;SharedAccessSignature=sv=2024-11-04&ss=qt&srt=sco&sp=rwdlacu&se=2030-01-01T00:00:00Z&sig=${SAS_SIG}`,
      }),
    ]);

    expect([status.code, plan.code]).toEqual([0, 2]);
    expect(JSON.parse(status.stdout)).toMatchObject({ images: [], problems: [] });
    expect(plan.stdout).toMatch(/good-1\.0\.0/);
    expect(unreachableKey.code).toBe(1);
    expect(unreachableSas.code).toBe(1);
    expect(unreachableKey.stderr).toMatch(/unreachable|no answer/);
    expect(leaks([status, plan, unreachableKey, unreachableSas].flatMap((run) => [run.stdout, run.stderr]))).toEqual([]);
  });
});
