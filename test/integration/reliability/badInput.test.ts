// Bad input loses nothing and gets a clear answer. A queue message that can never be processed is
// one recorded problem and one alert, and completes (no retry loop, no request anywhere). Odd ARM data
// is skipped with a reason or registered exactly as tagged, never a crash.
import { describe, expect, it } from 'vitest';
import type { RegisterJob, StatusCheck } from '../../../src/domain';
import { estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../../src/emulator';
import { handleStatusMessage } from '../../../src/handlers/pollImageStatus';
import { reconcile } from '../../../src/handlers/reconcile';
import { handleRegisterMessage } from '../../../src/handlers/registerImage';
import { type TestApp, testApp, testAppSettings } from '../../support/appDeps';
import { registration } from '../../support/registration';
import { useEmulator } from '../../support/emulator';
import { nextMessages } from './reliabilityApp';

const SUB = '66666666-6666-4666-8666-666666666666';
const imageId = (name: string) => managedImageResourceId(SUB, 'rg-odd', name);

const UNICODE_NAME = `Windows 11 «Entreprise» "pilote" – l'équipe ✓ 日本語`;
const LONG_TAG_NAME = `win11 ${'x'.repeat(250)}`;
const LONG_IMAGE_NAME = `${'w'.repeat(74)}-1.2.3`;

const fixture = useEmulator(() =>
  estate({
    subscriptions: [
      subscription({
        id: SUB,
        resourceGroups: [
          resourceGroup('rg-odd', [
            managedImage({ name: 'no-storage-1.0.0', armOmit: ['properties.storageProfile'] }),
            managedImage({ name: 'no-os-type-1.0.0', armOmit: ['properties.storageProfile.osDisk.osType'] }),
            managedImage({ name: 'no-generation-1.0.0', hyperVGeneration: null }),
            managedImage({ name: 'null-tags-1.0.0', tags: null }),
            managedImage({
              name: 'odd-tags-1.0.0',
              tags: { 'CLOUDPC-SYNC': 'TRUE' },
              armOverrides: { tags: { 'cloudpc-version': 5, 'cloudpc-display-name': null, empty: '' } },
            }),
            managedImage({
              name: 'unicode-1.0.0',
              tags: { 'cloudpc-sync': 'true', 'cloudpc-display-name': `  ${UNICODE_NAME} `, 'cloudpc-version': 'v2.0.0' },
            }),
            managedImage({ name: 'long-tag-1.0.0', tags: { 'cloudpc-sync': 'true', 'cloudpc-display-name': LONG_TAG_NAME } }),
            managedImage({ name: LONG_IMAGE_NAME }),
            managedImage({ name: 'bad-version', tags: { 'cloudpc-sync': 'true', 'cloudpc-version': '1.2.3.4"; DROP' } }),
            managedImage({ name: 'no-properties-1.0.0', armOmit: ['properties'] }),
          ]),
        ],
      }),
    ],
  }),
);

const VALID_ID = imageId('unicode-1.0.0');
const job = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  v: 1,
  sourceImageResourceId: VALID_ID,
  displayName: 'win11',
  version: '1.0.0',
  trigger: 'manual',
  enqueuedAt: '2026-11-23T09:00:00Z',
  ...overrides,
});
const check = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  v: 1,
  sourceImageResourceId: VALID_ID,
  deviceImageId: 'a1b2c3d4-0000-4000-8000-000000000001',
  check: 0,
  since: '2026-11-23T09:00:00Z',
  retryUploads: 0,
  ...overrides,
});
const alerts = (app: TestApp) => app.lines.filter((line) => line.startsWith('error: ImageSyncFailure'));

const REGISTER_MESSAGES: ReadonlyArray<readonly [string, unknown, RegExp]> = [
  ['text that is not JSON', '{"v":1, "sourceImageResourceId": ', /not valid JSON/],
  ['bytes that are not UTF-8', Buffer.from([0xff, 0xfe, 0x00, 0x7b]), /not UTF-8/],
  ['an empty message', '', /empty/],
  ['JSON that is not an object', [1, 2, 3], /must be a JSON object, not an array/],
  ['null', null, /must be a JSON object/],
  ['the wrong shape', { image: VALID_ID }, /v is missing/],
  ['an unknown version', job({ v: 2 }), /v must be 1, the only message version this app reads, not 2/],
  ['a message over 64 KB', job({ displayName: 'x'.repeat(70 * 1024) }), /over the 65536-byte \(64 KB\) limit/],
  [
    'an id of another resource type',
    job({ sourceImageResourceId: `/subscriptions/${SUB}/resourceGroups/rg-odd/providers/Microsoft.Compute/virtualMachines/vm-1` }),
    /is not a managed-image id/,
  ],
  [
    'an id with a ../ resource group',
    job({ sourceImageResourceId: `/subscriptions/${SUB}/resourceGroups/../providers/Microsoft.Compute/images/x` }),
    /is not a managed-image id/,
  ],
  [
    'an id whose image name is ..',
    job({ sourceImageResourceId: `/subscriptions/${SUB}/resourceGroups/rg-odd/providers/Microsoft.Compute/images/..` }),
    /is not a managed-image id/,
  ],
  ['an id with a query', job({ sourceImageResourceId: `${VALID_ID}?api-version=1` }), /is not a managed-image id/],
  ['an absolute URL for an id', job({ sourceImageResourceId: `https://evil.example${VALID_ID}` }), /is not a managed-image id/],
  ['a quote in the version', job({ version: "1.0.0' or '1'='1" }), /version must be MAJOR.MINOR.PATCH/],
];

const STATUS_MESSAGES: ReadonlyArray<readonly [string, unknown]> = [
  ['a deviceImageId with ../', check({ deviceImageId: '../../../users' })],
  ['a deviceImageId with a query', check({ deviceImageId: 'abc?$select=id' })],
  ['a deviceImageId with a fragment', check({ deviceImageId: 'abc#x' })],
  ['a deviceImageId that is an absolute URL', check({ deviceImageId: 'https://evil.example/v1.0/me' })],
  ['a deviceImageId with an encoded slash', check({ deviceImageId: '..%2F..%2Fusers' })],
  ['a deviceImageId with a slash', check({ deviceImageId: 'abc/retryUpload' })],
];

describe('a queue message that can never be processed', () => {
  it.each(REGISTER_MESSAGES)(
    'on the register queue (%s) is one recorded problem and one alert, and completes without a request',
    async (_what, message, detail) => {
      const app = testApp(testAppSettings(fixture.emulator));
      const requests = fixture.emulator.requests.length;
      // Delivered twice (the host may deliver any message again): still one problem, alerted once.
      await handleRegisterMessage(app.deps, message, { messageId: 'bad-1' });
      await handleRegisterMessage(app.deps, message, { messageId: 'bad-1' });

      const problems = await app.deps.ledger.listProblems();
      expect(problems).toEqual([
        expect.objectContaining({ kind: 'invalid-message', subject: `${app.config.registerQueue}/bad-1`, count: 2 }),
      ]);
      expect(problems[0]?.detail).toMatch(detail);
      expect(problems[0]?.detail.length).toBeLessThan(1_000);
      expect(alerts(app)).toHaveLength(1);
      expect(fixture.emulator.requests.length).toBe(requests);
      expect(await app.deps.ledger.list()).toEqual([]);
    },
  );

  it.each(STATUS_MESSAGES)(
    'on the status queue (%s) is one recorded problem and one alert, and no request goes anywhere',
    async (_what, message) => {
      const app = testApp(testAppSettings(fixture.emulator));
      const requests = fixture.emulator.requests.length;
      await handleStatusMessage(app.deps, message, { messageId: 'bad-2' });

      const problems = await app.deps.ledger.listProblems();
      expect(problems).toEqual([
        expect.objectContaining({
          kind: 'invalid-message',
          subject: `${app.config.statusQueue}/bad-2`,
          detail: expect.stringMatching(/deviceImageId is not a device image id/),
        }),
      ]);
      expect(alerts(app)).toHaveLength(1);
      expect(fixture.emulator.requests.length).toBe(requests);
    },
  );
});

describe('odd ARM data', () => {
  it('is skipped with a reason, or registered exactly as tagged, and never stops the reconcile', async () => {
    const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_RESOURCE_GROUPS: 'rg-odd' }));
    const report = await reconcile(app.deps);

    const outcome = (name: string) => report.plan.images.find((image) => image.sourceImageResourceId === imageId(name));
    expect(outcome('no-storage-1.0.0')).toMatchObject({ outcome: 'skip', reason: 'malformed' });
    expect(outcome('no-properties-1.0.0')).toMatchObject({ outcome: 'skip', reason: 'malformed' });
    expect(outcome('no-os-type-1.0.0')).toMatchObject({ outcome: 'skip', reason: 'not-windows' });
    expect(outcome('no-generation-1.0.0')).toMatchObject({ outcome: 'skip', reason: 'gen1' });
    expect(outcome('bad-version')).toMatchObject({
      outcome: 'skip',
      reason: 'invalid-version',
      fix: expect.stringContaining('cloudpc-version'),
    });
    // Untagged (tags: null) is out of scope: not planned, not skipped.
    expect(outcome('null-tags-1.0.0')).toBeUndefined();
    expect(report.plan.images).toHaveLength(9);

    const jobs = (await nextMessages(app, app.config.registerQueue, 4, 3_000)) as RegisterJob[];
    expect(jobs.map((queued) => queued.sourceImageResourceId).sort()).toEqual(
      [imageId(LONG_IMAGE_NAME), imageId('long-tag-1.0.0'), imageId('odd-tags-1.0.0'), imageId('unicode-1.0.0')].sort(),
    );
    for (const queued of jobs) await handleRegisterMessage(app.deps, queued, { messageId: null });

    const registered = (name: string) => fixture.emulator.deviceImages().find((image) => image.sourceImageResourceId === imageId(name));
    expect(registered('unicode-1.0.0')).toMatchObject({ displayName: UNICODE_NAME, version: '2.0.0' });
    expect(registered('long-tag-1.0.0')).toMatchObject({ displayName: LONG_TAG_NAME, version: '1.0.0' });
    // A tag value that is not a string is ignored: the name gives the version, as for an untagged name.
    expect(registered('odd-tags-1.0.0')).toMatchObject({ displayName: 'odd-tags', version: '1.0.0' });
    expect(registered(LONG_IMAGE_NAME)).toMatchObject({ displayName: 'w'.repeat(74), version: '1.2.3' });
    expect(await app.deps.ledger.get(registration(imageId('unicode-1.0.0'), '2.0.0'))).toMatchObject({
      state: 'pending',
      displayName: UNICODE_NAME,
    });
    const checks = (await nextMessages(app, app.config.statusQueue, 4, 3_000)) as StatusCheck[];
    expect(checks).toHaveLength(4);
    expect(alerts(app)).toEqual([]);
  });
});
