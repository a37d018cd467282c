// The timer's reconciliation: the guarantee behind the events. Lists every source image, the
// tenant's device images (one paged list) and the ledger, plans, and carries the plan out.
import type { DeviceImage } from '../domain';
import { PermanentError } from '../errors';
import { type AppliedPlan, STALE_AFTER_MS, applyPlan } from './applyPlan';
import { type Plan, plan } from './plan';
import type { SyncDeps } from './ports';
import { describeError, reportProblem } from './reportFailure';

export interface ReconcileReport extends AppliedPlan {
  readonly plan: Plan;
  readonly listed: number;
  readonly unreadableSubscriptions: number;
  /** Failed transiently after the retries: listed again next reconcile. */
  readonly unavailableSubscriptions: number;
}

/** Graph's list, or null when the app is not allowed to read it (recorded as a problem). */
export async function listDeviceImagesOrReport(deps: SyncDeps): Promise<DeviceImage[] | null> {
  try {
    return await deps.deviceImages.list();
  } catch (error) {
    if (!(error instanceof PermanentError)) throw error;
    await reportProblem(deps, { kind: 'graph-forbidden', subject: 'graph', detail: describeError(error) });
    return null;
  }
}

export async function reconcile(deps: SyncDeps): Promise<ReconcileReport> {
  // The three lists do not depend on each other: read at once, a reconcile takes the longest of them.
  const [listing, deviceImages, ledger] = await Promise.all([deps.sourceImages.listAll(), listDeviceImagesOrReport(deps), deps.ledger.list()]);
  for (const { subscriptionId, detail } of listing.unreadable) {
    await reportProblem(deps, { kind: 'subscription-unreadable', subject: subscriptionId, detail });
  }
  for (const { subscriptionId, detail } of listing.unavailable) {
    deps.log.warn('SubscriptionUnavailable', { subscriptionId, detail });
  }
  const planned = plan({
    sourceImages: listing.images,
    deviceImages: deviceImages ?? [],
    ledger,
    scope: deps.config.scope,
    trigger: 'reconcile',
    now: deps.clock.now(),
    staleAfterMs: STALE_AFTER_MS,
  });
  // Without Graph's list the plan cannot tell new images from registered ones: act on nothing.
  const applied = deviceImages === null ? { registered: 0, adopted: 0, skipped: 0, resumed: 0, superseded: 0 } : await applyPlan(deps, planned, ledger);
  const report = {
    ...applied,
    plan: planned,
    listed: listing.images.length,
    unreadableSubscriptions: listing.unreadable.length,
    unavailableSubscriptions: listing.unavailable.length,
  };
  deps.log.info('ReconcileDone', { listed: report.listed, inScope: planned.images.length, registered: applied.registered, adopted: applied.adopted, skipped: applied.skipped, resumed: applied.resumed, unreadableSubscriptions: report.unreadableSubscriptions, unavailableSubscriptions: report.unavailableSubscriptions });
  return report;
}
