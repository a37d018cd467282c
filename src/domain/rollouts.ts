// Rollouts: the app pointing provisioning policies at new versions, per policy and in rings (DESIGN §15, §18).

/**
 * One target of a registration's rollout. `rolled-out`: the app pointed the policy at this version;
 * `already-used`: the policy used it already; `superseded`: a newer version of the source was ready
 * first; `rolled-back`: the policy was rolled back from this version (`image-sync rollback`), so the
 * app never points it here again. The others are problems with a fix, looked at again by every reconcile.
 */
export const ROLLOUT_OUTCOMES = [
  'rolled-out',
  'already-used',
  'superseded',
  'rolled-back',
  'no-such-policy',
  'gallery-image',
  'refused',
] as const;
export type RolloutOutcomeCode = (typeof ROLLOUT_OUTCOMES)[number];

export interface RolloutOutcome {
  /** The tag's entry, as written (a policy display name or id). */
  readonly target: string;
  /** The policy it named, when one did: an outcome with a policy is the policy's, whatever the tag calls it now. */
  readonly policyId: string | null;
  readonly outcome: RolloutOutcomeCode;
  readonly at: string;
}

/**
 * The app's last rollout to one provisioning policy (ledger partition `rollout`, one row per policy):
 * the image it pointed the policy at and the one the policy used before, for `image-sync rollback`.
 * `pointing` is written before the PATCH, so a rollout whose answer was lost is finished, not redone;
 * `rolling-back` is written before a rollback's PATCH (so a rollback is never lost: the app already
 * treats the policy as rolled back from `deviceImageId`, and retention keeps `previousImageId`), and
 * `rolled-back` after it.
 */
export interface PolicyRollout {
  readonly policyId: string;
  readonly policyDisplayName: string;
  readonly state: 'pointing' | 'rolled-out' | 'rolling-back' | 'rolled-back';
  readonly deviceImageId: string;
  readonly deviceImageDisplayName: string | null;
  readonly sourceImageResourceId: string;
  readonly version: string;
  readonly previousImageId: string | null;
  readonly previousImageDisplayName: string | null;
  readonly previousImageType: string | null;
  /**
   * Device images the policy was rolled back from before this rollout (`rolled-back` rows of earlier
   * versions), so a rollback outlives the rollout of a newer version: the app never points the
   * policy at any of them again (DESIGN §15).
   */
  readonly rolledBackFrom: readonly string[];
  readonly updatedAt: string;
}

/**
 * A rollout's life (DESIGN §18): `soaking` while its current ring is patched and watched; `complete`
 * when its last ring's soak ended without a halt; `halted` when a gate failed (the ring was rolled
 * back); `rolled-back` when an administrator's `rollback` stopped it; `superseded` when a newer
 * version of the same display name started its own rollout.
 */
export const RING_ROLLOUT_STATES = ['soaking', 'complete', 'halted', 'rolled-back', 'superseded'] as const;
export type RingRolloutState = (typeof RING_ROLLOUT_STATES)[number];

/** A Cloud PC that failed to provision on the new version, as the gate saw it. */
export interface FailedCloudPc {
  readonly id: string;
  readonly displayName: string | null;
  readonly statusDetail: string | null;
}

/** One registration's ring rollout (ledger partition `ring`, one row per registration). */
export interface RingRollout {
  readonly sourceImageResourceId: string;
  readonly displayName: string;
  readonly version: string;
  readonly deviceImageId: string;
  /** The tag's targets (policy names or ids) per ring, as they were when the rollout started. */
  readonly rings: readonly (readonly string[])[];
  /** The current ring, 1-based. */
  readonly ring: number;
  readonly state: RingRolloutState;
  /** When the current ring's PATCHes began. */
  readonly ringStartedAt: string;
  /** When every policy of the current ring used the version: its soak started. null while it is being patched. */
  readonly since: string | null;
  /** The current ring's policies (ids), as resolved when its PATCHes were done. */
  readonly policyIds: readonly string[];
  /** The current ring's evidence at the gate's last read: new Cloud PCs provisioned and failed. */
  readonly provisioned: number;
  readonly failed: number;
  /** The failed Cloud PCs (the first few), named in the halt's alert. */
  readonly failures: readonly FailedCloudPc[];
  /** When the rollout stopped being `soaking`; null while it soaks. */
  readonly endedAt: string | null;
  readonly updatedAt: string;
}
