// Before a registration's first create, getSourceImages says whether Windows 365 itself can read
// the source (DESIGN §13 preflight); after ready, Graph's osStatus and expirationDate become
// warnings, alerted once per registration and condition, that never change the exit code.
import { describe, expect, it } from 'vitest';
import { estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../../src/emulator';
import { buildStatusReport, exitCodeFor } from '../../../src/cli/statusReport';
import { reconcile } from '../../../src/handlers/reconcile';
import { testApp, testAppSettings } from '../../support/appDeps';
import { contractErrors } from '../../support/contract';
import { useEmulator } from '../../support/emulator';
import { appWithGraph } from '../reliability/reliabilityApp';
import { syncLocally } from './localSync';

const VISIBLE = '47474747-4747-4747-8747-474747474747';
const HIDDEN = '48484848-4848-4848-8848-484848484848';
const soon = new Date(Date.now() + 10 * 24 * 3600_000).toISOString().slice(0, 10);

const fixture = useEmulator(() =>
  estate({
    uploadSeconds: 0.3,
    subscriptions: [
      subscription({
        id: VISIBLE,
        resourceGroups: [
          resourceGroup('rg-preflight', [managedImage({ name: 'seen-1.0.0' })]),
          resourceGroup('rg-unlisted', [managedImage({ name: 'unlisted-1.0.0' })]),
          resourceGroup('rg-flagged', [managedImage({ name: 'flagged-1.0.0', upload: { outcome: 'warning', seconds: 0.2 } })]),
          resourceGroup('rg-os', [
            managedImage({ name: 'ending-1.0.0', reportedOs: { osStatus: 'supportedWithWarning', expirationDate: soon } }),
            managedImage({ name: 'fine-1.0.0', reportedOs: { osStatus: 'supported', expirationDate: '2030-01-01' } }),
          ]),
        ],
      }),
      subscription({
        id: HIDDEN,
        windows365CanRead: false,
        resourceGroups: [resourceGroup('rg-preflight', [managedImage({ name: 'hidden-1.0.0' })])],
      }),
    ],
  }),
);

const settings = (group: string, overrides: Record<string, string> = {}) =>
  testAppSettings(fixture.emulator, {
    IMAGE_SYNC_SUBSCRIPTION_IDS: `${VISIBLE},${HIDDEN}`,
    IMAGE_SYNC_RESOURCE_GROUPS: group,
    ...overrides,
  });

describe('the preflight', () => {
  it('skips an image Windows 365 cannot read as not-visible-to-windows365 with the Reader fix, alerted once, exit 2; posts the rest', async () => {
    const app = testApp(settings('rg-preflight'));
    fixture.emulator.clearRequests();
    const result = await syncLocally(app);
    await reconcile(app.deps);

    const hidden = result.rows.find((row) => row.sourceImageResourceId === managedImageResourceId(HIDDEN, 'rg-preflight', 'hidden-1.0.0'));
    expect(hidden).toMatchObject({
      state: 'skipped',
      reason: 'not-visible-to-windows365',
      fix: expect.stringMatching(/0af06dc6-e4b5-4f28-818e-e78e62d137a5.*Reader on subscription 48484848/),
    });
    expect(result.rows.find((row) => row.displayName === 'seen')).toMatchObject({ state: 'ready' });
    expect(fixture.emulator.deviceImages().map((image) => image.displayName)).not.toContain('hidden');
    expect(app.lines.filter((line) => line.includes('ImageSyncFailure') && line.includes('not-visible-to-windows365'))).toHaveLength(1);
    expect(exitCodeFor(buildStatusReport(result.rows, [], { now: new Date(), expiryWarningDays: 30 }))).toBe(2);
    // Once per reconcile with a first create to make: the hidden image is planned again each time,
    // so it is registered once Windows 365 can read it.
    expect(fixture.emulator.count('graph.deviceImages.getSourceImages')).toBe(2);
    expect(fixture.emulator.count('graph.deviceImages.create')).toBe(1);
  });

  it('goes on without it when getSourceImages fails', async () => {
    const app = appWithGraph(settings('rg-unlisted'), { retry: { delaySeconds: 0.2, maxRetries: 1 } });
    fixture.emulator.setFaults({ kinds: ['graph.deviceImages.getSourceImages'], down: 'unavailable' });
    try {
      const result = await syncLocally(app);
      expect(result.rows.map((row) => row.state)).toEqual(['ready']);
      expect(app.lines.some((line) => line.includes('SourceImagesUnreadable'))).toBe(true);
    } finally {
      fixture.emulator.clearFaults();
    }
  });
});

describe('OS support', () => {
  it('shows osStatus and expirationDate for every registration, warns on supportedWithWarning and a near expiration once, exit code unchanged', async () => {
    const app = testApp(settings('rg-os', { IMAGE_SYNC_EXPIRY_WARNING_DAYS: '30' }));
    const result = await syncLocally(app);
    await reconcile(app.deps);
    await reconcile(app.deps);

    const rows = await app.deps.ledger.list();
    const report = buildStatusReport(rows, [], { now: new Date(), expiryWarningDays: 30 });
    expect(contractErrors('status', report)).toBeNull();
    expect(report.images.map((image) => [image.displayName, image.state, image.osStatus, image.expirationDate])).toEqual([
      ['ending', 'ready', 'supportedWithWarning', soon],
      ['fine', 'ready', 'supported', '2030-01-01'],
    ]);
    expect(report.images[0]?.warnings).toEqual([
      expect.stringMatching(/^os-support-warning: /),
      expect.stringMatching(new RegExp(`^os-support-ending: .*${soon} \\(in 1?\\d days\\)`)),
    ]);
    expect(report.images[1]?.warnings).toEqual([]);
    expect(report.summary.warnings).toBe(1);
    expect(exitCodeFor(report)).toBe(0);
    expect(result.ending).toBe('settled');
    const warnings = app.lines.filter((line) => line.includes('ImageSyncWarning'));
    expect(warnings.map((line) => /"warning":"([^"]+)"/.exec(line)?.[1]).sort()).toEqual(['os-support-ending', 'os-support-warning']);
  });
});

describe("beta's warning status", () => {
  it('is read on beta when v1.0 says unknownFutureValue, recorded ready with the upload-warning warning, alerted once', async () => {
    const app = testApp(settings('rg-flagged'));
    const result = await syncLocally(app);
    expect(result.ending).toBe('settled');
    await reconcile(app.deps);
    const rows = await app.deps.ledger.list();
    expect(rows).toEqual([expect.objectContaining({ state: 'ready', uploadStatus: 'warning' })]);
    const report = buildStatusReport(rows, [], { now: new Date(), expiryWarningDays: 30 });
    expect(report.images[0]?.warnings).toEqual([expect.stringMatching(/^upload-warning: .*"warning"/)]);
    expect(exitCodeFor(report)).toBe(0);
    expect(app.lines.filter((line) => line.includes('ImageSyncWarning') && line.includes('upload-warning'))).toHaveLength(1);
    expect(
      fixture.emulator.requests.some((request) => request.path.startsWith('/beta/deviceManagement/virtualEndpoint/deviceImages/')),
    ).toBe(true);
  });
});
