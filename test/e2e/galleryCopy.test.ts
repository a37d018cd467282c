// DESIGN §17 as an administrator runs it: `image-sync sync` (the compiled binary in a child process)
// with IMAGE_SYNC_GALLERY_SOURCES=copy registers a gallery version through a copy and removes the
// copy; `status --json` says sourceKind galleryImageVersion, as the contract allows.
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator';
import { commandSettings, runImageSync } from '../support/cliProcess';
import { contractErrors } from '../support/contract';
import { startTestEmulator } from '../support/emulator';
import { COPY, STAGING, SUB, VERSION_ID, galleryEstate } from '../integration/gallery/galleryTenant';

let emulator: Emulator | null = null;
afterEach(async () => {
  await emulator?.stop();
  emulator = null;
});

describe('image-sync sync with gallery sources copied', () => {
  it('registers the version through one copy, removes it, and status shows the source kind', async () => {
    emulator = await startTestEmulator(galleryEstate());
    const env = commandSettings(emulator, 'gallery', {
      IMAGE_SYNC_SUBSCRIPTION_IDS: SUB,
      IMAGE_SYNC_GALLERY_SOURCES: 'copy',
      IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP: STAGING,
    });
    const run = await runImageSync(['sync', '--json', '--timeout', '60'], env);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { images: { sourceImageResourceId: string; sourceKind: string; state: string }[] };
    expect(contractErrors('status', report)).toBeNull();
    expect(report.images).toEqual([
      expect.objectContaining({ sourceImageResourceId: VERSION_ID, sourceKind: 'galleryImageVersion', state: 'ready' }),
    ]);
    expect(emulator.createdCopiesOf(VERSION_ID)).toEqual({ disks: 1, images: 1 });
    expect(emulator.deviceImages().map((image) => image.sourceImageResourceId)).toEqual([COPY.imageId]);
    expect(emulator.disks()).toEqual([]);

    const status = await runImageSync(['status'], env);
    expect(status.stdout).toContain('gallery:galImages/win11-gold/1.4.0');
  });
});
