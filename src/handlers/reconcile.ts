// The timer's reconciliation: the guarantee behind the events. Lists every source image, the
// tenant's device images and policies, the ledger and the reserved slots; runs retention first
// (so a full tenant makes room before anything is planned), then plans and carries the plan out;
// then judges the ready images' currency (DESIGN §16) and records the slots in use for `report`.
import { NOTHING_APPLIED, type AppliedPlan } from '../steps/applyPlan';
import type { Plan } from '../rules/plan';
import { planFor, planRegistrations } from '../steps/planRegistrations';
import type { SyncDeps } from '../ports';
import { reportProblem } from '../steps/reportFailure';
import { type RetirementResult, afterRetention, retireVersions } from '../steps/retireVersions';
import { type RolloutResult, rollOut } from '../steps/rollOutPolicies';
import { readTenantView } from '../steps/tenantView';
import { type CurrencyResult, judgeImageCurrency } from '../steps/judgeImageCurrency';
import { recordSlotCount, slotsInUse } from '../steps/recordSlotCount';
import { sweepGalleryCopies } from '../steps/sweepGalleryCopies';

export interface ReconcileReport extends AppliedPlan {
  readonly plan: Plan;
  readonly listed: number;
  readonly unreadableSubscriptions: number;
  /** Failed transiently after the retries: listed again next reconcile. */
  readonly unavailableSubscriptions: number;
  /** What retention did this reconcile (IMAGE_SYNC_KEEP_VERSIONS, and unfinished retirements). */
  readonly retention: readonly RetirementResult[];
  /** The policies pointed at ready versions this reconcile (IMAGE_SYNC_ROLLOUT), and why others were not. */
  readonly rollouts: readonly RolloutResult[];
  /** Image currency (DESIGN §16): whether the catalogue was read, rows written, warnings alerted. */
  readonly currency: CurrencyResult;
}

export async function reconcile(deps: SyncDeps, options: { readonly staleAfterMs?: number } = {}): Promise<ReconcileReport> {
  // The lists do not depend on each other: read at once, a reconcile takes the longest of them.
  const [listing, first] = await Promise.all([deps.sourceImages.listAll(), readTenantView(deps, { readOnly: false })]);
  for (const { subscriptionId, detail } of listing.unreadable) {
    await reportProblem(deps, { kind: 'subscription-unreadable', subject: subscriptionId, detail });
  }
  for (const { subscriptionId, detail } of listing.unavailable) {
    deps.log.warn('SubscriptionUnavailable', { subscriptionId, detail });
  }
  let retention: readonly RetirementResult[] = [];
  let rollouts: readonly RolloutResult[] = [];
  let applied: AppliedPlan = NOTHING_APPLIED;
  let currency: CurrencyResult = { catalogueRead: false, judged: 0, alerted: 0 };
  let planned: Plan;
  if (first === null) {
    // Without Graph's list the plan cannot tell new images from registered ones: act on nothing.
    planned = planFor(
      deps,
      listing.images,
      { deviceImages: [], inTenant: new Set(), ledger: [], policies: null, reserved: new Set() },
      'reconcile',
      deps.config.scope,
      null,
    );
  } else {
    const run = await retireVersions(deps, first, { keep: deps.config.keepVersions, dryRun: false });
    retention = run.results;
    const view = await afterRetention(deps, first, run);
    ({ plan: planned, applied } = await planRegistrations(
      deps,
      listing.images,
      view,
      'reconcile',
      deps.config.scope,
      options.staleAfterMs,
    ));
    // The ledger as the plan left it: registrations adopted ready just now roll out too.
    const settled = await deps.ledger.list();
    if (deps.config.rollout) rollouts = await rollOut(deps, settled, view.policies);
    // As the rollout left them: a row it wrote is judged from its write (else the currency write loses its ETag).
    currency = await judgeImageCurrency(
      deps,
      settled.map((row) => deps.ledger.remembered(row) ?? row),
      view.deviceImages,
    );
    await recordSlotCount(deps, slotsInUse(view, applied.registered));
    // Last (copy mode only): the copies of settled registrations go.
    await sweepGalleryCopies(deps);
  }
  const report = {
    ...applied,
    plan: planned,
    listed: listing.images.length,
    unreadableSubscriptions: listing.unreadable.length,
    unavailableSubscriptions: listing.unavailable.length,
    retention,
    rollouts,
    currency,
  };
  deps.log.info('ReconcileDone', {
    listed: report.listed,
    inScope: planned.images.length,
    registered: applied.registered,
    adopted: applied.adopted,
    skipped: applied.skipped,
    resumed: applied.resumed,
    observed: applied.observed,
    retired: retention.filter((result) => result.outcome === 'retired').length,
    rolledOut: rollouts.filter((result) => result.outcome === 'rolled-out').length,
    catalogueRead: currency.catalogueRead,
    currencyAlerts: currency.alerted,
    unreadableSubscriptions: report.unreadableSubscriptions,
    unavailableSubscriptions: report.unavailableSubscriptions,
  });
  return report;
}
