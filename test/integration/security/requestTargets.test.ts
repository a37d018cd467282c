// Where the app's requests go: only to the configured endpoints, on the paths of the calls it makes.
// Nothing that arrives (a queue message, an event) can send a request to another host or path, and
// the static token is only ever sent to a loopback emulator.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config';
import type { StatusCheck } from '../../../src/domain';
import { estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../../src/emulator';
import { handleImageEvent } from '../../../src/handlers/imageWritten';
import { handleStatusMessage } from '../../../src/handlers/pollImageStatus';
import { reconcile } from '../../../src/handlers/reconcile';
import { handleRegisterMessage } from '../../../src/handlers/registerImage';
import { testApp, testAppSettings } from '../../support/appDeps';
import { registration } from '../../support/registration';
import { useEmulator } from '../../support/emulator';
import { nextMessages } from '../reliability/reliabilityApp';

const SUB = '99999999-9999-4999-8999-999999999999';
const imageId = (name: string) => managedImageResourceId(SUB, 'rg-images', name);

const fixture = useEmulator(() =>
  estate({
    subscriptions: [
      subscription({
        id: SUB,
        resourceGroups: [resourceGroup('rg-images', [managedImage({ name: 'win11-1.0.0', upload: { outcome: 'ready', seconds: 0.2 } })])],
      }),
    ],
  }),
);

/** Another host the app must never call, on the same machine. */
const evilRequests: string[] = [];
let evil: Server | undefined;
let evilOrigin = '';

beforeAll(async () => {
  const tls = {
    cert: readFileSync(process.env.IMAGE_SYNC_TEST_TLS_CERT ?? '', 'utf8'),
    key: readFileSync(process.env.IMAGE_SYNC_TEST_TLS_KEY ?? '', 'utf8'),
  };
  evil = createServer(tls, (request, response) => {
    evilRequests.push(`${request.method ?? ''} ${request.url ?? ''}`);
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"x","displayName":"x","status":"ready"}');
  });
  await new Promise<void>((resolve) => evil?.listen(0, '127.0.0.1', resolve));
  evilOrigin = `https://127.0.0.1:${(evil.address() as AddressInfo).port}`;
});

afterAll(async () => {
  evil?.closeAllConnections();
  await new Promise((resolve) => evil?.close(resolve));
});

/**
 * The calls the app makes, and nothing else: ARM images of the configured subscription, Graph
 * deviceImages, getSourceImages (the preflight before a first create) and provisioningPolicies.
 */
const KNOWN_PATHS = [
  new RegExp(`^/subscriptions/${SUB}/(resourceGroups/rg-images/)?providers/Microsoft\\.Compute/images(/win11-1\\.0\\.0)?\\?`, 'i'),
  /^\/v1\.0\/deviceManagement\/virtualEndpoint\/deviceImages(\/[0-9a-f-]{36})?(\?.*)?$/,
  /^\/v1\.0\/deviceManagement\/virtualEndpoint\/deviceImages\/getSourceImages(\?.*)?$/,
  /^\/v1\.0\/deviceManagement\/virtualEndpoint\/provisioningPolicies(\?.*)?$/,
  /^\/beta\/deviceManagement\/virtualEndpoint\/deviceImages\/[0-9a-f-]{36}\/retryUpload$/,
];

describe('requests', () => {
  it('go only to the configured endpoints, on the paths of the calls the app makes, through a whole registration', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    const first = fixture.emulator.requests.length;
    await reconcile(app.deps);
    for (const job of await nextMessages(app, app.config.registerQueue, 1)) await handleRegisterMessage(app.deps, job, { messageId: null });
    const [check] = (await nextMessages(app, app.config.statusQueue, 1)) as StatusCheck[];
    if (check === undefined) throw new Error('no status check was scheduled');
    await handleStatusMessage(app.deps, check, { messageId: null });

    expect(await app.deps.ledger.get(registration(imageId('win11-1.0.0')))).toMatchObject({ state: 'ready' });
    const made = fixture.emulator.requests.slice(first);
    expect(made.length).toBeGreaterThan(3);
    expect(made.filter((request) => !KNOWN_PATHS.some((path) => path.test(request.path))).map((request) => request.path)).toEqual([]);
    expect(made.every((request) => request.hasBearerToken)).toBe(true);
    expect(evilRequests).toEqual([]);
  });

  it('are never sent to another host or path by what a queue message or an event says', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    const first = fixture.emulator.requests.length;
    const evilHost = evilOrigin.replace('https://', '');
    for (const deviceImageId of [
      `${evilOrigin}/v1.0/me`,
      `//${evilHost}/x`,
      `@${evilHost}`,
      `..%2F..%2F..%2Fme`,
      '../../../../me',
      'x/../../me',
      'x?$expand=*',
      'x#y',
      'x\\..\\me',
      '%2e%2e',
    ]) {
      await handleStatusMessage(
        app.deps,
        { v: 1, sourceImageResourceId: imageId('win11-1.0.0'), deviceImageId, check: 0, since: '2026-11-23T09:00:00Z', retryUploads: 0 },
        { messageId: `m-${deviceImageId.length}` },
      );
    }
    await handleRegisterMessage(
      app.deps,
      {
        v: 1,
        sourceImageResourceId: `${evilOrigin}/subscriptions/${SUB}/resourceGroups/rg-images/providers/Microsoft.Compute/images/win11-1.0.0`,
        displayName: 'x',
        version: '1.0.0',
        trigger: 'manual',
        enqueuedAt: '2026-11-23T09:00:00Z',
      },
      { messageId: 'register-evil' },
    );
    for (const resourceUri of [
      `/subscriptions/${SUB}/resourceGroups/rg-images/providers/Microsoft.Compute/images/..`,
      `/subscriptions/${SUB}/resourceGroups/../providers/Microsoft.Compute/images/x`,
      `${evilOrigin}/subscriptions/${SUB}/resourceGroups/rg-images/providers/Microsoft.Compute/images/win11-1.0.0`,
    ]) {
      const event = {
        id: 'e-1',
        eventType: 'Microsoft.Resources.ResourceWriteSuccess',
        subject: resourceUri,
        data: { operationName: 'Microsoft.Compute/images/write', resourceUri, status: 'Succeeded' },
      };
      await expect(handleImageEvent(app.deps, event)).resolves.toBeNull();
    }

    expect(evilRequests).toEqual([]);
    expect(fixture.emulator.requests.slice(first)).toEqual([]);
    expect((await app.deps.ledger.listProblems()).filter((problem) => problem.kind === 'invalid-message')).toHaveLength(11);
  });
});

describe('the static token', () => {
  const minimal = {
    AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    IMAGE_SYNC_SUBSCRIPTION_IDS: SUB,
    IMAGE_SYNC_STATIC_TOKEN: 'emulator-token',
  };

  it.each([
    ['a Graph endpoint that only starts like a loopback address', 'https://127.0.0.1.evil.example', 'https://127.0.0.1:8443'],
    ['a Graph endpoint named localhost-something', 'https://localhost.evil.example', 'https://localhost:8443'],
    ['a loopback ARM endpoint but the real Graph', 'https://graph.microsoft.com', 'https://127.0.0.1:8443'],
    ['a loopback Graph endpoint but the real ARM', 'https://127.0.0.1:8443', 'https://management.azure.com'],
    ['the unspecified address', 'https://0.0.0.0:8443', 'https://0.0.0.0:8443'],
    ['a loopback address in the user part', 'https://127.0.0.1@evil.example', 'https://127.0.0.1:8443'],
  ])('is refused with %s', (_what, graph, arm) => {
    expect(() => loadConfig({ ...minimal, GRAPH_ENDPOINT: graph, ARM_ENDPOINT: arm })).toThrow(
      /^(IMAGE_SYNC_STATIC_TOKEN|GRAPH_ENDPOINT): /,
    );
  });

  it.each([
    ['127.0.0.1', 'https://127.0.0.1:8443'],
    ['localhost', 'https://localhost:8443'],
    ['::1', 'https://[::1]:8443'],
  ])('is accepted for the loopback emulator on %s', (_what, endpoint) => {
    expect(loadConfig({ ...minimal, GRAPH_ENDPOINT: endpoint, ARM_ENDPOINT: endpoint }).staticToken).toBe('emulator-token');
  });
});
