import { describe, expect, it } from 'vitest';
import type { StatusCheck } from '../../../src/domain';
import { estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../../src/emulator';
import type { ManagedImageInput } from '../../../src/emulator';
import { handleStatusMessage, pollImageStatus } from '../../../src/handlers/pollImageStatus';
import { registerImage } from '../../../src/handlers/registerImage';
import type { RegistrationRef } from '../../../src/ports';
import { type TestApp, drainQueueForTest, testApp, testAppSettings } from '../../support/appDeps';
import { registration } from '../../support/registration';
import { manualClock, useEmulator } from '../../support/emulator';

const SUB = '22222222-2222-4222-8222-222222222222';
const imageId = (name: string) => managedImageResourceId(SUB, 'rg-images', name);

const images: ManagedImageInput[] = [
  managedImage({ name: 'slow-1.0.0', upload: { outcome: 'ready', seconds: 3600 } }),
  managedImage({ name: 'quick-1.0.0', upload: { outcome: 'ready', seconds: 0.2 } }),
  managedImage({ name: 'notgen-1.0.0', upload: { outcome: 'failed', errorCode: 'sourceImageNotGeneralized', seconds: 0.2 } }),
  managedImage({
    name: 'flaky-1.0.0',
    upload: { outcome: 'failed', errorCode: 'internalServerError', seconds: 0.2, retryOutcome: 'ready', retrySeconds: 0.2 },
  }),
  managedImage({
    name: 'broken-1.0.0',
    upload: { outcome: 'failed', errorCode: 'internalServerError', seconds: 0.2, retryOutcome: 'failed', retrySeconds: 0.2 },
  }),
  managedImage({ name: 'twice-1.0.0', upload: { outcome: 'ready', seconds: 3600 } }),
  managedImage({ name: 'gone-1.0.0', upload: { outcome: 'ready', seconds: 3600 } }),
  managedImage({ name: 'timeout-1.0.0', upload: { outcome: 'ready', seconds: 3600 * 48 } }),
  managedImage({ name: 'fn-1.0.0', upload: { outcome: 'ready', seconds: 0.2 } }),
  managedImage({ name: 'remembered-1.0.0', upload: { outcome: 'ready', seconds: 0.2 } }),
  managedImage({ name: 'changed-1.0.0', upload: { outcome: 'ready', seconds: 0.2 } }),
];

const fixture = useEmulator(() =>
  estate({ subscriptions: [subscription({ id: SUB, resourceGroups: [resourceGroup('rg-images', images)] })] }),
);

/** Registers the image for real and returns the first status check it scheduled. */
async function registered(app: TestApp, name: string): Promise<StatusCheck> {
  await registerImage(app.deps, {
    v: 1,
    sourceImageResourceId: imageId(name),
    displayName: name.replace(/-1\.0\.0$/, ''),
    version: '1.0.0',
    trigger: 'reconcile',
    enqueuedAt: new Date().toISOString(),
  });
  const [check] = (await drainQueueForTest(app, app.config.statusQueue, 1_500)) as StatusCheck[];
  if (check === undefined) throw new Error(`no status check was scheduled for ${name}`);
  return check;
}

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const alertsFor = (app: TestApp, name: string) =>
  app.lines.filter((line) => line.startsWith('error: ImageSyncFailure') && line.includes(name));

describe('pollImageStatus', () => {
  it('schedules the next check with a doubled delay while the upload is pending', async () => {
    const app = testApp(
      testAppSettings(fixture.emulator, { IMAGE_SYNC_POLL_INTERVAL_SECONDS: '1', IMAGE_SYNC_POLL_MAX_INTERVAL_SECONDS: '60' }),
    );
    const first = await registered(app, 'slow-1.0.0');
    const before = Date.now();
    await pollImageStatus(app.deps, first);

    const row = await app.deps.ledger.get(registration(imageId('slow-1.0.0')));
    expect(row).toMatchObject({ state: 'pending', statusChecks: 1 });
    const dueInMs = Date.parse(row?.nextCheckAt ?? '') - before;
    expect(dueInMs).toBeGreaterThanOrEqual(1_900);
    expect(dueInMs).toBeLessThan(3_000);
    expect(await drainQueueForTest(app, app.config.statusQueue, 0)).toEqual([]);
    expect(await drainQueueForTest(app, app.config.statusQueue, 3_000)).toEqual([{ ...first, check: 1 }]);
  });

  it('records the image ready once the upload is', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    const check = await registered(app, 'quick-1.0.0');
    await settle(300);
    await pollImageStatus(app.deps, check);
    expect(await app.deps.ledger.get(registration(imageId('quick-1.0.0')))).toMatchObject({ state: 'ready', nextCheckAt: null });
  });

  it('records a permanent failure with its remediation and alerts once, also when the check is delivered again', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    const check = await registered(app, 'notgen-1.0.0');
    await settle(300);
    await pollImageStatus(app.deps, check);
    await pollImageStatus(app.deps, check);

    expect(await app.deps.ledger.get(registration(imageId('notgen-1.0.0')))).toMatchObject({
      state: 'failed',
      errorCode: 'sourceImageNotGeneralized',
      reason: expect.stringMatching(/sysprep/),
      alertedAt: expect.any(String),
    });
    const alerts = alertsFor(app, 'notgen-1.0.0');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatch(/"remediation":"[^"]*sysprep/);
    expect(fixture.emulator.count('graph.deviceImages.retryUpload')).toBe(0);
  });

  it('sends a transiently failed upload back with retryUpload (beta) and records it ready when the retry succeeds', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    const check = await registered(app, 'flaky-1.0.0');
    await settle(300);
    const retries = fixture.emulator.count('graph.deviceImages.retryUpload');
    await pollImageStatus(app.deps, check);

    expect(fixture.emulator.count('graph.deviceImages.retryUpload')).toBe(retries + 1);
    expect(
      fixture.emulator.requests
        .filter((request) => request.kind === 'graph.deviceImages.retryUpload')
        .every((request) => request.path.startsWith('/beta/')),
    ).toBe(true);
    expect(fixture.emulator.count('graph.deviceImages.reupload')).toBe(0);
    const [next] = (await drainQueueForTest(app, app.config.statusQueue, 2_000)) as StatusCheck[];
    expect(next).toMatchObject({ check: 1, retryUploads: 1 });
    expect(await app.deps.ledger.get(registration(imageId('flaky-1.0.0')))).toMatchObject({ state: 'pending', retryUploads: 1 });

    await settle(300);
    if (next !== undefined) await pollImageStatus(app.deps, next);
    expect(await app.deps.ledger.get(registration(imageId('flaky-1.0.0')))).toMatchObject({ state: 'ready' });
    expect(alertsFor(app, 'flaky-1.0.0')).toHaveLength(0);
  });

  it('stops after IMAGE_SYNC_MAX_RETRY_UPLOADS retries and records the failure', async () => {
    const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_MAX_RETRY_UPLOADS: '1' }));
    let check = await registered(app, 'broken-1.0.0');
    const retries = fixture.emulator.count('graph.deviceImages.retryUpload');
    for (let round = 0; round < 3; round++) {
      await settle(300);
      await pollImageStatus(app.deps, check);
      const [next] = (await drainQueueForTest(app, app.config.statusQueue, 1_500)) as StatusCheck[];
      if (next === undefined) break;
      check = next;
    }
    expect(fixture.emulator.count('graph.deviceImages.retryUpload')).toBe(retries + 1);
    expect(await app.deps.ledger.get(registration(imageId('broken-1.0.0')))).toMatchObject({
      state: 'failed',
      errorCode: 'internalServerError',
      retryUploads: 1,
      reason: expect.stringContaining('after 1 retryUpload'),
    });
    expect(alertsFor(app, 'broken-1.0.0')).toHaveLength(1);
  });

  it('checks against the row this process marked pending, without reading it back', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    const check = await registered(app, 'remembered-1.0.0');
    await settle(300);
    const { ledger } = app.deps;
    let reads = 0;
    const counted = {
      ...ledger,
      get: (ref: RegistrationRef) => {
        reads += 1;
        return ledger.get(ref);
      },
    };
    await pollImageStatus({ ...app.deps, ledger: counted }, check);
    expect(reads).toBe(0);
    expect(await ledger.get(registration(imageId('remembered-1.0.0')))).toMatchObject({ state: 'ready' });
  });

  it('records the image ready when another instance changed the row since this one remembered it', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    const other = testApp({
      ...testAppSettings(fixture.emulator),
      IMAGE_SYNC_TABLE: app.config.table,
      IMAGE_SYNC_STATUS_QUEUE: app.config.statusQueue,
    });
    const check = await registered(app, 'changed-1.0.0');
    await settle(300);
    // The other instance's reconcile found the check overdue and rescheduled it (a new ETag).
    const row = await other.deps.ledger.get(registration(imageId('changed-1.0.0')));
    if (row === null) throw new Error('no row');
    await other.deps.ledger.update(row, { nextCheckAt: new Date().toISOString() }, new Date());
    await pollImageStatus(app.deps, check);
    expect(await other.deps.ledger.get(registration(imageId('changed-1.0.0')))).toMatchObject({ state: 'ready' });
    expect(app.lines.some((line) => line.includes('StatusCheckSuperseded'))).toBe(false);
  });

  it('acts once on a check delivered twice at the same time', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    const check = await registered(app, 'twice-1.0.0');
    await Promise.all([pollImageStatus(app.deps, check), pollImageStatus(app.deps, check)]);
    expect(await drainQueueForTest(app, app.config.statusQueue, 2_500)).toEqual([{ ...check, check: 1 }]);
    expect(await app.deps.ledger.get(registration(imageId('twice-1.0.0')))).toMatchObject({ statusChecks: 1 });
  });

  it('records the image failed when its device image was deleted in Windows 365 during the upload', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    const check = await registered(app, 'gone-1.0.0');
    const deleted = await fetch(`${fixture.emulator.url}/v1.0/deviceManagement/virtualEndpoint/deviceImages/${check.deviceImageId}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${fixture.emulator.token}` },
    });
    expect(deleted.status).toBe(204);
    await pollImageStatus(app.deps, check);
    expect(await app.deps.ledger.get(registration(imageId('gone-1.0.0')))).toMatchObject({
      state: 'failed',
      errorCode: 'deviceImageNotFound',
    });
  });

  it('records uploadTimedOut once the upload has been pending longer than IMAGE_SYNC_UPLOAD_TIMEOUT_HOURS', async () => {
    const clock = manualClock(new Date());
    const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_UPLOAD_TIMEOUT_HOURS: '24' }), clock);
    const check = await registered(app, 'timeout-1.0.0');
    clock.advance(25 * 3600 * 1000);
    await pollImageStatus(app.deps, check);
    expect(await app.deps.ledger.get(registration(imageId('timeout-1.0.0')))).toMatchObject({
      state: 'failed',
      errorCode: 'uploadTimedOut',
      reason: expect.stringMatching(/24 hours/),
    });
    expect(alertsFor(app, 'timeout-1.0.0')).toHaveLength(1);
  });

  it('records a check message of the wrong shape as one problem', async () => {
    const app = testApp(testAppSettings(fixture.emulator));
    await handleStatusMessage(
      app.deps,
      { v: 1, sourceImageResourceId: imageId('quick-1.0.0'), deviceImageId: 'x', check: -1, since: 'yesterday', retryUploads: 0 },
      { messageId: 'bad-1' },
    );
    expect(await app.deps.ledger.listProblems()).toEqual([
      expect.objectContaining({ kind: 'invalid-message', subject: `${app.config.statusQueue}/bad-1` }),
    ]);
  });
});

describe('the pollImageStatus function', () => {
  it('takes the status check the host hands it with an InvocationContext', async () => {
    const settings = testAppSettings(fixture.emulator);
    const app = testApp(settings);
    const check = await registered(app, 'fn-1.0.0');
    await settle(300);
    Object.assign(process.env, settings);
    const { InvocationContext } = await import('@azure/functions');
    const { pollImageStatusHandler } = await import('../../../functions/pollImageStatus.js');
    await pollImageStatusHandler(
      check,
      new InvocationContext({ functionName: 'pollImageStatus', invocationId: 'inv-p', triggerMetadata: { id: 'm-9', dequeueCount: 1 } }),
    );
    expect(await app.deps.ledger.get(registration(imageId('fn-1.0.0')))).toMatchObject({ state: 'ready' });
  });
});
