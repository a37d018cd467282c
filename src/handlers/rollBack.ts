// `image-sync rollback <policy>` (DESIGN §5, §13, §18): finds the policy the caller named and points
// it back at the image it used before the app's last rollout to it (src/steps/restorePolicy.ts, which
// says when it refuses and why the rollback is durable). A ring rollout the policy was part of stops
// there (`rolled-back`): later rings never get the version; the ring's other policies keep it.
import type { ProvisioningPolicy } from '../domain';
import { policiesNamed } from '../rules/planRollout';
import type { SyncDeps } from '../ports';
import { type RollbackResult, refused, restorePolicy } from '../steps/restorePolicy';
import { stopRingRollout } from '../steps/ringRollbacks';

export type { RollbackResult } from '../steps/restorePolicy';

export async function rollBack(deps: SyncDeps, target: string): Promise<RollbackResult> {
  const matches = policiesNamed(await deps.deviceImages.listProvisioningPolicies(), target.trim());
  if (matches.length === 0)
    return refused(
      target,
      null,
      `no provisioning policy is named "${target}" or has that id: check the name in the Intune admin center (Windows 365 > Provisioning policies)`,
    );
  if (matches.length > 1)
    return refused(
      target,
      null,
      `${matches.length} provisioning policies are named "${target}": give the id of the one to roll back (${matches.map((policy) => policy.id).join(', ')})`,
    );
  const [policy] = matches as [ProvisioningPolicy];
  const result = await restorePolicy(deps, policy);
  if (result.outcome !== 'refused') await stopRingRollout(deps, policy.id);
  return result;
}
