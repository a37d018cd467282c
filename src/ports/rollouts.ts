// The rollouts the app made: one per provisioning policy, and the ring rollouts with their evidence.
import type { PolicyRollout, RingRollout } from '../domain';
import type { RegistrationRef } from './ledger';

/** A policy's last rollout as stored, with the ETag that guards its next change. */
export interface PolicyRolloutRow extends PolicyRollout {
  readonly etag: string;
}

/** The app's rollouts, one row per provisioning policy (ledger partition `rollout`). */
export interface PolicyRollouts {
  /** null when the app never rolled out to the policy. */
  get(policyId: string): Promise<PolicyRolloutRow | null>;
  /** Inserts (expected null) or replaces (expected: the row read); throws LedgerConflictError when another writer was first. */
  save(rollout: PolicyRollout, expected: PolicyRolloutRow | null): Promise<PolicyRolloutRow>;
  /** Every recorded rollout (read-only: a missing table is an empty list). */
  list(): Promise<PolicyRolloutRow[]>;
  /** Removes the row when it is still as read (a rollout Graph refused, to a policy the app never rolled out to before). */
  discard(row: PolicyRolloutRow): Promise<void>;
}

/** A registration's ring rollout as stored, with the ETag that guards its next change. */
export interface RingRolloutRow extends RingRollout {
  readonly etag: string;
}

/** Which ring of which rollout a policy was patched in: the Cloud PCs it had then are not evidence. */
export interface RingPolicyRef extends RegistrationRef {
  readonly ring: number;
  readonly policyId: string;
}

/** The ring rollouts (ledger partition `ring`) and the Cloud PC ids seen at each PATCH (partition `ringseen`). */
export interface RingRollouts {
  /** null when the registration never started a ring rollout. */
  get(ref: RegistrationRef): Promise<RingRolloutRow | null>;
  /** Every ring rollout (read-only: a missing table is an empty list). */
  list(): Promise<RingRolloutRow[]>;
  /** Inserts (expected null) or replaces (expected: the row read); throws LedgerConflictError when another writer was first. */
  save(rollout: RingRollout, expected: RingRolloutRow | null): Promise<RingRolloutRow>;
  /** Records the ids of the Cloud PCs a policy had right before its PATCH (replacing an earlier record of the same ring). */
  saveSeen(ref: RingPolicyRef, cloudPcIds: readonly string[]): Promise<void>;
  /** The ids recorded for the policy's PATCH in that ring (lower-cased); null when none was recorded. */
  seen(ref: RingPolicyRef): Promise<Set<string> | null>;
}
