// The tenant's custom-image slots in use as a reconcile leaves them (DESIGN §16), recorded for
// `image-sync report`, which reads the ledger alone. Best effort: a failed write is logged.
import { deviceImageKey } from '../rules/plan';
import { occupancyOf } from '../rules/occupancy';
import { slotName } from '../rules/slotName';
import type { SyncDeps } from '../ports';
import type { TenantView } from './tenantView';
import { describeError } from './reportFailure';

/** Every device image Graph listed and the creates in flight (counted as the planner counts them), plus the creates this reconcile queued. */
export function slotsInUse(view: Pick<TenantView, 'deviceImages' | 'reserved'>, queuedNow: number): number {
  const tenantSlots = new Set(view.deviceImages.map((image) => slotName(deviceImageKey(image))));
  return occupancyOf(view.deviceImages.length, tenantSlots, view.reserved).inUse + queuedNow;
}

export async function recordSlotCount(deps: SyncDeps, inUse: number): Promise<void> {
  try {
    await deps.slotCounts.record({
      inUse,
      limit: deps.config.tenantImageLimit,
      keepVersions: deps.config.keepVersions,
      at: deps.clock.now().toISOString(),
    });
  } catch (error) {
    deps.log.warn('SlotCountUnrecorded', { detail: describeError(error) });
  }
}
