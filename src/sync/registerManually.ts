// `image-sync register <id>`: an image-build pipeline hands over one image. The caller chose it, so
// the opt-in tag is not required, but every eligibility rule applies. A failed image is retried.
import { type DeviceImage, type ImageWarning, type SourceImage, registrationKey } from '../domain';
import { PermanentError } from '../errors';
import { recordRetryUpload } from './ledgerTransitions';
import { DISPLAY_NAME_TAG, type NamingOverrides, VERSION_TAG } from './naming';
import { type PlannedImage, deviceImageKey } from './plan';
import { planRegistrations } from './planRegistrations';
import type { RegistrationRef, SyncDeps } from './ports';
import { statusCheckFor } from './statusCheckMessage';
import { statusCheckDelaySeconds } from './statusCheckDelay';
import { readTenantView } from './tenantView';

export interface ManualRegistration extends PlannedImage {
  /** A failed upload was sent back to Windows 365 (retryUpload) rather than registered anew. */
  readonly retriedUpload: boolean;
  /** This version is registered already, but the source was rebuilt since (`version-unchanged`): nothing is posted. */
  readonly versionUnchanged: ImageWarning | null;
}

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
  await deps.queues.sendStatusCheck(statusCheckFor(row, deviceImage.id, { check, since: now.toISOString(), retryUploads: row.retryUploads + 1 }), delay);
  deps.log.info('DeviceImageUploadRetried', { sourceImageResourceId: row.sourceImageResourceId, deviceImageId: deviceImage.id, trigger: 'manual' });
}

/** The overrides become the tags they stand for (replacing any casing of them), so one rule set serves. */
function withOverrides(image: SourceImage, overrides: NamingOverrides): SourceImage {
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

export async function registerManually(deps: SyncDeps, sourceImageResourceId: string, overrides: NamingOverrides): Promise<ManualRegistration> {
  const image = await deps.sourceImages.get(sourceImageResourceId);
  if (image === null) {
    throw new PermanentError(`the image ${sourceImageResourceId} does not exist (or the app's identity cannot read it): check the id, or grant Reader on its resource group`, 404, 'ImageNotFound');
  }
  const view = await readTenantView(deps, { readOnly: false });
  if (view === null) throw new PermanentError('Microsoft Graph refused to list device images: grant the app CloudPC.ReadWrite.All (see `image-sync status` problems)', 403, 'GraphForbidden');
  const { plan: planned } = await planRegistrations(deps, [withOverrides(image, overrides)], view, 'manual', { kind: 'all' });
  const outcome = planned.images[0];
  if (outcome === undefined) throw new Error(`the plan returned nothing for ${sourceImageResourceId}`);
  const ref = { sourceImageResourceId: image.id, version: outcome.version };
  const key = registrationKey(image.id, outcome.version);
  const failedInTenant = view.deviceImages.find((deviceImage) => deviceImageKey(deviceImage) === key && deviceImage.status.toLowerCase() === 'failed');
  if (outcome.outcome === 'unchanged' && outcome.ledgerState === 'failed' && failedInTenant !== undefined) {
    await retryFailedUpload(deps, ref, failedInTenant);
    return { ...outcome, retriedUpload: true, versionUnchanged: null };
  }
  const row = outcome.outcome === 'unchanged' ? await deps.ledger.get(ref) : null;
  const versionUnchanged = row?.sourceWarnings.find((warning) => warning.code === 'version-unchanged') ?? null;
  return { ...outcome, retriedUpload: false, versionUnchanged };
}
