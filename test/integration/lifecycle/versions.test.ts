// A registration is a source image and a version (DESIGN §4): Azure Image Builder rebuilds the same
// managed image in place and re-tags it; each new cloudpc-version is a new device image.
import { describe, expect, it } from 'vitest';
import { estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../../src/emulator';
import { handleImageEvent } from '../../../src/handlers/imageWritten';
import { reconcile } from '../../../src/handlers/reconcile';
import { requestRegistration } from '../../../src/handlers/requestRegistration';
import { buildStatusReport } from '../../../src/cli/statusReport';
import { testApp, testAppSettings } from '../../support/appDeps';
import { contractErrors } from '../../support/contract';
import { useEmulator } from '../../support/emulator';
import { syncLocally } from './localSync';

const SUB = '44444444-4444-4444-8444-444444444444';
const tagged = (version: string) => ({ 'cloudpc-sync': 'true', 'cloudpc-version': version, 'cloudpc-display-name': 'Win11 Engineering' });

const fixture = useEmulator(() =>
  estate({
    uploadSeconds: 0.3,
    subscriptions: [
      subscription({
        id: SUB,
        resourceGroups: [
          resourceGroup('rg-timer', [managedImage({ name: 'win11-eng', tags: tagged('1.0.0'), build: 'b1' })]),
          resourceGroup('rg-event', [managedImage({ name: 'win11-eng', tags: tagged('2.0.0'), build: 'b1' })]),
          resourceGroup('rg-same', [
            managedImage({ name: 'win11-eng', tags: { ...tagged('3.0.0'), 'cloudpc-display-name': 'Win11 Same' }, build: 'b1' }),
          ]),
        ],
      }),
    ],
  }),
);

const imageIn = (group: string) => managedImageResourceId(SUB, group, 'win11-eng');
const deviceImagesOf = (id: string) =>
  fixture.emulator.deviceImages().filter((image) => image.sourceImageResourceId.toLowerCase() === id.toLowerCase());
const settings = (group: string) =>
  testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB, IMAGE_SYNC_RESOURCE_GROUPS: group });
const writeEvent = (id: string) => ({
  id: `evt-${Date.now()}`,
  eventType: 'Microsoft.Resources.ResourceWriteSuccess',
  subject: id,
  eventTime: new Date().toISOString(),
  dataVersion: '2',
  data: { operationName: 'Microsoft.Compute/images/write', resourceUri: id, status: 'Succeeded', subscriptionId: SUB },
});

describe('an image rebuilt in place with a new version', () => {
  it('gets a new device image within one reconcile; the earlier version is untouched', async () => {
    const app = testApp(settings('rg-timer'));
    const first = await syncLocally(app);
    expect(first.ending).toBe('settled');
    const [v1] = deviceImagesOf(imageIn('rg-timer'));
    expect(v1).toMatchObject({ version: '1.0.0', status: 'ready' });

    fixture.emulator.rebuildManagedImage(imageIn('rg-timer'), { build: 'b2', tags: tagged('1.1.0') });
    fixture.emulator.clearRequests();
    const report = await reconcile(app.deps);
    expect(report.registered).toBe(1);
    // A reconcile with a version to register: the listings, the policies and one preflight, nothing per image;
    // 1.0.0 is ready, so one read of the Windows release catalogue for its currency (DESIGN §16).
    expect(fixture.emulator.counts()).toEqual({
      'arm.images.listByResourceGroup': 1,
      'graph.deviceImages.list': 1,
      'graph.provisioningPolicies.list': 1,
      'graph.deviceImages.getSourceImages': 1,
      'graph.osImages.list': 1,
    });
    const second = await syncLocally(app);
    expect(second.ending).toBe('settled');

    fixture.emulator.clearRequests();
    await reconcile(app.deps);
    // Nothing to post: no preflight.
    expect(fixture.emulator.counts()).toEqual({
      'arm.images.listByResourceGroup': 1,
      'graph.deviceImages.list': 1,
      'graph.provisioningPolicies.list': 1,
      'graph.osImages.list': 1,
    });
    const images = deviceImagesOf(imageIn('rg-timer'));
    expect(images.map((image) => [image.version, image.status]).sort()).toEqual([
      ['1.0.0', 'ready'],
      ['1.1.0', 'ready'],
    ]);
    expect(images.find((image) => image.version === '1.0.0')).toEqual(v1);
    const rows = await app.deps.ledger.list();
    expect(rows.map((row) => [row.version, row.state])).toEqual([
      ['1.0.0', 'ready'],
      ['1.1.0', 'ready'],
    ]);

    // status: one entry per registration, valid against the contract.
    const status = buildStatusReport(rows, [], { now: new Date(), expiryWarningDays: 30 });
    expect(status.images).toHaveLength(2);
    expect(contractErrors('status', status)).toBeNull();
    expect(fixture.emulator.duplicateDeviceImages()).toEqual([]);
  });

  it('gets a new device image from the write event alone', async () => {
    const app = testApp(settings('rg-event'));
    expect((await syncLocally(app)).ending).toBe('settled');
    fixture.emulator.rebuildManagedImage(imageIn('rg-event'), { build: 'b2', tags: tagged('2.1.0') });

    const applied = await handleImageEvent(app.deps, writeEvent(imageIn('rg-event')));
    expect(applied).toMatchObject({ registered: 1 });
    expect((await syncLocally(app)).ending).toBe('settled');
    expect(
      deviceImagesOf(imageIn('rg-event'))
        .map((image) => image.version)
        .sort(),
    ).toEqual(['2.0.0', '2.1.0']);
  });
});

describe('an image rebuilt in place under the same version', () => {
  it('keeps its registration, warns version-unchanged with the fix once, and a register of it says so', async () => {
    const app = testApp(settings('rg-same'));
    expect((await syncLocally(app)).ending).toBe('settled');
    fixture.emulator.rebuildManagedImage(imageIn('rg-same'), {
      build: 'b2',
      tags: { ...tagged('3.0.0'), 'cloudpc-display-name': 'Win11 Same' },
    });
    const creates = fixture.emulator.count('graph.deviceImages.create');

    await reconcile(app.deps);
    await reconcile(app.deps);
    expect(fixture.emulator.count('graph.deviceImages.create')).toBe(creates);
    const [row] = await app.deps.ledger.list();
    expect(row).toMatchObject({ state: 'ready', version: '3.0.0', alertedWarnings: ['version-unchanged'] });
    const warnings = app.lines.filter((line) => line.includes('ImageSyncWarning'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/version-unchanged.*bump cloudpc-version/i);
    const status = buildStatusReport(row === undefined ? [] : [row], [], { now: new Date(), expiryWarningDays: 30 });
    expect(status.images[0]?.warnings).toEqual([expect.stringMatching(/^version-unchanged: .*Bump cloudpc-version/)]);

    const manual = await requestRegistration(app.deps, imageIn('rg-same'), {});
    expect(manual.outcome).toBe('known');
    expect(manual.versionUnchanged?.code).toBe('version-unchanged');
    expect(fixture.emulator.count('graph.deviceImages.create')).toBe(creates);
  });
});
