// Rollout rings (DESIGN §18), pure: the rings a registration's tag names, what is wrong with them,
// and what the health gate does with a ring's evidence.
//
// The tag `Pilot > Sales; Finance` is kept on the registration as ['Pilot', '>', 'Sales', 'Finance']:
// a tag without `>` reads exactly as it did before rings existed (one ring).
import type { CloudPc, FailedCloudPc, LedgerRow, ProvisioningPolicy, RingRollout } from '../domain';
import { compareVersions } from './naming';

export const RING_SEPARATOR = '>';
/** The failed Cloud PCs a rollout keeps (and a halt names): enough to act on, well under a property's 64 KiB. */
export const MAX_NAMED_FAILURES = 20;

/** The targets of each ring, in order; an empty ring (`A >> B`, a trailing `>`) stays empty so it can be reported. */
export function ringsOf(rolloutPolicies: readonly string[]): string[][] {
  const rings: string[][] = [[]];
  for (const target of rolloutPolicies) {
    if (target === RING_SEPARATOR) rings.push([]);
    else rings[rings.length - 1]?.push(target);
  }
  return rings;
}

/** The tag's targets without the ring separators (every policy the tag names). */
export function targetsOf(rolloutPolicies: readonly string[]): string[] {
  return rolloutPolicies.filter((target) => target !== RING_SEPARATOR);
}

/** The tag's text split into targets per ring, flattened with separators between rings. */
export function parseRingTag(raw: string): string[] {
  const targets: string[] = [];
  raw.split(RING_SEPARATOR).forEach((ringText, index) => {
    if (index > 0) targets.push(RING_SEPARATOR);
    const seen = new Set<string>();
    for (const part of ringText.split(';')) {
      const target = part.trim();
      if (target === '' || seen.has(target.toLowerCase())) continue;
      seen.add(target.toLowerCase());
      targets.push(target);
    }
  });
  return targets;
}

const EXAMPLE = 'for example "Pilot > Sales; Finance"';

/**
 * What is wrong with a registration's rings, in words with the fix; null when nothing is. `resolve`
 * gives the policies a target names (by id or display name).
 */
export function ringTagProblem(
  rings: readonly (readonly string[])[],
  resolve: (target: string) => readonly ProvisioningPolicy[],
): string | null {
  const empty = rings.findIndex((ring) => ring.length === 0);
  if (empty !== -1)
    return `ring ${empty + 1} of the cloudpc-provisioning-policies tag names no provisioning policy (two ">" in a row, or one at an end): give every ring at least one policy, ${EXAMPLE}; nothing rolls out until the tag is fixed`;
  const ringOf = new Map<string, { ring: number; name: string }>();
  for (const [index, ring] of rings.entries()) {
    for (const target of ring) {
      const named = resolve(target);
      const keys =
        named.length > 0
          ? named.map((policy) => ({ key: policy.id.toLowerCase(), name: policy.displayName }))
          : [{ key: `name:${target.toLowerCase()}`, name: target }];
      for (const { key, name } of keys) {
        const earlier = ringOf.get(key);
        if (earlier !== undefined && earlier.ring !== index)
          return `provisioning policy "${earlier.name}" is in ring ${earlier.ring + 1} and ring ${index + 1} of the cloudpc-provisioning-policies tag: name each policy in one ring only, ${EXAMPLE}; nothing rolls out until the tag is fixed`;
        ringOf.set(key, { ring: index, name });
      }
    }
  }
  return null;
}

/** The new Cloud PCs of a ring: those not seen at its PATCH (a reprovisioned Cloud PC keeps its id, so it is not evidence). */
export interface RingEvidence {
  readonly provisioned: number;
  readonly failed: number;
  readonly failures: readonly FailedCloudPc[];
}

export function evidenceFrom(cloudPcs: readonly CloudPc[], seenAtPatch: ReadonlySet<string>): RingEvidence {
  const fresh = cloudPcs.filter((cloudPc) => !seenAtPatch.has(cloudPc.id.toLowerCase()));
  const failed = fresh.filter((cloudPc) => cloudPc.outcome === 'failed');
  return {
    provisioned: fresh.filter((cloudPc) => cloudPc.outcome === 'provisioned').length,
    failed: failed.length,
    failures: failed.slice(0, MAX_NAMED_FAILURES).map(({ id, displayName, statusDetail }) => ({ id, displayName, statusDetail })),
  };
}

export function addEvidence(a: RingEvidence, b: RingEvidence): RingEvidence {
  return {
    provisioned: a.provisioned + b.provisioned,
    failed: a.failed + b.failed,
    failures: [...a.failures, ...b.failures].slice(0, MAX_NAMED_FAILURES),
  };
}

export interface GateSettings {
  readonly soakHours: number;
  readonly maxFailed: number;
  readonly minProvisioned: number;
}

export type GateDecision =
  /** Failures reached the limit: roll the ring back, later rings never get the version. */
  | { readonly kind: 'halt' }
  /** Soak over and enough provisioned: patch the next ring. */
  | { readonly kind: 'promote' }
  /** The last ring's soak ended without a halt. */
  | { readonly kind: 'complete' }
  /** Keep soaking: `until` is when the soak ends (ISO); `needs` how many more must provision after it. */
  | { readonly kind: 'wait'; readonly until: string; readonly needs: number };

/** The gate on a ring that is soaking (its `since` set), with the evidence read now. */
export function judgeRing(
  rollout: Pick<RingRollout, 'ring' | 'rings' | 'since'>,
  evidence: Pick<RingEvidence, 'provisioned' | 'failed'>,
  settings: GateSettings,
  now: Date,
): GateDecision {
  if (evidence.failed >= settings.maxFailed) return { kind: 'halt' };
  const soakEnds = Date.parse(rollout.since ?? now.toISOString()) + settings.soakHours * 3_600_000;
  const isLast = rollout.ring >= rollout.rings.length;
  const needs = isLast ? 0 : Math.max(0, settings.minProvisioned - evidence.provisioned);
  if (now.getTime() >= soakEnds && needs === 0) return isLast ? { kind: 'complete' } : { kind: 'promote' };
  return { kind: 'wait', until: new Date(soakEnds).toISOString(), needs };
}

/**
 * What the gate does next (`image-sync plan --json`): `promote` or `complete` at `at` (once `needs`
 * more new Cloud PCs provisioned), `halt` at the next reconcile, `patch` while the ring's PATCHes are
 * not all done, `none` for an ended rollout. From the counts of the last gate read.
 */
export interface NextGateStep {
  readonly action: 'promote' | 'complete' | 'halt' | 'patch' | 'none';
  /** ISO time the soak ends; null when nothing waits for the clock. */
  readonly at: string | null;
  readonly needs: number;
}

export function nextGateStep(rollout: RingRollout, settings: GateSettings, now: Date): NextGateStep {
  if (rollout.state !== 'soaking') return { action: 'none', at: null, needs: 0 };
  if (rollout.since === null) return { action: 'patch', at: null, needs: 0 };
  const decision = judgeRing(rollout, rollout, settings, now);
  const onPass = rollout.ring >= rollout.rings.length ? 'complete' : 'promote';
  if (decision.kind === 'wait') return { action: onPass, at: decision.until, needs: decision.needs };
  return { action: decision.kind, at: now.toISOString(), needs: 0 };
}

/** What the gate will do next and when, in words (`image-sync plan`), from what the ledger knows. */
export function describeNextGate(rollout: RingRollout, settings: GateSettings, now: Date): string {
  const where = `ring ${rollout.ring} of ${rollout.rings.length} (${(rollout.rings[rollout.ring - 1] ?? []).join('; ')})`;
  switch (rollout.state) {
    case 'complete':
      return `complete: every ring uses ${rollout.version}`;
    case 'halted':
      return `halted at ${where}: ${rollout.failed} new Cloud PC(s) failed; the ring was rolled back and later rings never get ${rollout.version}`;
    case 'rolled-back':
      return `stopped at ${where} by image-sync rollback: later rings never get ${rollout.version}`;
    case 'superseded':
      return `superseded at ${where} by a newer version, which starts at ring 1`;
    case 'soaking':
      break;
  }
  if (rollout.since === null)
    return `${where}: its policies are being pointed at ${rollout.version}; the soak starts once every one of them uses it`;
  const decision = judgeRing(rollout, rollout, settings, now);
  const seen = `${rollout.provisioned} provisioned, ${rollout.failed} failed so far`;
  const next =
    rollout.ring >= rollout.rings.length
      ? 'completes the rollout'
      : `patches ring ${rollout.ring + 1} (${(rollout.rings[rollout.ring] ?? []).join('; ')})`;
  const halts = `halts and rolls the ring back at ${settings.maxFailed} failed`;
  if (decision.kind === 'wait')
    return `${where} soaking (${seen}): ${next} at ${decision.until}${decision.needs > 0 ? ` once ${decision.needs} more new Cloud PC(s) provisioned` : ''}; ${halts}`;
  return `${where} soaking (${seen}): the next reconcile ${decision.kind === 'halt' ? 'halts it and rolls the ring back' : next}`;
}

/** Whether no ready registration of the same display name (from any source) has a higher version. */
export function isNewestOfName(row: LedgerRow, ledger: readonly LedgerRow[]): boolean {
  const name = (row.displayName ?? '').toLowerCase();
  return !ledger.some(
    (other) =>
      other.state === 'ready' && (other.displayName ?? '').toLowerCase() === name && compareVersions(other.version, row.version) > 0,
  );
}

/** Whether no ready registration of the same source has a higher version. */
export function isNewestOfSource(row: LedgerRow, ledger: readonly LedgerRow[]): boolean {
  const source = row.sourceImageResourceId.toLowerCase();
  return !ledger.some(
    (other) =>
      other.state === 'ready' && other.sourceImageResourceId.toLowerCase() === source && compareVersions(other.version, row.version) > 0,
  );
}

/**
 * A policy belongs to at most one live rollout: one of another display name that is soaking and
 * names a policy of these rings (in any of its rings) holds this one back until it ends. (A newer
 * version of the same display name supersedes instead.)
 */
export function policyInAnotherRollout(
  row: LedgerRow,
  rings: readonly (readonly string[])[],
  live: readonly RingRollout[],
  resolve: (target: string) => readonly ProvisioningPolicy[],
): { readonly policy: string; readonly displayName: string; readonly version: string } | null {
  const name = (row.displayName ?? '').toLowerCase();
  const mine = new Map(
    rings.flat().flatMap((target) => resolve(target).map((policy) => [policy.id.toLowerCase(), policy.displayName] as const)),
  );
  for (const other of live) {
    if (other.state !== 'soaking' || other.displayName.toLowerCase() === name) continue;
    for (const policy of other.rings.flat().flatMap(resolve)) {
      const named = mine.get(policy.id.toLowerCase());
      if (named !== undefined) return { policy: named, displayName: other.displayName, version: other.version };
    }
  }
  return null;
}
