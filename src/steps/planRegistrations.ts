// Plan, then apply: the one path the reconcile, an Image write event and a manual register take.
// getSourceImages is read only when the plan has a first create to make (DESIGN §13 preflight).
import type { RegisterTrigger, SourceImage } from '../domain';
import type { ImageScope } from '../config';
import { type AppliedPlan, applyPlan } from './applyPlan';
import { STALE_AFTER_MS } from '../rules/times';
import { type Plan, type PlanInput, deviceImageKey, plan } from '../rules/plan';
import { asRegistrations, postedToSource } from '../rules/postedSource';
import { isInScope } from '../rules/scope';
import { describeError } from './reportFailure';
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
  galleryCopy?: GalleryCopyView,
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
    ...(galleryCopy === undefined ? {} : { galleryCopy }),
  });
}

export type GalleryCopyView = NonNullable<PlanInput['galleryCopy']>;

/**
 * IMAGE_SYNC_GALLERY_SOURCES=copy (DESIGN §17): the staging group's region, read once, and only when
 * a gallery version is in scope; undefined in the other modes. A failed read is logged and leaves the
 * region unknown (the copy itself then says what is wrong).
 */
export async function galleryCopyView(
  deps: SyncDeps,
  sourceImages: readonly SourceImage[],
  scope: ImageScope,
): Promise<GalleryCopyView | undefined> {
  const staging = deps.config.gallery.stagingResourceGroup;
  if (deps.config.gallery.mode !== 'copy' || staging === null || deps.galleryCopies === null) return undefined;
  if (!sourceImages.some((image) => image.gallery !== undefined && isInScope(image, scope)))
    return { stagingResourceGroup: staging.id, stagingRegion: null };
  try {
    return { stagingResourceGroup: staging.id, stagingRegion: await deps.galleryCopies.stagingRegion() };
  } catch (error) {
    deps.log.warn('StagingRegionUnreadable', { stagingResourceGroup: staging.id, detail: describeError(error) });
    return { stagingResourceGroup: staging.id, stagingRegion: null };
  }
}

/** The view with device images Graph lists by a gallery copy's id read as their gallery version's registrations. */
export function withCopiesTranslated(deps: SyncDeps, sourceImages: readonly SourceImage[], view: TenantView): TenantView {
  const map = postedToSource(sourceImages, view.ledger, deps.config.gallery);
  if (map.size === 0) return view;
  const deviceImages = asRegistrations(view.deviceImages, map);
  return { ...view, deviceImages, inTenant: new Set(deviceImages.map(deviceImageKey)) };
}

/**
 * Whether a plan posts a registration that was never posted before (the preflight's moment); in
 * copy mode a gallery version's does not count (its copy does not exist yet, DESIGN §17).
 */
function hasFirstCreate(planned: Plan, copying: boolean): boolean {
  return planned.actions.some(
    (action) => action.kind === 'register' && action.firstCreate && !(copying && action.sourceImage.gallery !== undefined),
  );
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
  const galleryCopy = await galleryCopyView(deps, sourceImages, scope);
  const translated = withCopiesTranslated(deps, sourceImages, view);
  const planned = planFor(deps, sourceImages, translated, trigger, scope, null, staleAfterMs, galleryCopy);
  if (!hasFirstCreate(planned, galleryCopy !== undefined)) return planned;
  const visible = await listVisibleSources(deps, sourceImages);
  return visible === null ? planned : planFor(deps, sourceImages, translated, trigger, scope, visible, staleAfterMs, galleryCopy);
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
  const translated = withCopiesTranslated(deps, sourceImages, view);
  return { plan: planned, applied: await applyPlan(deps, planned, translated.ledger, translated.inTenant, translated.deviceImages.length) };
}
