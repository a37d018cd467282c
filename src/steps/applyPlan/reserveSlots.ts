import type { SyncDeps } from '../../ports';
import { skipFix } from '../../rules/eligibility';
import type { PlanAction } from '../../rules/plan';
import { keyOf } from './actionRows';

/**
 * Reserves the tenant's slots for the registrations that need one; those refused (another
 * instance took the room since the plan was made) become tenant-image-limit skips.
 */
export async function reserveSlots(
  deps: SyncDeps,
  actions: readonly PlanAction[],
  inTenant: ReadonlySet<string>,
  imagesInTenant: number,
): Promise<PlanAction[]> {
  const wanted = actions.flatMap((action) => (action.kind === 'register' && action.needsSlot ? [keyOf(action)] : []));
  if (wanted.length === 0) return [...actions];
  const limit = deps.config.tenantImageLimit;
  const granted = await deps.slots.reserve(wanted, inTenant, limit, deps.clock.now(), imagesInTenant);
  return actions.map((action) => {
    if (action.kind !== 'register' || !action.needsSlot || granted.has(keyOf(action))) return action;
    const { job, sourceImage } = action;
    return {
      kind: 'skip',
      sourceImage,
      displayName: job.displayName,
      version: job.version,
      reason: 'tenant-image-limit',
      fix: skipFix('tenant-image-limit', sourceImage, { tenantImageLimit: limit }),
    };
  });
}
