// A create Graph refused because the tenant is full (DESIGN §13): a tenant-image-limit skip, alerted
// once, its slot given back; the next reconcile registers it once there is room.
import type { LedgerRow, RegisterJob } from '../domain';
import type { SyncDeps } from '../ports';
import { tenantImageLimitFix } from '../rules/eligibility';
import { type ImageIdentity, markAlerted, markSkipped } from './ledgerTransitions';
import { releaseSlot } from './releaseSlot';

/** The tenant was full after all (images made outside the app since the plan): skipped, alerted once. */
export async function skipForTenantLimit(deps: SyncDeps, claimed: LedgerRow, identity: ImageIdentity, job: RegisterJob): Promise<void> {
  const fix = `Graph refused the create: ${tenantImageLimitFix(deps.config.tenantImageLimit, null)}`;
  const skipped = await markSkipped(deps.ledger, claimed, identity, { reason: 'tenant-image-limit', fix }, deps.clock.now());
  deps.log.warn('ImageSkipped', {
    sourceImageResourceId: job.sourceImageResourceId,
    version: job.version,
    reason: 'tenant-image-limit',
    fix,
  });
  await deps.alerts.raise({
    sourceImageResourceId: job.sourceImageResourceId,
    displayName: job.displayName,
    version: job.version,
    errorCode: 'tenant-image-limit',
    detail: fix,
  });
  await markAlerted(deps.ledger, skipped, deps.clock.now());
  await releaseSlot(deps, job);
}
