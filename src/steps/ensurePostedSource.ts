// The source a create posts (DESIGN §17). A managed image, or a gallery version in `direct` mode, is
// posted as it is. In `copy` mode the gallery version's managed-image copy is made first (minutes in
// Azure): the row records copyId before the copy starts, which gives the claim the longer lease of
// COPY_LEASE_MS (src/rules/times.ts), and again once the copy is made, ETag-guarded, so a worker that took the row over
// meanwhile makes this one stop before its POST. A staging group that is missing or that the
// identity may not write is one recorded problem; nothing is left in the group and the row waits,
// queued, for the next reconcile.
import type { LedgerRow, RegisterJob } from '../domain';
import { type ImageIdentity } from './ledgerTransitions';
import { sourceKindOf } from '../domain';
import { ForbiddenError, PermanentError, TransientError } from '../errors';
import { remediationFor } from '../rules/remediation';
import type { SyncDeps } from '../ports';
import { postedSourceId } from '../rules/postedSource';
import type { ConfirmedSource } from './confirmSourceBeforePost';
import { describeError, failImage, reportProblem } from './reportFailure';

export interface PostedSource {
  readonly row: LedgerRow;
  /** sourceImageResourceId of the POST: the copy's id in `copy` mode, else the source's own. */
  readonly postedId: string;
}

/** Whether the gallery version of this registration is posted through a copy. */
export function copiesGallery(deps: Pick<SyncDeps, 'config' | 'galleryCopies'>, sourceImageResourceId: string): boolean {
  return (
    deps.galleryCopies !== null && deps.config.gallery.mode === 'copy' && sourceKindOf(sourceImageResourceId) === 'galleryImageVersion'
  );
}

/** Removes a version's copy (image, then disk); best effort: the reconcile's sweep removes what is left. */
export async function removeCopy(deps: Pick<SyncDeps, 'config' | 'galleryCopies' | 'log'>, sourceImageResourceId: string): Promise<void> {
  if (!copiesGallery(deps, sourceImageResourceId)) return;
  try {
    await deps.galleryCopies!.remove(sourceImageResourceId);
    deps.log.info('GalleryCopyRemoved', { sourceImageResourceId });
  } catch (error) {
    deps.log.warn('GalleryCopyNotRemoved', { sourceImageResourceId, detail: describeError(error) });
  }
}

/** The row and id to post; null when nothing may be posted now (a recorded problem, the row queued again). */
export async function ensurePostedSource(deps: SyncDeps, confirmed: ConfirmedSource, job: RegisterJob): Promise<PostedSource | null> {
  const source = job.sourceImageResourceId;
  if (!copiesGallery(deps, source)) return { row: confirmed.row, postedId: source };
  const planned = postedSourceId(source, deps.config.gallery);
  const marked = await deps.ledger.update(confirmed.row, { copyId: planned }, deps.clock.now());
  const started = deps.clock.now().getTime();
  let copyId: string;
  try {
    copyId = await deps.galleryCopies!.ensureCopy(confirmed.image);
  } catch (error) {
    if (!(error instanceof PermanentError)) throw error;
    if (error.status === 404 && error.code !== 'ResourceGroupNotFound') {
      // The version is gone (deleted while the copy was being made): the next delivery reads it
      // again first and ends the registration superseded, its copy removed.
      throw new TransientError({
        message: `${describeError(error)}; the gallery version is read again before the copy is retried`,
        cause: error,
      });
    }
    await refuseCopy(deps, marked, job, error);
    return null;
  }
  deps.log.info('GalleryCopyReady', { sourceImageResourceId: source, copyId, ms: deps.clock.now().getTime() - started });
  return { row: await deps.ledger.update(marked, { copyId }, deps.clock.now()), postedId: copyId };
}

async function refuseCopy(deps: SyncDeps, marked: LedgerRow, job: RegisterJob, error: PermanentError): Promise<void> {
  const staging = deps.config.gallery.stagingResourceGroup?.id ?? 'IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP';
  const unwritable = error instanceof ForbiddenError || error.code === 'ResourceGroupNotFound';
  await removeCopy(deps, job.sourceImageResourceId);
  if (unwritable) {
    await reportProblem(deps, {
      kind: 'gallery-staging-unwritable',
      subject: staging,
      detail: `${describeError(error)}. ${remediationFor('gallery-staging-unwritable')}`,
    });
  } else {
    await reportProblem(deps, {
      kind: 'gallery-copy-failed',
      subject: job.sourceImageResourceId,
      detail: `${describeError(error)}. ${remediationFor('gallery-copy-failed')}`,
    });
  }
  // Nothing was posted and nothing is left: the next reconcile drives the version again.
  await deps.ledger.update(marked, { state: 'queued', copyId: null }, deps.clock.now());
}

/**
 * `direct` mode in a tenant without the preview: one problem with the fix, and the registration ends
 * failed (galleryDirectUnsupported), so it is not posted again until someone runs image-sync register.
 */
export async function refuseDirect(deps: SyncDeps, claimed: LedgerRow, identity: ImageIdentity, error: PermanentError): Promise<void> {
  await reportProblem(deps, {
    kind: 'gallery-direct-unsupported',
    subject: 'graph',
    detail: `Graph refused a gallery image version as the source: ${describeError(error)}. ${remediationFor('gallery-direct-unsupported')}`,
  });
  await failImage(deps, claimed, identity, {
    errorCode: 'galleryDirectUnsupported',
    reason: `Graph refused the gallery image version as the source: ${describeError(error)}. ${remediationFor('galleryDirectUnsupported')}`,
  });
}
