// DESIGN §17 `direct` (Windows 365's preview) through the real handlers, Azurite and the emulator:
// the version's own id is posted after beta getSourceImages lists it; a tenant that refuses the
// shape is one problem with the fix, and the registration ends failed so it is not posted again.
import { describe, expect, it } from 'vitest';
import { reconcile } from '../../../src/handlers/reconcile';
import { useEmulator } from '../../support/emulator';
import { syncLocally } from '../lifecycle/localSync';
import { VERSION_ID, galleryApp, galleryEstate } from './galleryTenant';

describe('direct mode in a tenant with the preview', () => {
  const fixture = useEmulator(() => galleryEstate({ galleryDirect: true }));

  it('posts the gallery version id itself (listed by beta getSourceImages) and makes no copy', async () => {
    const app = galleryApp(fixture.emulator, 'direct');
    await syncLocally(app);
    expect(fixture.emulator.deviceImages().map(({ sourceImageResourceId, status }) => ({ sourceImageResourceId, status }))).toEqual([
      { sourceImageResourceId: VERSION_ID, status: 'ready' },
    ]);
    expect(
      fixture.emulator.requests
        .filter((request) => request.kind === 'graph.deviceImages.getSourceImages')
        .map((request) => request.graphVersion),
    ).toEqual(['beta']);
    expect(fixture.emulator.disks()).toEqual([]);
    expect(await app.deps.ledger.get({ sourceImageResourceId: VERSION_ID, version: '1.4.0' })).toMatchObject({ state: 'ready' });
  });
});

describe('direct mode in a tenant without the preview', () => {
  const fixture = useEmulator(() => galleryEstate());

  it('records gallery-direct-unsupported once with the fix, fails the registration, and does not post again', async () => {
    const app = galleryApp(fixture.emulator, 'direct');
    await syncLocally(app);
    await reconcile(app.deps);
    const problems = (await app.deps.ledger.listProblems()).filter((problem) => problem.kind === 'gallery-direct-unsupported');
    expect(problems).toHaveLength(1);
    expect(problems[0]!.detail).toContain('IMAGE_SYNC_GALLERY_SOURCES=copy');
    expect(await app.deps.ledger.get({ sourceImageResourceId: VERSION_ID, version: '1.4.0' })).toMatchObject({
      state: 'failed',
      errorCode: 'galleryDirectUnsupported',
    });
    expect(fixture.emulator.count('graph.deviceImages.create')).toBe(1);
    expect(fixture.emulator.deviceImages()).toEqual([]);
  });
});
