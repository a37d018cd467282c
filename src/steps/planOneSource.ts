// One source image, read from ARM a moment ago, planned alone exactly as the timer would plan it:
// the Event Grid handler's fast path, and a register job that found its source moved on.
import type { RegisterTrigger, SourceImage } from '../domain';
import type { SyncDeps } from '../ports';
import type { AppliedPlan } from './applyPlan';
import { planRegistrations } from './planRegistrations';
import { readTenantView } from './tenantView';

/** null when Graph refuses the device image list (a recorded problem: nothing can be planned). */
export async function planOneSource(deps: SyncDeps, image: SourceImage, trigger: RegisterTrigger): Promise<AppliedPlan | null> {
  const view = await readTenantView(deps, { readOnly: false });
  if (view === null) return null;
  const { applied } = await planRegistrations(deps, [image], view, trigger);
  return applied;
}
