import { describe, expect, it } from 'vitest';
import type { CloudPc, ProvisioningPolicy, RingRollout } from '../../../src/domain';
import { rolloutTargets } from '../../../src/rules/planRollout';
import { describeNextGate, evidenceFrom, judgeRing, nextGateStep, ringTagProblem, ringsOf } from '../../../src/rules/rolloutRings';

const tagged = (value: string) => ({ tags: { 'Cloudpc-Provisioning-Policies': value } });
const policy = (id: string, displayName: string): ProvisioningPolicy => ({
  id,
  displayName,
  imageId: null,
  imageDisplayName: null,
  imageType: 'custom',
});
const POLICIES = [policy('p-1', 'Pilot'), policy('p-2', 'Sales'), policy('p-3', 'Finance')];
const resolve = (target: string) =>
  POLICIES.filter((candidate) => candidate.id === target || candidate.displayName.toLowerCase() === target.toLowerCase());
const settings = { soakHours: 1, maxFailed: 2, minProvisioned: 3 };
const cloudPc = (id: string, outcome: CloudPc['outcome'], statusDetail: string | null = null): CloudPc => ({
  id,
  displayName: `CPC-${id}`,
  status: outcome,
  outcome,
  statusDetail,
});
const SINCE = '2026-12-01T09:00:00.000Z';
const at = (minutes: number) => new Date(Date.parse(SINCE) + minutes * 60_000);

describe('rings in the cloudpc-provisioning-policies tag', () => {
  it('keeps a tag without ">" as it always read (one ring), and separates rings with ">"', () => {
    expect(rolloutTargets(tagged(' Sales; Finance ;sales'))).toEqual(['Sales', 'Finance']);
    expect(rolloutTargets(tagged('Pilot > Sales; Finance'))).toEqual(['Pilot', '>', 'Sales', 'Finance']);
    expect(ringsOf(rolloutTargets(tagged('Pilot > Sales; Finance')))).toEqual([['Pilot'], ['Sales', 'Finance']]);
    expect(ringsOf(['Sales', 'Finance'])).toEqual([['Sales', 'Finance']]);
  });

  it('keeps empty rings, so that "A >> B" and a trailing ">" are reported, not read as two rings', () => {
    expect(ringsOf(rolloutTargets(tagged('Pilot >> Sales')))).toEqual([['Pilot'], [], ['Sales']]);
    expect(ringTagProblem(ringsOf(rolloutTargets(tagged('Pilot >> Sales'))), resolve)).toMatch(
      /^ring 2 of the cloudpc-provisioning-policies tag names no provisioning policy .*give every ring at least one policy, for example "Pilot > Sales; Finance"/,
    );
    expect(ringTagProblem(ringsOf(rolloutTargets(tagged('Pilot > '))), resolve)).toMatch(/^ring 2 of the/);
  });

  it('refuses a policy in two rings, however the tag names it (display name or id)', () => {
    expect(ringTagProblem([['Pilot'], ['Sales', 'p-1']], resolve)).toMatch(
      /provisioning policy "Pilot" is in ring 1 and ring 2 .*name each policy in one ring only/,
    );
    expect(ringTagProblem([['Nobody'], ['nobody']], resolve)).toMatch(/"Nobody" is in ring 1 and ring 2/);
    expect(ringTagProblem([['Pilot'], ['Sales', 'Finance']], resolve)).toBeNull();
  });
});

describe('the health gate', () => {
  it('counts only Cloud PCs not seen at the PATCH: provisioned (with warnings too) and failed; the rest are in progress', () => {
    const evidence = evidenceFrom(
      [
        cloudPc('old', 'failed'),
        cloudPc('a', 'provisioned'),
        cloudPc('b', 'provisioned'),
        cloudPc('c', 'failed', 'imageNotSupported: no'),
        cloudPc('d', 'in-progress'),
      ],
      new Set(['old']),
    );
    expect(evidence).toEqual({
      provisioned: 2,
      failed: 1,
      failures: [{ id: 'c', displayName: 'CPC-c', statusDetail: 'imageNotSupported: no' }],
    });
  });

  it('halts at IMAGE_SYNC_RING_MAX_FAILED failures, soak or not', () => {
    expect(judgeRing({ ring: 1, rings: [['Pilot'], ['Sales']], since: SINCE }, { provisioned: 9, failed: 2 }, settings, at(1))).toEqual({
      kind: 'halt',
    });
    expect(
      judgeRing({ ring: 1, rings: [['Pilot'], ['Sales']], since: SINCE }, { provisioned: 9, failed: 1 }, settings, at(1)),
    ).toMatchObject({ kind: 'wait' });
  });

  it('promotes once the soak is over and the minimum provisioned, not before either', () => {
    const rollout = { ring: 1, rings: [['Pilot'], ['Sales']], since: SINCE };
    expect(judgeRing(rollout, { provisioned: 3, failed: 0 }, settings, at(59))).toEqual({
      kind: 'wait',
      until: at(60).toISOString(),
      needs: 0,
    });
    expect(judgeRing(rollout, { provisioned: 2, failed: 0 }, settings, at(61))).toEqual({
      kind: 'wait',
      until: at(60).toISOString(),
      needs: 1,
    });
    expect(judgeRing(rollout, { provisioned: 3, failed: 1 }, settings, at(60))).toEqual({ kind: 'promote' });
  });

  it('completes the last ring after its soak without a minimum', () => {
    expect(judgeRing({ ring: 2, rings: [['Pilot'], ['Sales']], since: SINCE }, { provisioned: 0, failed: 0 }, settings, at(60))).toEqual({
      kind: 'complete',
    });
  });

  it('says what it does next and when, for plan', () => {
    const rollout: RingRollout = {
      sourceImageResourceId: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/images/i',
      displayName: 'Win11',
      version: '2.0.0',
      deviceImageId: 'd',
      rings: [['Pilot'], ['Sales', 'Finance']],
      ring: 1,
      state: 'soaking',
      ringStartedAt: SINCE,
      since: SINCE,
      policyIds: ['p-1'],
      provisioned: 1,
      failed: 0,
      failures: [],
      endedAt: null,
      updatedAt: SINCE,
    };
    expect(describeNextGate(rollout, settings, at(10))).toBe(
      `ring 1 of 2 (Pilot) soaking (1 provisioned, 0 failed so far): patches ring 2 (Sales; Finance) at ${at(60).toISOString()} once 2 more new Cloud PC(s) provisioned; halts and rolls the ring back at 2 failed`,
    );
    expect(describeNextGate({ ...rollout, since: null }, settings, at(10))).toMatch(
      /being pointed at 2\.0\.0; the soak starts once every one of them uses it/,
    );
    expect(nextGateStep(rollout, settings, at(10))).toEqual({ action: 'promote', at: at(60).toISOString(), needs: 2 });
    expect(nextGateStep({ ...rollout, ring: 2, provisioned: 0 }, settings, at(70))).toEqual({
      action: 'complete',
      at: at(70).toISOString(),
      needs: 0,
    });
    expect(nextGateStep({ ...rollout, failed: 2 }, settings, at(10))).toMatchObject({ action: 'halt' });
    expect(nextGateStep({ ...rollout, since: null }, settings, at(10))).toEqual({ action: 'patch', at: null, needs: 0 });
    expect(nextGateStep({ ...rollout, state: 'complete' }, settings, at(10))).toEqual({ action: 'none', at: null, needs: 0 });
    expect(describeNextGate({ ...rollout, state: 'halted', failed: 2 }, settings, at(10))).toMatch(
      /^halted at ring 1 of 2 \(Pilot\): 2 new Cloud PC\(s\) failed/,
    );
  });
});
