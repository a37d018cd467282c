// DESIGN §17 exactly once under faults: throttling, outages and lost answers on the copy's ARM calls
// and a create whose answer is lost still end with one disk, one image and one device image per
// gallery version (counted by the emulator), and nothing left in the staging group.
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../../support/emulator';
import { syncLocally } from '../lifecycle/localSync';
import { COPY, VERSION_ID, galleryApp, galleryEstate, leftInStaging } from './galleryTenant';

describe('a copy registration under ARM and Graph faults', () => {
  const fixture = useEmulator(() => galleryEstate());

  it('makes one disk, one image and one device image, and removes the copy', async () => {
    const app = galleryApp(fixture.emulator);
    fixture.emulator.setFaults(
      {
        service: 'arm',
        kinds: ['arm.disks.*', 'arm.images.*', 'arm.operations.get'],
        throttle: { probability: 0.3, retryAfterSeconds: 1 },
      },
      { service: 'arm', kinds: ['arm.disks.put', 'arm.images.put'], ambiguousCreates: { next: 2, answer: 500 } },
      { service: 'arm', kinds: ['arm.operations.get'], unavailable: { next: 1 } },
      { service: 'graph', kinds: ['graph.deviceImages.create'], ambiguousCreates: { next: 1, answer: 'reset' } },
    );
    await syncLocally(app, 60_000);
    fixture.emulator.clearFaults();
    await syncLocally(app, 30_000);

    expect(fixture.emulator.createdCopiesOf(VERSION_ID)).toEqual({ disks: 1, images: 1 });
    expect(fixture.emulator.deviceImages().map(({ sourceImageResourceId, status }) => ({ sourceImageResourceId, status }))).toEqual([
      { sourceImageResourceId: COPY.imageId, status: 'ready' },
    ]);
    expect(fixture.emulator.duplicateDeviceImages({ includeDeleted: true })).toEqual([]);
    expect(await app.deps.ledger.get({ sourceImageResourceId: VERSION_ID, version: '1.4.0' })).toMatchObject({ state: 'ready' });
    expect(await leftInStaging(fixture.emulator, app)).toEqual([]);
    // The faults were met: a lost PUT answer resent (an update of the same disk or image), and a lost create.
    const faulted = new Set(fixture.emulator.requests.filter((request) => request.fault !== null).map((request) => request.kind));
    expect(faulted).toContain('graph.deviceImages.create');
    expect(faulted).toContain('arm.disks.put');
    expect(fixture.emulator.count('arm.disks.put')).toBeGreaterThan(1);
  }, 120_000);
});
