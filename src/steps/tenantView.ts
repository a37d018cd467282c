// What every planner reads besides the source images: the tenant's device images and provisioning
// policies (Graph), the ledger, and the slots reserved for creates in flight (storage), read at once.
import { type DeviceImage, type LedgerRow, type ProvisioningPolicy, type SourceImage, sourceImageKey } from '../domain';
import { remediationFor } from '../rules/remediation';
import { ForbiddenError, PermanentError, UNREADABLE_ANSWER, UnexpectedResponseError } from '../errors';
import { deviceImageKey } from '../rules/plan';
import type { SyncDeps } from '../ports';
import { describeError, reportProblem } from './reportFailure';

export interface TenantView {
  readonly deviceImages: readonly DeviceImage[];
  /** Registration keys of the tenant's device images. */
  readonly inTenant: ReadonlySet<string>;
  readonly ledger: readonly LedgerRow[];
  /** null when Graph could not list them: retention deletes nothing then, and rows keep the policies they had. */
  readonly policies: readonly ProvisioningPolicy[] | null;
  readonly reserved: ReadonlySet<string>;
}

/** Graph's list, or null when it cannot be had for a reason that will not pass by itself (recorded as a problem). */
export async function listDeviceImagesOrReport(deps: SyncDeps): Promise<DeviceImage[] | null> {
  try {
    return await deps.deviceImages.list();
  } catch (error) {
    if (!(error instanceof PermanentError)) throw error;
    // An answer that is not a device image list is not a permission problem; the next reconcile reads again.
    const kind =
      error instanceof UnexpectedResponseError ? 'graph-unreadable' : error instanceof ForbiddenError ? 'graph-forbidden' : 'graph-refused';
    const detail = kind === 'graph-unreadable' ? `${describeError(error)}. ${remediationFor(UNREADABLE_ANSWER)}` : describeError(error);
    await reportProblem(deps, { kind, subject: 'graph', detail });
    return null;
  }
}

/** Best effort: a failure costs only what policies would tell (logged, never a reason to stop). */
async function listPolicies(deps: SyncDeps): Promise<ProvisioningPolicy[] | null> {
  try {
    return await deps.deviceImages.listProvisioningPolicies();
  } catch (error) {
    deps.log.warn('ProvisioningPoliciesUnreadable', { detail: describeError(error) });
    return null;
  }
}

/**
 * Best effort, like policies: without the list every source counts as visible (the upload's own error
 * still tells). Only the keys of `among` are kept (the planner asks about no other source), not the
 * estate's every image Windows 365 can read.
 */
export async function listVisibleSources(deps: SyncDeps, among: readonly SourceImage[]): Promise<Set<string> | null> {
  const asked = new Set(among.map((image) => sourceImageKey(image.id)));
  try {
    const ids = await deps.deviceImages.listSourceImageIds((id) => asked.has(sourceImageKey(id)));
    return new Set(ids.map(sourceImageKey));
  } catch (error) {
    deps.log.warn('SourceImagesUnreadable', { detail: describeError(error) });
    return null;
  }
}

/**
 * Reads the tenant and the ledger; null when Graph refuses the device image list (a recorded
 * problem: nothing can be planned). `readOnly` (plan, prune --dry-run) writes nothing: the previous
 * release's ledger rows are read as they are, and a refused Graph list is thrown, not recorded.
 */
export async function readTenantView(deps: SyncDeps, options: { readonly readOnly: boolean }): Promise<TenantView | null> {
  const [deviceImages, listed, policies, reserved] = await Promise.all([
    options.readOnly ? deps.deviceImages.list() : listDeviceImagesOrReport(deps),
    deps.ledger.list(),
    listPolicies(deps),
    deps.slots.reserved(deps.clock.now()),
  ]);
  if (deviceImages === null) return null;
  const ledger = !options.readOnly && listed.some((row) => row.legacy === true) ? await deps.ledger.carryOver(listed) : listed;
  return { deviceImages, inTenant: new Set(deviceImages.map(deviceImageKey)), ledger, policies, reserved };
}
