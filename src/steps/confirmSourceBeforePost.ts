// The last step before a create (DESIGN §15): the source is read again (one ARM GET) and the job
// posts only the version it carries now. A source that moved on ends the registration `superseded`
// (nothing posted, no alert), gives its slot back and has its version now planned; the same version
// with new content, never posted, takes the new fingerprint and posts.
import type { LedgerRow, RegisterJob, SourceImage } from '../domain';
import type { SyncDeps } from '../ports';
import { judgeSourceNow } from '../rules/sourceNow';
import { type ImageIdentity, markSkipped } from './ledgerTransitions';
import { planOneSource } from './planOneSource';
import { releaseSlot } from './releaseSlot';
import { describeError, reportProblem } from './reportFailure';
import { PermanentError } from '../errors';

/** The row to post from and the source as read now. */
export interface ConfirmedSource {
  readonly row: LedgerRow;
  readonly image: SourceImage;
}

/** The row to post from (its fingerprint brought up to date), or null when nothing may be posted (the row is settled). */
export async function confirmSourceBeforePost(
  deps: SyncDeps,
  claimed: LedgerRow,
  identity: ImageIdentity,
  job: RegisterJob,
): Promise<LedgerRow | null> {
  return (await confirmSource(deps, claimed, identity, job))?.row ?? null;
}

/** confirmSourceBeforePost, with the source as it was read (a gallery version's copy is made from it). */
export async function confirmSource(
  deps: SyncDeps,
  claimed: LedgerRow,
  identity: ImageIdentity,
  job: RegisterJob,
): Promise<ConfirmedSource | null> {
  const image = await readSource(deps, claimed, job);
  if (image === undefined) return null;
  const judged = judgeSourceNow(job, image, deps.config.scope);
  if (judged.kind === 'post') {
    // judgeSourceNow posts only a source it read.
    if (image === null) return null;
    const fingerprint = judged.contentFingerprint;
    if (fingerprint === null || fingerprint === claimed.contentFingerprint) return { row: claimed, image };
    deps.log.info('SourceContentChanged', {
      sourceImageResourceId: job.sourceImageResourceId,
      version: job.version,
      plannedFrom: job.fingerprint ?? claimed.contentFingerprint,
      contentFingerprint: fingerprint,
    });
    return { row: await deps.ledger.update(claimed, { contentFingerprint: fingerprint }, deps.clock.now()), image };
  }
  const reason = judged.kind === 'superseded' ? 'superseded' : judged.reason;
  await markSkipped(deps.ledger, claimed, identity, { reason, fix: judged.fix }, deps.clock.now());
  deps.log.info('ImageSkipped', {
    sourceImageResourceId: job.sourceImageResourceId,
    version: job.version,
    reason,
    fix: judged.fix,
    ...(judged.kind === 'superseded' ? { versionNow: judged.versionNow } : {}),
  });
  await releaseSlot(deps, job);
  if (judged.kind === 'superseded' && image !== null) await planSourceNow(deps, image);
  return null;
}

/**
 * The source as ARM returns it now (null: gone); undefined when ARM refuses the read (401, 403): a
 * recorded problem, nothing posted, and the row waits as queued for the next reconcile. A transient
 * failure is thrown (the job comes back later).
 */
async function readSource(deps: SyncDeps, claimed: LedgerRow, job: RegisterJob): Promise<SourceImage | null | undefined> {
  try {
    return await deps.sourceImages.get(job.sourceImageResourceId);
  } catch (error) {
    if (!(error instanceof PermanentError)) throw error;
    await reportProblem(deps, {
      kind: 'image-unreadable',
      subject: job.sourceImageResourceId,
      detail: `the app reads the source image again before each create and posts nothing it cannot read: ${describeError(error)}; grant the app's identity Reader on the image's resource group`,
    });
    await deps.ledger.update(claimed, { state: 'queued' }, deps.clock.now());
    return undefined;
  }
}

/** Best effort: the next reconcile plans the source anyway. */
async function planSourceNow(deps: SyncDeps, image: SourceImage): Promise<void> {
  try {
    await planOneSource(deps, image, 'event');
  } catch (error) {
    deps.log.warn('SourcePlanDeferred', { sourceImageResourceId: image.id, detail: describeError(error) });
  }
}
