// DESIGN §17's bad inputs for `copy`, through the real handlers, Azurite and the emulator: a staging
// group that is missing or that the identity cannot write (one problem with the fix, no partial
// copy), a version not replicated to the staging region (gallery-region), a version deleted while
// its copy is in flight (superseded, its copy removed), an upload that fails for good (the copy goes
// after the retryUploads, not before).
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../../support/emulator';
import { syncLocally } from '../lifecycle/localSync';
import type { TestApp } from '../../support/appDeps';
import { STAGING, VERSION_ID, galleryApp, galleryEstate, leftInStaging } from './galleryTenant';

async function problemsOf(app: TestApp, kind: string) {
  return (await app.deps.ledger.listProblems()).filter((problem) => problem.kind === kind);
}

describe('a staging group that does not exist', () => {
  const fixture = useEmulator(() => galleryEstate({ stagingGroup: 'absent' }));

  it('is one problem naming the group and the fix; nothing is made or posted, the row waits queued', async () => {
    const app = galleryApp(fixture.emulator);
    await syncLocally(app);
    const problems = await problemsOf(app, 'gallery-staging-unwritable');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ subject: STAGING, detail: expect.stringMatching(/create the resource group/) });
    expect(fixture.emulator.createdCopiesOf(VERSION_ID)).toEqual({ disks: 0, images: 0 });
    expect(fixture.emulator.deviceImages()).toEqual([]);
    expect(await app.deps.ledger.get({ sourceImageResourceId: VERSION_ID, version: '1.4.0' })).toMatchObject({ state: 'queued' });
  });
});

describe('a staging group the identity may not write', () => {
  const fixture = useEmulator(() => galleryEstate({ stagingGroup: 'refuses-writes' }));

  it('is one problem with the custom role as the fix, and no partial copy', async () => {
    const app = galleryApp(fixture.emulator);
    await syncLocally(app);
    const problems = await problemsOf(app, 'gallery-staging-unwritable');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.detail).toMatch(/403/);
    expect(problems[0]!.detail).toMatch(/custom role/);
    expect(fixture.emulator.disks()).toEqual([]);
    expect(fixture.emulator.deviceImages()).toEqual([]);
  });
});

describe('a staging group where disks may be written but images may not', () => {
  const fixture = useEmulator(() => galleryEstate());

  it('removes the disk it made: one problem, nothing left', async () => {
    const app = galleryApp(fixture.emulator);
    fixture.emulator.setFaults({
      service: 'arm',
      kinds: ['arm.images.put'],
      refuse: { probability: 1, status: 403, code: 'AuthorizationFailed' },
    });
    await syncLocally(app);
    expect(await problemsOf(app, 'gallery-staging-unwritable')).toHaveLength(1);
    // Each pass of the local run tries again (the row waits queued): every disk it made is gone again.
    expect(fixture.emulator.createdCopiesOf(VERSION_ID)).toMatchObject({ images: 0 });
    expect(fixture.emulator.createdCopiesOf(VERSION_ID).disks).toBeGreaterThan(0);
    expect(await leftInStaging(fixture.emulator, app)).toEqual([]);
    expect(fixture.emulator.deviceImages()).toEqual([]);
  });
});

describe('a copy ARM refuses for another reason', () => {
  const fixture = useEmulator(() => galleryEstate());

  it('is one gallery-copy-failed problem about the version with ARM words, nothing posted or left', async () => {
    const app = galleryApp(fixture.emulator);
    fixture.emulator.setFaults({
      service: 'arm',
      kinds: ['arm.disks.put'],
      refuse: { probability: 1, status: 400, code: 'InvalidParameter', message: 'The disk size is not supported.' },
    });
    await syncLocally(app);
    const problems = await problemsOf(app, 'gallery-copy-failed');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ subject: VERSION_ID, detail: expect.stringContaining('The disk size is not supported.') });
    expect(await problemsOf(app, 'gallery-staging-unwritable')).toEqual([]);
    expect(fixture.emulator.deviceImages()).toEqual([]);
    expect(await leftInStaging(fixture.emulator, app)).toEqual([]);
  });
});

describe('a version not replicated to the staging region', () => {
  const fixture = useEmulator(() => galleryEstate({ targetRegions: ['North Europe'] }));

  it('is skipped gallery-region with the fix, and nothing is copied', async () => {
    const app = galleryApp(fixture.emulator);
    await syncLocally(app);
    expect(await app.deps.ledger.get({ sourceImageResourceId: VERSION_ID, version: '1.4.0' })).toMatchObject({
      state: 'skipped',
      reason: 'gallery-region',
      fix: expect.stringMatching(/northeurope.*westeurope|westeurope/),
    });
    expect(fixture.emulator.createdCopiesOf(VERSION_ID)).toEqual({ disks: 0, images: 0 });
    expect(fixture.emulator.count('arm.resourceGroups.get')).toBe(1);
  });
});

describe('a version deleted while its copy is in flight', () => {
  const fixture = useEmulator(() => galleryEstate());

  it('ends superseded, posts nothing and leaves no copy', async () => {
    const app = galleryApp(fixture.emulator);
    fixture.emulator.afterNext('arm.disks.put', () => fixture.emulator.removeGalleryImageVersion(VERSION_ID));
    await syncLocally(app);
    expect(await app.deps.ledger.get({ sourceImageResourceId: VERSION_ID, version: '1.4.0' })).toMatchObject({
      state: 'skipped',
      reason: 'superseded',
    });
    expect(fixture.emulator.count('graph.deviceImages.create')).toBe(0);
    expect(await leftInStaging(fixture.emulator, app)).toEqual([]);
  });
});

describe('an upload of the copy that fails for good', () => {
  const fixture = useEmulator(() =>
    galleryEstate({ upload: { outcome: 'failed', errorCode: 'internalServerError', retryOutcome: 'failed' } }),
  );

  it('removes the copy once the retryUploads are spent, not before', async () => {
    const app = galleryApp(fixture.emulator);
    await syncLocally(app);
    const row = await app.deps.ledger.get({ sourceImageResourceId: VERSION_ID, version: '1.4.0' });
    expect(row).toMatchObject({ state: 'failed', errorCode: 'internalServerError' });
    expect(fixture.emulator.count('graph.deviceImages.retryUpload')).toBe(app.config.maxRetryUploads);
    expect(await leftInStaging(fixture.emulator, app)).toEqual([]);
    const order = app.lines
      .filter((line) => /DeviceImageUploadRetried|GalleryCopyRemoved/.test(line))
      .map((line) => /(DeviceImageUploadRetried|GalleryCopyRemoved)/.exec(line)![1]);
    expect(order).toEqual([...Array<string>(app.config.maxRetryUploads).fill('DeviceImageUploadRetried'), 'GalleryCopyRemoved']);
  });
});
