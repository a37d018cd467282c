// Plan, then apply: the one path the reconcile, an Image write event and a manual register take.
// getSourceImages is read only when the plan has a first create to make (DESIGN §13 preflight).
import type { RegisterTrigger, SourceImage } from '../domain';
import type { ImageScope } from '../config';
import { type AppliedPlan, STALE_AFTER_MS, applyPlan } from './applyPlan';
import { type Plan, plan } from '../rules/plan';
import type { SyncDeps } from '../ports';
import { type TenantView, listVisibleSources } from './tenantView';

export interface PlannedRegistrations {
  readonly plan: Plan;
  readonly applied: AppliedPlan;
}

export function planFor(
  deps: SyncDeps,
  sourceImages: readonly SourceImage[],
  view: TenantView,
  trigger: RegisterTrigger,
  scope: ImageScope,
  visibleToWindows365: ReadonlySet<string> | null,
  staleAfterMs = STALE_AFTER_MS,
): Plan {
  return plan({
    sourceImages,
    deviceImages: view.deviceImages,
    ledger: view.ledger,
    scope,
    trigger,
    now: deps.clock.now(),
    staleAfterMs,
    capacity: { limit: deps.config.tenantImageLimit, reserved: view.reserved },
    visibleToWindows365,
    policies: view.policies,
    expiryWarningDays: deps.config.expiryWarningDays,
  });
}

/** Whether a plan posts a registration that was never posted before (the preflight's moment). */
function hasFirstCreate(planned: Plan): boolean {
  return planned.actions.some((action) => action.kind === 'register' && action.firstCreate);
}

/** The plan, made again with getSourceImages' answer when it has a first create to make (read-only). */
export async function planWithPreflight(
  deps: SyncDeps,
  sourceImages: readonly SourceImage[],
  view: TenantView,
  trigger: RegisterTrigger,
  scope: ImageScope,
  staleAfterMs = STALE_AFTER_MS,
): Promise<Plan> {
  const planned = planFor(deps, sourceImages, view, trigger, scope, null, staleAfterMs);
  if (!hasFirstCreate(planned)) return planned;
  const visible = await listVisibleSources(deps);
  return visible === null ? planned : planFor(deps, sourceImages, view, trigger, scope, visible, staleAfterMs);
}

export async function planRegistrations(
  deps: SyncDeps,
  sourceImages: readonly SourceImage[],
  view: TenantView,
  trigger: RegisterTrigger,
  scope: ImageScope = deps.config.scope,
  staleAfterMs = STALE_AFTER_MS,
): Promise<PlannedRegistrations> {
  const planned = await planWithPreflight(deps, sourceImages, view, trigger, scope, staleAfterMs);
  return { plan: planned, applied: await applyPlan(deps, planned, view.ledger, view.inTenant, view.deviceImages.length) };
}
