// Image currency through the reconcile (DESIGN §16), with the app's real deps against Azurite and
// the emulator: what a reconcile reads (one paged catalogue list, none when nothing is ready),
// what it records and shows in `status`, what it alerts and posts, and a refused catalogue.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EstateInput,
  deviceImage,
  estate,
  managedImage,
  managedImageResourceId,
  osImage,
  resourceGroup,
  subscription,
} from '../../../src/emulator';
import { buildStatusReport } from '../../../src/cli/statusReport';
import { reconcile } from '../../../src/handlers/reconcile';
import { testApp, testAppSettings } from '../../support/appDeps';
import { contractErrors } from '../../support/contract';
import { runCertificate, startTestEmulator } from '../../support/emulator';

const SUB = '88888888-8888-4888-8888-888888888888';
const id = (name: string) => managedImageResourceId(SUB, 'rg-img', name);
const NOW = new Date('2026-09-01T08:00:00Z');
const clock = { now: () => NOW };

const CATALOGUE = [
  osImage({
    id: 'Windows 11 24H2',
    supportedEditions: [
      { editionType: 'enterprise', supportEndDate: '2027-10-12' },
      { editionType: 'professional', supportEndDate: '2026-09-15' },
    ],
    availableUpdates: [
      { buildVersion: '26100.4946', releaseMonth: 8, releaseYear: 2026 },
      { buildVersion: '26100.4652', releaseMonth: 7, releaseYear: 2026 },
      { buildVersion: '26100.4349', releaseMonth: 6, releaseYear: 2026 },
    ],
  }),
  osImage({
    id: 'Windows 11 23H2',
    availableUpdates: [
      { buildVersion: '10.0.22631.5768', releaseMonth: 8, releaseYear: 2026 },
      { buildVersion: '10.0.22631.5624', releaseMonth: 7, releaseYear: 2026 },
      { buildVersion: '10.0.22631.5472', releaseMonth: 6, releaseYear: 2026 },
    ],
  }),
  osImage({ id: 'Windows 10 22H2', availableUpdates: [{ buildVersion: 'not-a-build', releaseMonth: 8, releaseYear: 2026 }] }),
];

/** A ready device image registered for a managed image of the estate, reporting this OS. */
function readyImage(
  name: string,
  displayName: string,
  version: string,
  osVersionNumber: string,
  operatingSystem = 'Windows 11 Enterprise',
) {
  return deviceImage({
    displayName,
    version,
    sourceImageResourceId: id(name),
    status: 'ready',
    lastModifiedDateTime: '2026-08-20T10:00:00Z',
    reportedOs: { operatingSystem, osBuildNumber: '24H2', osVersionNumber },
  });
}

/** Four display names, each judged on its newest ready version; one more image registers from scratch. */
function currencyEstate(): EstateInput {
  return estate({
    graph: { pageSize: 2 },
    subscriptions: [
      subscription({
        id: SUB,
        resourceGroups: [
          resourceGroup('rg-img', [
            managedImage({ name: 'win11-ent-1.2.0' }),
            managedImage({ name: 'win11-ent-1.3.0' }),
            managedImage({ name: 'win11-cur-1.0.0' }),
            managedImage({ name: 'win11-pro-1.0.0' }),
            managedImage({ name: 'win10-old-1.0.0' }),
            managedImage({ name: 'win11-noos-1.0.0' }),
          ]),
        ],
      }),
    ],
    deviceImages: [
      readyImage('win11-ent-1.2.0', 'win11-ent', '1.2.0', '10.0.26100.3000'),
      readyImage('win11-ent-1.3.0', 'win11-ent', '1.3.0', '10.0.26100.4349'),
      readyImage('win11-cur-1.0.0', 'win11-cur', '1.0.0', '10.0.22631.5768'),
      readyImage('win11-pro-1.0.0', 'win11-pro', '1.0.0', '10.0.26100.4946', 'Windows 11 Pro'),
      readyImage('win10-old-1.0.0', 'win10-old', '1.0.0', '10.0.19045.5011', 'Windows 10 Enterprise'),
      readyImage('win11-noos-1.0.0', 'win11-noos', '1.0.0', ''),
    ],
    osImages: CATALOGUE,
  });
}

describe('image currency in the reconcile', () => {
  const posted: unknown[] = [];
  let receiver: Server | undefined;
  let port = 0;

  beforeAll(async () => {
    const { cert, key } = runCertificate();
    receiver = createServer({ cert, key }, (request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        posted.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        response.writeHead(204).end();
      });
    });
    const listening = receiver;
    port = await new Promise<number>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(0, '127.0.0.1', () => resolve((listening.address() as AddressInfo).port));
    });
  });

  afterAll(async () => {
    const listening = receiver;
    if (listening === undefined) return;
    listening.closeAllConnections();
    await new Promise<void>((resolve) => listening.close(() => resolve()));
  });

  it('reads the catalogue once per reconcile (its pages), judges the newest ready version per display name, alerts and posts a rebuild once per latest build', async () => {
    const emulator = await startTestEmulator(currencyEstate());
    try {
      const app = testApp(
        testAppSettings(emulator, {
          IMAGE_SYNC_SUBSCRIPTION_IDS: SUB,
          IMAGE_SYNC_REBUILD_WEBHOOK_URL: `https://127.0.0.1:${port}/rebuild?code=x`,
        }),
        clock,
      );
      const first = await reconcile(app.deps);
      expect(first.currency.catalogueRead).toBe(true);
      // Three releases at two per page: one paged list, two requests, nothing else of the catalogue.
      expect(emulator.count('graph.osImages.list')).toBe(2);
      expect(emulator.count('graph.osImages.get')).toBe(0);

      const rows = new Map((await app.deps.ledger.list()).map((row) => [`${row.displayName ?? ''} ${row.version ?? ''}`, row]));
      expect(rows.get('win11-ent 1.3.0')).toMatchObject({ osVersionNumber: '10.0.26100.4349', latestBuild: '26100.4946', patchLag: 2 });
      expect(rows.get('win11-ent 1.2.0')).toMatchObject({ osVersionNumber: '10.0.26100.3000', latestBuild: null, patchLag: null });
      // Adopted ready, so never watched: the ready time is Graph's lastModifiedDateTime of the image.
      const seeded = emulator.deviceImages().find((image) => image.displayName === 'win11-ent' && image.version === '1.3.0');
      expect(rows.get('win11-ent 1.3.0')?.readyAt).toBe(seeded?.lastModifiedDateTime);
      expect(rows.get('win11-ent 1.3.0')?.readyAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(rows.get('win11-cur 1.0.0')).toMatchObject({ latestBuild: '10.0.22631.5768', patchLag: 0, currencyWarnings: [] });
      expect(rows.get('win11-pro 1.0.0')).toMatchObject({
        patchLag: 0,
        currencyWarnings: [expect.objectContaining({ code: 'edition-support-ending' })],
      });
      // A build no release lists (the one release of 19045 lists only a malformed build), and no osVersionNumber: not judged.
      expect(rows.get('win10-old 1.0.0')).toMatchObject({
        osVersionNumber: '10.0.19045.5011',
        latestBuild: null,
        patchLag: null,
        currencyWarnings: [],
      });
      expect(rows.get('win11-noos 1.0.0')).toMatchObject({ osVersionNumber: null, latestBuild: null, patchLag: null });
      expect(app.lines.filter((line) => line.includes('ImageCurrencyUnknown')).join('\n')).toMatch(
        /lists updates of build 19045[\s\S]*no osVersionNumber|no osVersionNumber[\s\S]*lists updates of build 19045/,
      );

      const warnings = app.lines.filter((line) => line.includes('ImageSyncWarning'));
      expect(warnings.filter((line) => line.includes('os-update-behind'))).toHaveLength(1);
      expect(warnings.filter((line) => line.includes('edition-support-ending'))).toHaveLength(1);
      await expect.poll(() => posted.length).toBe(1);
      expect(posted[0]).toEqual({
        event: 'ImageSyncRebuildNeeded',
        at: NOW.toISOString(),
        displayName: 'win11-ent',
        version: '1.3.0',
        sourceImageResourceId: expect.stringMatching(/win11-ent-1\.3\.0$/i),
        osVersionNumber: '10.0.26100.4349',
        latestBuild: '26100.4946',
        patchLag: 2,
      });

      const report = buildStatusReport(await app.deps.ledger.list(), [], { now: NOW, expiryWarningDays: 30 });
      expect(contractErrors('status', report)).toBeNull();
      expect(report.images.find((image) => image.version === '1.3.0')).toMatchObject({
        osVersionNumber: '10.0.26100.4349',
        latestBuild: '26100.4946',
        patchLag: 2,
        warnings: [
          expect.stringMatching(
            /^os-update-behind: a newer quality update, build 26100\.4946 of August 2026, is available: rebuild the image/,
          ),
        ],
      });

      // The next reconcile reads the catalogue again, alerts nothing again and posts nothing again.
      emulator.clearRequests();
      app.lines.length = 0;
      const second = await reconcile(app.deps);
      expect(second.currency).toMatchObject({ catalogueRead: true, alerted: 0 });
      expect(emulator.count('graph.osImages.list')).toBe(2);
      expect(app.lines.filter((line) => line.includes('ImageSyncWarning'))).toEqual([]);
      expect(posted).toHaveLength(1);
    } finally {
      await emulator.stop();
    }
  });

  it('adds no request when nothing is ready, and none with IMAGE_SYNC_MAX_PATCH_LAG=off', async () => {
    const emulator = await startTestEmulator(
      estate({
        subscriptions: [subscription({ id: SUB, resourceGroups: [resourceGroup('rg-img', [managedImage({ name: 'win11-new-1.0.0' })])] })],
        osImages: CATALOGUE,
      }),
    );
    try {
      const nothingReady = testApp(testAppSettings(emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB }), clock);
      expect((await reconcile(nothingReady.deps)).currency.catalogueRead).toBe(false);
      expect(emulator.count('graph.osImages.list')).toBe(0);
    } finally {
      await emulator.stop();
    }
    const withReady = await startTestEmulator(currencyEstate());
    try {
      const off = testApp(testAppSettings(withReady, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB, IMAGE_SYNC_MAX_PATCH_LAG: 'off' }), clock);
      await reconcile(off.deps);
      await reconcile(off.deps);
      expect(withReady.count('graph.osImages.list')).toBe(0);
      expect((await off.deps.ledger.list()).every((row) => (row.latestBuild ?? null) === null)).toBe(true);
    } finally {
      await withReady.stop();
    }
  });

  it('records one problem os-catalogue-forbidden with the fix on a 403, and carries on with everything else', async () => {
    const emulator = await startTestEmulator(currencyEstate(), {
      faults: [{ kinds: ['graph.osImages.list'], refuse: { probability: 1 } }],
    });
    try {
      const app = testApp(testAppSettings(emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB }), clock);
      const first = await reconcile(app.deps);
      await reconcile(app.deps);
      expect(first.adopted).toBe(6);
      expect(emulator.count('graph.osImages.list')).toBe(2);
      const problems = await app.deps.ledger.listProblems();
      expect(problems).toEqual([
        expect.objectContaining({
          kind: 'os-catalogue-forbidden',
          count: 2,
          detail: expect.stringContaining('DeviceManagementConfiguration.Read.All'),
        }),
      ]);
      const rows = await app.deps.ledger.list();
      expect(rows.every((row) => row.state === 'ready' && (row.latestBuild ?? null) === null && (row.patchLag ?? null) === null)).toBe(
        true,
      );
      expect(app.lines.filter((line) => line.includes('ImageSyncWarning'))).toEqual([]);
    } finally {
      await emulator.stop();
    }
  });

  it('carries on without a problem when the catalogue is down, and says why nothing was judged', async () => {
    const emulator = await startTestEmulator(currencyEstate(), { faults: [{ kinds: ['graph.osImages.list'], down: 'unavailable' }] });
    try {
      const app = testApp(testAppSettings(emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB }), clock);
      const report = await reconcile(app.deps);
      expect(report).toMatchObject({ adopted: 6, currency: { catalogueRead: true, alerted: 0 } });
      expect(await app.deps.ledger.listProblems()).toEqual([]);
      expect(app.lines.filter((line) => line.includes('WindowsReleaseCatalogueUnavailable'))).toHaveLength(1);
      const unknown = app.lines.filter((line) => line.includes('ImageCurrencyUnknown'));
      // One line per judged registration (the newest of each of the five display names).
      expect(unknown).toHaveLength(5);
      expect(unknown.every((line) => line.includes('the Windows release catalogue could not be read'))).toBe(true);
      expect((await app.deps.ledger.list()).every((row) => (row.latestBuild ?? null) === null)).toBe(true);
    } finally {
      await emulator.stop();
    }
  });
});
