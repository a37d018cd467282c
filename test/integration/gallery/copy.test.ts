// DESIGN §17 `copy` through the real handlers, Azurite and the emulator: a gallery version is
// registered through a managed-image copy in the staging group, and the copy goes once it is ready.
import { describe, expect, it } from 'vitest';
import { reconcile } from '../../../src/handlers/reconcile';
import { useEmulator } from '../../support/emulator';
import { syncLocally } from '../lifecycle/localSync';
import { COPY, VERSION_ID, galleryApp, galleryEstate, leftInStaging } from './galleryTenant';

describe('a gallery version in copy mode', () => {
  const fixture = useEmulator(() => galleryEstate());

  it('copies (one disk, one image), posts the copy, reaches ready and removes the copy', async () => {
    const app = galleryApp(fixture.emulator);
    fixture.emulator.clearRequests();
    const started = performance.now();
    await syncLocally(app);
    const wallMs = performance.now() - started;

    const images = fixture.emulator.deviceImages();
    expect(images).toHaveLength(1);
    expect(images[0]).toMatchObject({ sourceImageResourceId: COPY.imageId, version: '1.4.0', status: 'ready' });
    expect(fixture.emulator.createdCopiesOf(VERSION_ID)).toEqual({ disks: 1, images: 1 });
    expect(await app.deps.ledger.get({ sourceImageResourceId: VERSION_ID, version: '1.4.0' })).toMatchObject({
      state: 'ready',
      copyId: COPY.imageId,
      origin: 'created',
    });
    expect(await leftInStaging(fixture.emulator, app)).toEqual([]);
    const counts = fixture.emulator.counts();
    process.stderr.write(`copy registration: ${Math.round(wallMs)} ms, requests ${JSON.stringify(counts)}\n`);
    // The copy's ARM calls: made (image GET, group GET, disk GET, disk PUT + poll + GET, image PUT + poll + GET), removed (two DELETEs + polls).
    expect(counts).toMatchObject({
      'arm.disks.put': 1,
      'arm.images.put': 1,
      'arm.disks.delete': 1,
      'arm.images.delete': 1,
      'arm.operations.get': 4,
    });
    // getSourceImages is not asked about a gallery version in copy mode (the copy does not exist before the job).
    expect(counts['graph.deviceImages.getSourceImages']).toBeUndefined();

    // A second reconcile finds it all done: no second copy, no second device image.
    await reconcile(app.deps);
    expect(fixture.emulator.createdCopiesOf(VERSION_ID)).toEqual({ disks: 1, images: 1 });
    expect(fixture.emulator.deviceImages()).toHaveLength(1);
    expect(fixture.emulator.duplicateDeviceImages()).toEqual([]);
  });
});
