// DESIGN §17 exactly once for copies: a worker that dies after any step of a copy registration (the
// disk made, the image made, the POST made) leaves the next delivery to finish it without a second
// disk, image or device image, and nothing is left in the staging group. Also two deliveries at once.
import { describe, expect, it } from 'vitest';
import type { RegisterJob } from '../../../src/domain';
import type { SyncDeps } from '../../../src/ports';
import { registerImage } from '../../../src/handlers/registerImage';
import { handleRegisterMessage } from '../../../src/handlers/registerImage';
import { CLAIM_LEASE_MS, COPY_LEASE_MS } from '../../../src/rules/times';
import { TransientError } from '../../../src/errors';
import type { TestApp } from '../../support/appDeps';
import { useEmulator } from '../../support/emulator';
import { syncLocally } from '../lifecycle/localSync';
import { COPY, VERSION_ID, galleryApp, galleryEstate, leftInStaging, plannedJob } from './galleryTenant';

const killed = () => new Error('the worker was killed here');

/** Delivers the job again (the queue would, after a crash) and lets the app run to the end. */
async function rerun(app: TestApp, job: RegisterJob): Promise<void> {
  await app.deps.queues.sendRegisterJob(job, 0);
  await syncLocally(app);
}

function expectDoneOnce(fixture: ReturnType<typeof useEmulator>) {
  expect(fixture.emulator.createdCopiesOf(VERSION_ID)).toEqual({ disks: 1, images: 1 });
  const images = fixture.emulator.deviceImages();
  expect(images.map(({ sourceImageResourceId, status }) => ({ sourceImageResourceId, status }))).toEqual([
    { sourceImageResourceId: COPY.imageId, status: 'ready' },
  ]);
  expect(fixture.emulator.duplicateDeviceImages()).toEqual([]);
}

describe('a copy registration killed after a step, then run again', () => {
  const fixture = useEmulator(() => galleryEstate());

  it('after the disk was made (the image PUT never answered): the disk is reused', async () => {
    const app = galleryApp(fixture.emulator);
    const job = await plannedJob(app);
    fixture.emulator.setFaults({ service: 'arm', kinds: ['arm.images.put'], down: 'reset' });
    await expect(registerImage(app.deps, job)).rejects.toThrow();
    fixture.emulator.clearFaults();
    expect(fixture.emulator.disks()).toHaveLength(1);
    expect(await app.deps.ledger.get(job)).toMatchObject({ state: 'creating', copyId: COPY.imageId });

    await rerun(app, job);
    expectDoneOnce(fixture);
    expect(await leftInStaging(fixture.emulator, app)).toEqual([]);
  });
});

describe('killed after the image was made, before the POST', () => {
  const fixture = useEmulator(() => galleryEstate());

  it('finds the copy and posts it once', async () => {
    const app = galleryApp(fixture.emulator);
    const job = await plannedJob(app);
    const copies = app.deps.galleryCopies!;
    const dying: SyncDeps = {
      ...app.deps,
      galleryCopies: {
        ...copies,
        ensureCopy: async (version) => {
          await copies.ensureCopy(version);
          throw killed();
        },
      },
    };
    await expect(registerImage(dying, job)).rejects.toThrow(/killed/);
    expect(fixture.emulator.deviceImages()).toEqual([]);

    await rerun(app, job);
    expectDoneOnce(fixture);
    expect(await leftInStaging(fixture.emulator, app)).toEqual([]);
  });
});

describe('killed after the POST, before its answer was recorded', () => {
  const fixture = useEmulator(() => galleryEstate());

  it('adopts the device image it made (looked up by the copy id) as its own', async () => {
    const app = galleryApp(fixture.emulator);
    const job = await plannedJob(app);
    const graph = app.deps.deviceImages;
    const dying: SyncDeps = {
      ...app.deps,
      deviceImages: {
        ...graph,
        create: async (request) => {
          await graph.create(request);
          throw killed();
        },
      },
    };
    await expect(registerImage(dying, job)).rejects.toThrow(/killed/);
    expect(fixture.emulator.deviceImages()).toHaveLength(1);

    await rerun(app, job);
    expectDoneOnce(fixture);
    expect(await app.deps.ledger.get(job)).toMatchObject({ state: 'ready', origin: 'created', copyId: COPY.imageId });
    expect(await leftInStaging(fixture.emulator, app)).toEqual([]);
  });
});

describe('a second delivery while the copy is being made', () => {
  const fixture = useEmulator(() => galleryEstate());

  it('backs off for the copy lease (longer than a create claim), and the first delivery finishes alone', async () => {
    const app = galleryApp(fixture.emulator);
    const job = await plannedJob(app);
    const copies = app.deps.galleryCopies!;
    let second: unknown = null;
    const first: SyncDeps = {
      ...app.deps,
      galleryCopies: {
        ...copies,
        ensureCopy: async (version) => {
          second = await registerImage(app.deps, job).then(
            () => 'went on',
            (error: unknown) => error,
          );
          return copies.ensureCopy(version);
        },
      },
    };
    await registerImage(first, job);
    expect(second).toBeInstanceOf(TransientError);
    expect((second as TransientError).retryAfterMs).toBeGreaterThan(CLAIM_LEASE_MS);
    expect((second as TransientError).retryAfterMs).toBeLessThanOrEqual(COPY_LEASE_MS);
    await syncLocally(app);
    expectDoneOnce(fixture);
  });
});

describe('one register job delivered twice at once', () => {
  const fixture = useEmulator(() => galleryEstate());

  it('makes one copy and one device image', async () => {
    const app = galleryApp(fixture.emulator);
    const job = await plannedJob(app);
    await Promise.all([
      handleRegisterMessage(app.deps, job, { messageId: 'first' }),
      handleRegisterMessage(app.deps, job, { messageId: 'second' }),
    ]);
    await syncLocally(app);
    expectDoneOnce(fixture);
    expect(await leftInStaging(fixture.emulator, app)).toEqual([]);
  });
});
