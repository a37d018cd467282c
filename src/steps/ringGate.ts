// The health gate of ring rollouts (DESIGN §18), run by every rollout (reconcile, the poller's
// ready path, `sync` before it exits). Per ready registration whose tag names policies:
//   - no rollout yet, and it is the newest ready version of its display name: a rollout starts at
//     ring 1 (an unfinished one of an older version of that name is `superseded`); a bad ring tag
//     is a problem with its fix and starts nothing;
//   - a soaking ring whose policies all use the version is judged: its Cloud PCs are listed (one
//     paged list per policy) and only those not seen at the PATCH count; failures at the limit halt
//     it (src/steps/ringRollbacks.ts), the soak over with the minimum provisioned patches the next ring
//     or completes the rollout. A list that fails leaves the ring as it was: it never promotes on
//     missing evidence;
//   - a halted rollout whose ring still uses the version is rolled back again (a crash mid-halt).
// What it returns says which targets may be pointed at the version now (the rings it opened), and
// records the Cloud PCs each policy has right before its PATCH.
import { type LedgerRow, type ProvisioningPolicy, type RingRollout, registrationKey } from '../domain';
import { LedgerConflictError, PermanentError, TransientError } from '../errors';
import type { RingRolloutRow, SyncDeps } from '../ports';
import { compareVersions } from '../rules/naming';
import { outcomeOf, policiesNamed } from '../rules/planRollout';
import { wasRolledBackFrom } from '../rules/policyPatch';
import {
  type RingEvidence,
  addEvidence,
  evidenceFrom,
  isNewestOfName,
  isNewestOfSource,
  judgeRing,
  policyInAnotherRollout,
  ringTagProblem,
  ringsOf,
  targetsOf,
} from '../rules/rolloutRings';
import { describeError, reportProblem } from './reportFailure';
import { endRingRollout, haltRingRollout, rollBackRing } from './ringRollbacks';

const DONE = new Set(['rolled-out', 'already-used']);

export interface RingPlan {
  /** The targets of a row whose outcomes may be recorded now (the rings its rollout reached). */
  targetsFor(row: LedgerRow): readonly string[];
  /** Whether a PATCH may point a policy at the row's version now (its rollout is soaking, or it predates rings). */
  mayPoint(row: LedgerRow): boolean;
  /** Right before the PATCH of a policy in a ring: the Cloud PCs it has now are not evidence. */
  beforePatch(row: LedgerRow, policyId: string): Promise<void>;
  /** After the PATCHes: a ring whose every policy uses the version starts its soak. */
  afterPatches(): Promise<void>;
}

function keyOf(row: Pick<LedgerRow, 'sourceImageResourceId' | 'version'>): string {
  return registrationKey(row.sourceImageResourceId, row.version);
}

/** Every target of the rings up to the current one (earlier rings are done; later ones wait). */
function openTargets(rollout: RingRollout): string[] {
  return rollout.rings.slice(0, rollout.ring).flat();
}

/** `live`: every rollout by registration key, kept current (a superseded one is replaced in it). */
async function startRollout(
  deps: SyncDeps,
  row: LedgerRow,
  rings: string[][],
  live: Map<string, RingRolloutRow>,
): Promise<RingRolloutRow | null> {
  const now = deps.clock.now().toISOString();
  const name = (row.displayName ?? '').toLowerCase();
  for (const [key, older] of live) {
    if (older.state !== 'soaking' || older.displayName.toLowerCase() !== name || compareVersions(older.version, row.version) >= 0) continue;
    const superseded = await endRingRollout(deps, older, 'superseded');
    if (superseded !== null) live.set(key, superseded);
    if (superseded !== null)
      deps.log.info('RingRolloutSuperseded', { displayName: older.displayName, version: older.version, by: row.version, ring: older.ring });
  }
  const rollout: RingRollout = {
    sourceImageResourceId: row.sourceImageResourceId,
    displayName: row.displayName ?? '',
    version: row.version ?? '',
    deviceImageId: row.deviceImageId ?? '',
    rings,
    ring: 1,
    state: 'soaking',
    ringStartedAt: now,
    since: null,
    policyIds: [],
    provisioned: 0,
    failed: 0,
    failures: [],
    endedAt: null,
    updatedAt: now,
  };
  try {
    const saved = await deps.rings.save(rollout, null);
    deps.log.info('RingRolloutStarted', { displayName: rollout.displayName, version: rollout.version, rings: rings.length });
    return saved;
  } catch (error) {
    if (error instanceof LedgerConflictError) return deps.rings.get(row);
    throw error;
  }
}

/** The evidence of the ring's policies now; `complete` false when a list failed (what was read still counts toward a halt). */
async function readEvidence(deps: SyncDeps, rollout: RingRolloutRow): Promise<{ evidence: RingEvidence; complete: boolean }> {
  let evidence: RingEvidence = { provisioned: 0, failed: 0, failures: [] };
  let complete = true;
  for (const policyId of rollout.policyIds) {
    const ref = { sourceImageResourceId: rollout.sourceImageResourceId, version: rollout.version, ring: rollout.ring, policyId };
    try {
      const cloudPcs = await deps.deviceImages.listCloudPcs(policyId);
      const seen = await deps.rings.seen(ref);
      // No record of the PATCH (the policy used the version already): what it has now is the baseline.
      if (seen === null)
        await deps.rings.saveSeen(
          ref,
          cloudPcs.map((cloudPc) => cloudPc.id),
        );
      else evidence = addEvidence(evidence, evidenceFrom(cloudPcs, seen));
    } catch (error) {
      if (!(error instanceof TransientError) && !(error instanceof PermanentError)) throw error;
      deps.log.warn('RingGateDeferred', { version: rollout.version, ring: rollout.ring, policyId, detail: describeError(error) });
      complete = false;
    }
  }
  return { evidence, complete };
}

/** Whether an administrator rolled back one of the ring's policies from this version (a rollback whose stop was not written). */
async function wasRolledBack(deps: SyncDeps, rollout: RingRollout): Promise<boolean> {
  for (const policyId of rollout.policyIds) if (wasRolledBackFrom(await deps.rollouts.get(policyId), rollout.deviceImageId)) return true;
  return false;
}

/** Judges a soaking ring; the rollout as it is afterwards. */
async function judge(deps: SyncDeps, rollout: RingRolloutRow): Promise<RingRolloutRow> {
  if (await wasRolledBack(deps, rollout)) return (await endRingRollout(deps, rollout, 'rolled-back')) ?? rollout;
  const { evidence, complete } = await readEvidence(deps, rollout);
  const now = deps.clock.now();
  const settings = {
    soakHours: deps.config.ringSoakHours,
    maxFailed: deps.config.ringMaxFailed,
    minProvisioned: deps.config.ringMinProvisioned,
  };
  const judged = judgeRing(rollout, evidence, settings, now);
  // Failures read are evidence enough to halt; promoting or completing needs every list.
  const decision = complete || judged.kind === 'halt' ? judged : null;
  if (decision === null) return rollout;
  const stamp = now.toISOString();
  try {
    switch (decision.kind) {
      case 'halt':
        await haltRingRollout(deps, rollout, evidence);
        return (await deps.rings.get(rollout)) ?? rollout;
      case 'complete':
        return (await endRingRollout(deps, rollout, 'complete', evidence)) ?? rollout;
      case 'promote':
        deps.log.info('RingPromoted', { version: rollout.version, from: rollout.ring, provisioned: evidence.provisioned });
        return await deps.rings.save(
          {
            ...rollout,
            ring: rollout.ring + 1,
            ringStartedAt: stamp,
            since: null,
            policyIds: [],
            provisioned: 0,
            failed: 0,
            failures: [],
            updatedAt: stamp,
          },
          rollout,
        );
      case 'wait':
        if (evidence.provisioned === rollout.provisioned && evidence.failed === rollout.failed) return rollout;
        return await deps.rings.save({ ...rollout, ...evidence, updatedAt: stamp }, rollout);
    }
  } catch (error) {
    if (error instanceof LedgerConflictError) return (await deps.rings.get(rollout)) ?? rollout;
    throw error;
  }
}

export async function openRings(deps: SyncDeps, ledger: readonly LedgerRow[], policies: readonly ProvisioningPolicy[]): Promise<RingPlan> {
  const byKey = new Map((await deps.rings.list()).map((rollout) => [keyOf(rollout), rollout]));
  /** The rollouts this run looked at (their state as it is now is in byKey). */
  const opened = new Set<string>();
  /** Rows whose every target is planned as before rings: finished before rings existed, or an older version of their source (recorded superseded). */
  const asBefore = new Set<string>();
  const resolve = (target: string) => policiesNamed(policies, target);
  for (const row of ledger) {
    if (row.state !== 'ready' || row.deviceImageId === null || targetsOf(row.rolloutPolicies).length === 0) continue;
    let rollout = byKey.get(keyOf(row)) ?? null;
    if (rollout === null) {
      // Rolled out before rings existed (every target has its final outcome): nothing to start.
      const finished = targetsOf(row.rolloutPolicies).every((target) =>
        resolve(target).every((policy) => DONE.has(outcomeOf(row, target, policy.id)?.outcome ?? '')),
      );
      if (finished || !isNewestOfSource(row, ledger)) asBefore.add(keyOf(row));
      if (finished || !isNewestOfName(row, ledger)) continue;
      const rings = ringsOf(row.rolloutPolicies);
      const problem = ringTagProblem(rings, resolve);
      if (problem !== null) {
        await reportProblem(deps, {
          kind: 'rollout-ring-tag',
          subject: keyOf(row),
          detail: `${row.displayName ?? row.sourceImageResourceId} ${row.version ?? ''}: ${problem}`,
        });
        continue;
      }
      const busy = policyInAnotherRollout(row, rings, [...byKey.values()], resolve);
      if (busy !== null) {
        deps.log.info('RingRolloutWaiting', {
          displayName: row.displayName,
          version: row.version,
          policy: busy.policy,
          until: `${busy.displayName} ${busy.version} ends`,
        });
        continue;
      }
      rollout = await startRollout(deps, row, rings, byKey);
      if (rollout === null) continue;
    }
    if (rollout.state === 'soaking' && rollout.since !== null) rollout = await judge(deps, rollout);
    if (rollout.state === 'halted') await rollBackRing(deps, rollout);
    byKey.set(keyOf(row), rollout);
    opened.add(keyOf(row));
  }

  const openedRollout = (key: string) => (opened.has(key) ? byKey.get(key) : undefined);
  return {
    targetsFor(row) {
      const rollout = openedRollout(keyOf(row));
      if (rollout !== undefined) return rollout.state === 'complete' ? rollout.rings.flat() : openTargets(rollout);
      return asBefore.has(keyOf(row)) ? targetsOf(row.rolloutPolicies) : [];
    },

    // A stopped rollout's rings keep what they have (a PATCH that landed is still recorded) but get nothing new.
    mayPoint(row) {
      const rollout = openedRollout(keyOf(row));
      return rollout === undefined ? asBefore.has(keyOf(row)) : rollout.state === 'soaking';
    },

    async beforePatch(row, policyId) {
      const rollout = openedRollout(keyOf(row));
      if (rollout === undefined || rollout.state !== 'soaking') return;
      const cloudPcs = await deps.deviceImages.listCloudPcs(policyId);
      await deps.rings.saveSeen(
        { sourceImageResourceId: rollout.sourceImageResourceId, version: rollout.version, ring: rollout.ring, policyId },
        cloudPcs.map((cloudPc) => cloudPc.id),
      );
    },

    async afterPatches() {
      for (const rollout of [...opened].flatMap((key) => byKey.get(key) ?? [])) {
        if (rollout.state !== 'soaking' || rollout.since !== null) continue;
        const row = deps.ledger.remembered(rollout) ?? (await deps.ledger.get(rollout));
        if (row === null) continue;
        const ring = rollout.rings[rollout.ring - 1] ?? [];
        const named = ring.map((target) => ({ target, policies: resolve(target) }));
        const ready = named.every(
          ({ target, policies: matches }) =>
            matches.length > 0 && matches.every((policy) => DONE.has(outcomeOf(row, target, policy.id)?.outcome ?? '')),
        );
        if (!ready) continue;
        const stamp = deps.clock.now().toISOString();
        const policyIds = [...new Set(named.flatMap(({ policies: matches }) => matches.map((policy) => policy.id)))];
        try {
          await deps.rings.save({ ...rollout, since: stamp, policyIds, updatedAt: stamp }, rollout);
          deps.log.info('RingSoaking', { version: rollout.version, ring: rollout.ring, policies: policyIds.length });
        } catch (error) {
          if (!(error instanceof LedgerConflictError)) throw error;
        }
      }
    },
  };
}
