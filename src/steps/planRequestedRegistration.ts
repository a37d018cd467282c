// The function app's half of `image-sync register` (DESIGN §14): the pipeline that asked holds only
// enqueue rights, so its request reaches the register queue unplanned (`requested: true`). Here it
// is planned against the tenant like any other source (limit, visibility, name and version taken,
// version-unchanged); an eligible registration is queued as a planned job, and a failed upload the
// administrator asks for again is retried in place with retryUpload.
import { type DeviceImage, type RegisterJob, type SourceImage, registrationKey } from '../domain';
import { remediationFor } from '../rules/remediation';
import { recordRetryUpload } from './ledgerTransitions';
import { DISPLAY_NAME_TAG, type NamingOverrides, VERSION_TAG } from '../rules/naming';
import { type Plan, type PlannedImage, deviceImageKey } from '../rules/plan';
import { planWithPreflight } from './planRegistrations';
import { applyPlan } from './applyPlan';
import type { RegistrationRef, SyncDeps } from '../ports';
import { reportProblem } from './reportFailure';
import { statusCheckFor } from '../rules/statusCheckMessage';
import { statusCheckDelaySeconds } from '../rules/statusCheckDelay';
import { readTenantView } from './tenantView';

/**
 * The administrator asks again for an image whose upload failed: after they fixed the cause (the
 * Windows 365 Reader grant, say) the failed device image is retried in place with retryUpload.
 */
async function retryFailedUpload(deps: SyncDeps, ref: RegistrationRef, deviceImage: DeviceImage): Promise<void> {
  const row = await deps.ledger.get(ref);
  if (row === null) return;
  await deps.deviceImages.retryUpload(deviceImage.id);
  const now = deps.clock.now();
  const delay = statusCheckDelaySeconds(deps.config, 0);
  const check = row.statusChecks + 1;
  await recordRetryUpload(deps.ledger, { ...row, deviceImageId: deviceImage.id }, check, new Date(now.getTime() + delay * 1000), now);
  await deps.queues.sendStatusCheck(
    statusCheckFor(row, deviceImage.id, { check, since: now.toISOString(), retryUploads: row.retryUploads + 1 }),
    delay,
  );
  deps.log.info('DeviceImageUploadRetried', {
    sourceImageResourceId: row.sourceImageResourceId,
    deviceImageId: deviceImage.id,
    trigger: 'manual',
  });
}

/** The overrides become the tags they stand for (replacing any casing of them), so one rule set serves. */
export function withOverrides(image: SourceImage, overrides: NamingOverrides): SourceImage {
  const tags: Record<string, string> = { ...image.tags };
  const set = (name: string, value: string | undefined) => {
    if (value === undefined) return;
    for (const key of Object.keys(tags)) if (key.toLowerCase() === name) delete tags[key];
    tags[name] = value;
  };
  set(DISPLAY_NAME_TAG, overrides.displayName);
  set(VERSION_TAG, overrides.version);
  return { ...image, tags };
}

/** The plan's register jobs carry whether their version is the caller's, so the read before the POST judges it rightly. */
function withVersionFromCaller(planned: Plan, versionFromCaller: boolean): Plan {
  return {
    ...planned,
    actions: planned.actions.map((action) =>
      action.kind === 'register' ? { ...action, job: { ...action.job, versionFromCaller } } : action,
    ),
  };
}

export type RequestOutcome =
  PlannedImage | { readonly outcome: 'upload-retried' } | { readonly outcome: 'not-planned'; readonly why: string };

/** Plans one requested registration; what became of it is in the ledger (and the log line it returns the outcome for). */
export async function planRequestedRegistration(deps: SyncDeps, job: RegisterJob): Promise<RequestOutcome> {
  const subject = `${job.sourceImageResourceId} ${job.version}`;
  const image = await deps.sourceImages.get(job.sourceImageResourceId);
  if (image === null) {
    const why = `image-sync register asked for ${subject}, but the image does not exist or the app's identity cannot read it: check the id, grant the app Reader on its resource group, then run image-sync register again`;
    await reportProblem(deps, { kind: 'image-unreadable', subject: job.sourceImageResourceId, detail: why });
    return { outcome: 'not-planned', why };
  }
  const view = await readTenantView(deps, { readOnly: false });
  if (view === null) {
    // readTenantView recorded graph-forbidden; this says which request waits on it.
    const why = `image-sync register asked for ${subject}, but Microsoft Graph refused to list device images: ${remediationFor('graph-forbidden')}; then run image-sync register again (or let the next reconcile take a tagged image)`;
    await reportProblem(deps, { kind: 'register-request-unplanned', subject: job.sourceImageResourceId, detail: why });
    return { outcome: 'not-planned', why };
  }
  // A version the caller gave stands for the tags; one read from them is read again now (DESIGN §15).
  const versionFromCaller = job.versionFromCaller !== false;
  const overrides = { displayName: job.displayName, ...(versionFromCaller ? { version: job.version } : {}) };
  const planned = await planWithPreflight(deps, [withOverrides(image, overrides)], view, 'manual', { kind: 'all' });
  await applyPlan(deps, withVersionFromCaller(planned, versionFromCaller), view.ledger, view.inTenant, view.deviceImages.length);
  const outcome = planned.images[0];
  if (outcome === undefined) throw new Error(`the plan returned nothing for ${subject}`);
  const key = registrationKey(image.id, outcome.version);
  const failedInTenant = view.deviceImages.find((deviceImage) => deviceImageKey(deviceImage) === key && deviceImage.status === 'failed');
  if (outcome.outcome === 'unchanged' && outcome.ledgerState === 'failed' && failedInTenant !== undefined) {
    await retryFailedUpload(deps, { sourceImageResourceId: image.id, version: outcome.version }, failedInTenant);
    return { outcome: 'upload-retried' };
  }
  return outcome;
}
