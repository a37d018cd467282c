// The reconcile's sweep of the staging group (IMAGE_SYNC_GALLERY_SOURCES=copy, DESIGN §17): a copy
// whose registration is settled goes, whatever removed it or failed to before (a crash between the
// ready and the removal, a retirement, a failure). Never one a queued, creating or pending row needs.
import type { SyncDeps } from '../ports';
import { copiesToRemove } from '../rules/galleryCopySweep';
import { describeError } from './reportFailure';

/** How many versions' copies were removed; best effort (the next reconcile sweeps again). */
export async function sweepGalleryCopies(deps: SyncDeps): Promise<number> {
  if (deps.galleryCopies === null || deps.config.gallery.mode !== 'copy') return 0;
  let removed = 0;
  try {
    // The ledger as the reconcile left it: a registration driven again just now keeps its copy.
    const ledger = await deps.ledger.list();
    const copies = await deps.galleryCopies.list();
    for (const galleryVersionId of copiesToRemove(copies, ledger)) {
      await deps.galleryCopies.remove(galleryVersionId);
      deps.log.info('GalleryCopyRemoved', { sourceImageResourceId: galleryVersionId, by: 'sweep' });
      removed += 1;
    }
  } catch (error) {
    deps.log.warn('GalleryCopySweepDeferred', { detail: describeError(error) });
  }
  return removed;
}
