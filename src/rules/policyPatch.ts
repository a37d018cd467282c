// What the app may do to a provisioning policy right before a rollout's PATCH (DESIGN §15), from the
// evidence read at that moment: the policy as Graph returns it now (not the reconcile's listing,
// which may be minutes old: a person may have moved it since), and the policy's rollout row. Pure.
import type { PolicyRollout, ProvisioningPolicy } from '../domain';
import { isLeaseHeld } from './times';

export type PatchDecision =
  /** Send the PATCH; what the policy uses now is what a rollback restores. */
  | { readonly kind: 'patch'; readonly previous: ProvisioningPolicy }
  /** The policy uses the version now: nothing to send (a PATCH of ours may have landed). */
  | { readonly kind: 'in-use'; readonly policy: ProvisioningPolicy }
  /** Nothing to send, ever or until the policy or the tag is fixed. */
  | { readonly kind: 'skip'; readonly outcome: 'no-such-policy' | 'gallery-image' };

function same(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && a.toLowerCase() === b.toLowerCase();
}

export function isCustomImagePolicy(policy: ProvisioningPolicy): boolean {
  return policy.imageType !== null && policy.imageType.toLowerCase() === 'custom';
}

type RollbackRecord = Pick<PolicyRollout, 'state' | 'deviceImageId' | 'rolledBackFrom'>;

/**
 * The device images the policy was rolled back from (lower-cased): the row's own image when the row
 * is `rolled-back` (or `rolling-back`: the rollback's PATCH may be on its way), and those of earlier
 * rows carried on. The app never points the policy at one again.
 */
export function rolledBackFrom(record: RollbackRecord | null): string[] {
  if (record === null) return [];
  const ids = record.rolledBackFrom.map((id) => id.toLowerCase());
  if (record.state === 'rolling-back' || record.state === 'rolled-back') ids.push(record.deviceImageId.toLowerCase());
  return [...new Set(ids)];
}

export function wasRolledBackFrom(record: RollbackRecord | null, deviceImageId: string): boolean {
  return rolledBackFrom(record).includes(deviceImageId.toLowerCase());
}

/**
 * Another worker is changing the policy now (a rollout's `pointing`, a rollback's `rolling-back`)
 * and its lease is not up: a PATCH now could cross its PATCH, and the image read as "previous" could
 * be the one it is moving the policy off.
 */
export function isBeingChanged(record: Pick<PolicyRollout, 'state' | 'updatedAt'> | null, now: Date, leaseMs: number): boolean {
  if (record === null || (record.state !== 'pointing' && record.state !== 'rolling-back')) return false;
  return isLeaseHeld(record.updatedAt, now, leaseMs);
}

/** `fresh`: the policy as read right before the PATCH; null when Graph no longer has it (404). */
export function decidePatch(deviceImageId: string, fresh: ProvisioningPolicy | null): PatchDecision {
  if (fresh === null) return { kind: 'skip', outcome: 'no-such-policy' };
  if (!isCustomImagePolicy(fresh)) return { kind: 'skip', outcome: 'gallery-image' };
  if (same(fresh.imageId, deviceImageId)) return { kind: 'in-use', policy: fresh };
  return { kind: 'patch', previous: fresh };
}
