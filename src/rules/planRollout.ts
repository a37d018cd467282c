// Rollout (DESIGN §13): which provisioning policies to point at which ready version. Pure.
//
// A source's `cloudpc-provisioning-policies` tag names policies (display names or ids, `;`-separated,
// case-insensitive); the planner copies it into the registration's row. Once the version is ready,
// each named policy that gives new Cloud PCs a custom image is pointed at it, once: an outcome on
// the row says so, keyed by the policy's id (not the tag's wording: renaming the policy, or naming it
// by its id, changes nothing), and the step is never planned again (not even after a rollback). Only
// the newest ready version of a source rolls out; an older one that becomes ready late is `superseded`.
// A name matching no policy, a gallery-image policy, or a PATCH Graph refused is a problem, planned
// again by every reconcile, so fixing the name, the policy or the permission finishes the rollout.
import type { LedgerRow, ProvisioningPolicy, RolloutOutcome, RolloutOutcomeCode, SourceImage } from '../domain';
import { compareVersions } from './naming';
import { isCustomImagePolicy } from './policyPatch';
import { parseRingTag, ringsOf, targetsOf } from './rolloutRings';
import { tagValue } from './tags';

export const POLICIES_TAG = 'cloudpc-provisioning-policies';

/** Outcomes after which a target is done for good. */
const FINAL: ReadonlySet<RolloutOutcomeCode> = new Set(['rolled-out', 'already-used', 'superseded', 'rolled-back']);

/**
 * The policies a source's tag names, in order, without blanks or repeats within a ring (compared
 * case-insensitively), with RING_SEPARATOR between rings (DESIGN §18); a tag without `>` is one ring.
 */
export function rolloutTargets(image: Pick<SourceImage, 'tags'>): string[] {
  const raw = tagValue(image.tags, POLICIES_TAG);
  return raw === undefined ? [] : parseRingTag(raw);
}

export type RolloutStep =
  /** PATCH the policy to the row's device image. */
  | { readonly kind: 'point'; readonly row: LedgerRow; readonly target: string; readonly policy: ProvisioningPolicy }
  /** The policy uses the image already: done (or a PATCH whose answer was lost landed). */
  | { readonly kind: 'in-use'; readonly row: LedgerRow; readonly target: string; readonly policy: ProvisioningPolicy }
  /** Nothing to send: record the outcome (a problem when it is not final). */
  | {
      readonly kind: 'record';
      readonly row: LedgerRow;
      readonly target: string;
      readonly policy: ProvisioningPolicy | null;
      readonly outcome: 'superseded' | 'no-such-policy' | 'gallery-image';
    };

function same(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && a.toLowerCase() === b.toLowerCase();
}

/** Whether two outcomes are about the same thing: the same policy (however the tag named it), or the same target that named none. */
export function sameSubject(a: Pick<RolloutOutcome, 'target' | 'policyId'>, b: Pick<RolloutOutcome, 'target' | 'policyId'>): boolean {
  return a.policyId === null || b.policyId === null ? a.policyId === b.policyId && same(a.target, b.target) : same(a.policyId, b.policyId);
}

/** The outcome recorded for a policy (by its id, whatever the tag calls it), or for a target that named no policy, if any. */
export function outcomeOf(row: LedgerRow, target: string, policyId: string | null): RolloutOutcome | undefined {
  return row.rollouts.find((outcome) => sameSubject(outcome, { target, policyId }));
}

/** The policies a target names: its id, else every policy of that display name. */
export function policiesNamed(policies: readonly ProvisioningPolicy[], target: string): ProvisioningPolicy[] {
  const byId = policies.filter((policy) => same(policy.id, target));
  return byId.length > 0 ? byId : policies.filter((policy) => same(policy.displayName.trim(), target));
}

/** The newest ready version of each source (lower-cased id → version). */
function newestReady(ledger: readonly LedgerRow[]): Map<string, string | null> {
  const newest = new Map<string, string | null>();
  for (const row of ledger) {
    if (row.state !== 'ready') continue;
    const key = row.sourceImageResourceId.toLowerCase();
    const known = newest.get(key);
    if (known === undefined || compareVersions(row.version, known) > 0) newest.set(key, row.version);
  }
  return newest;
}

/**
 * `targetsFor`: the targets of a row that may roll out now (the rings its gate opened, DESIGN §18);
 * every target the tag names when absent.
 */
export function planRollout(
  ledger: readonly LedgerRow[],
  policies: readonly ProvisioningPolicy[],
  targetsFor: (row: LedgerRow) => readonly string[] = (row) => targetsOf(row.rolloutPolicies),
): RolloutStep[] {
  const newest = newestReady(ledger);
  const steps: RolloutStep[] = [];
  for (const row of ledger) {
    if (row.state !== 'ready' || row.deviceImageId === null || row.rolloutPolicies.length === 0) continue;
    const isNewest = newest.get(row.sourceImageResourceId.toLowerCase()) === row.version;
    // A policy the tag names twice (by name and by id) is one step.
    const planned = new Set<string>();
    for (const target of targetsFor(row)) {
      const matches = policiesNamed(policies, target);
      const record = (policy: ProvisioningPolicy | null, outcome: 'superseded' | 'no-such-policy' | 'gallery-image') => {
        if (outcomeOf(row, target, policy?.id ?? null)?.outcome !== outcome) steps.push({ kind: 'record', row, target, policy, outcome });
      };
      if (matches.length === 0) {
        if (!FINAL.has(outcomeOf(row, target, null)?.outcome ?? 'refused')) record(null, isNewest ? 'no-such-policy' : 'superseded');
        continue;
      }
      for (const policy of matches) {
        if (planned.has(policy.id.toLowerCase())) continue;
        planned.add(policy.id.toLowerCase());
        const prior = outcomeOf(row, target, policy.id);
        if (prior !== undefined && FINAL.has(prior.outcome)) continue;
        if (!isNewest) record(policy, 'superseded');
        else if (!isCustomImagePolicy(policy)) record(policy, 'gallery-image');
        else if (same(policy.imageId, row.deviceImageId)) steps.push({ kind: 'in-use', row, target, policy });
        else steps.push({ kind: 'point', row, target, policy });
      }
    }
  }
  return steps;
}

/** How a target's outcome reads for people, with what to do when it needs attention. */
export function describeRolloutOutcome(outcome: RolloutOutcomeCode, target: string, version: string | null): string {
  switch (outcome) {
    case 'rolled-out':
      return `provisioning policy "${target}" now gives new Cloud PCs version ${version ?? '?'}`;
    case 'already-used':
      return `provisioning policy "${target}" used version ${version ?? '?'} already`;
    case 'superseded':
      return `not rolled out to "${target}": a newer version of the source was ready first`;
    case 'rolled-back':
      return `not rolled out to "${target}" again: it was rolled back from version ${version ?? '?'} (image-sync rollback); only a newer version rolls out to it`;
    case 'no-such-policy':
      return `no provisioning policy is named "${target}" (nor has that id): correct the ${POLICIES_TAG} tag (display names or ids, separated by ;), or create the policy; the next reconcile rolls out to it`;
    case 'gallery-image':
      return `provisioning policy "${target}" gives new Cloud PCs a gallery image, and the app points only custom-image policies at a version: switch the policy to a custom image in the Intune admin center once, or remove it from the ${POLICIES_TAG} tag`;
    case 'refused':
      return `Graph refused to point provisioning policy "${target}" at version ${version ?? '?'}: read the detail; grant the app CloudPC.ReadWrite.All if it is a permission; the next reconcile tries again`;
  }
}

export interface RolloutPreview {
  readonly sourceImageResourceId: string;
  readonly displayName: string | null;
  readonly version: string | null;
  readonly target: string;
  /** The ring the tag puts the target in (1-based), of `rings` (DESIGN §18; 1 of 1 without `>`). */
  readonly ring: number;
  readonly rings: number;
  readonly policyId: string | null;
  /** `off`: IMAGE_SYNC_ROLLOUT is not true; `when-ready`: pointed at this version once it is ready; else the outcome it has or would have. */
  readonly outcome: RolloutOutcomeCode | 'off' | 'when-ready';
}

/** What the tag of each planned registration will do (shown by `image-sync plan`), read-only. */
export function previewRollout(
  planned: readonly {
    readonly image: Pick<SourceImage, 'id' | 'tags'>;
    readonly displayName: string | null;
    readonly version: string | null;
  }[],
  ledger: readonly LedgerRow[],
  policies: readonly ProvisioningPolicy[] | null,
  enabled: boolean,
): RolloutPreview[] {
  const rows = new Map(ledger.map((row) => [`${row.sourceImageResourceId.toLowerCase()}|${row.version ?? ''}`, row]));
  const preview: RolloutPreview[] = [];
  for (const { image, displayName, version } of planned) {
    const row = rows.get(`${image.id.toLowerCase()}|${version ?? ''}`);
    const rings = ringsOf(rolloutTargets(image));
    for (const [ring, target] of rings.flatMap((targets, index) => targets.map((target) => [index + 1, target] as const))) {
      const base = { sourceImageResourceId: image.id, displayName, version, target, ring, rings: rings.length };
      if (!enabled) {
        preview.push({ ...base, policyId: null, outcome: 'off' });
        continue;
      }
      const matches = policies === null ? [] : policiesNamed(policies, target);
      if (matches.length === 0) preview.push({ ...base, policyId: null, outcome: policies === null ? 'when-ready' : 'no-such-policy' });
      for (const policy of matches) {
        const recorded = row === undefined ? undefined : outcomeOf(row, target, policy.id);
        const outcome =
          recorded?.outcome ??
          (isCustomImagePolicy(policy)
            ? row?.state === 'ready' && same(policy.imageId, row.deviceImageId)
              ? 'already-used'
              : 'when-ready'
            : 'gallery-image');
        preview.push({ ...base, policyId: policy.id, outcome });
      }
    }
  }
  return preview;
}
