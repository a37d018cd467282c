// DESIGN §15 "A create posts the version the source carries now": the pure half. The register
// handler's judgement of the source it re-reads before a POST, and the planner's earlier versions.
import { describe, expect, it } from 'vitest';
import type { ImageScope } from '../../../src/config';
import type { LedgerRow, RegisterJob, SourceImage } from '../../../src/domain';
import { type PlanAction, plan } from '../../../src/rules/plan';
import { judgeSourceNow } from '../../../src/rules/sourceNow';
import { ledgerRow } from '../../fixtures/ledgerRow';
import { sourceImage, sourceImageId } from '../../fixtures/sourceImage';

const NOW = new Date('2026-12-01T15:00:00Z');
const optIn: ImageScope = { kind: 'tag', name: 'cloudpc-sync', value: 'true' };
const RESOURCE = sourceImageId('win11-aib');

function built(version: string, capture = `vm-${version}`, overrides: Partial<SourceImage> = {}): SourceImage {
  return sourceImage({
    name: 'win11-aib',
    tags: { 'cloudpc-sync': 'true', 'cloudpc-version': version },
    contentFingerprint: capture,
    ...overrides,
  });
}

function job(version: string, overrides: Partial<RegisterJob> = {}): RegisterJob {
  return {
    v: 1,
    sourceImageResourceId: RESOURCE,
    displayName: 'win11-aib',
    version,
    trigger: 'reconcile',
    enqueuedAt: NOW.toISOString(),
    fingerprint: `vm-${version}`,
    ...overrides,
  };
}

describe('judgeSourceNow: what the source holds right before a POST', () => {
  it('posts when the source still carries the job version', () => {
    expect(judgeSourceNow(job('1.0.0'), built('1.0.0'), optIn)).toEqual({ kind: 'post', contentFingerprint: 'vm-1.0.0' });
  });

  it('posts the same version with the content the source holds now (the row takes it)', () => {
    expect(judgeSourceNow(job('1.0.0'), built('1.0.0', 'vm-rebuilt'), optIn)).toEqual({ kind: 'post', contentFingerprint: 'vm-rebuilt' });
  });

  it('is superseded when the source was rebuilt at another version, naming it in the fix', () => {
    const judged = judgeSourceNow(job('1.0.0'), built('1.1.0'), optIn);
    expect(judged).toMatchObject({ kind: 'superseded', versionNow: '1.1.0', fix: expect.stringMatching(/rebuilt as 1\.1\.0/) });
  });

  it('is superseded when the source is gone, opted out, or has no usable version', () => {
    expect(judgeSourceNow(job('1.0.0'), null, optIn)).toMatchObject({ kind: 'superseded', versionNow: null });
    expect(judgeSourceNow(job('1.0.0'), built('1.0.0', 'vm-1.0.0', { tags: { 'cloudpc-version': '1.0.0' } }), optIn)).toMatchObject({
      kind: 'superseded',
      versionNow: null,
    });
    expect(judgeSourceNow(job('1.0.0'), built('latest'), optIn)).toMatchObject({ kind: 'superseded', versionNow: null });
  });

  it('holds a create back while the same version cannot be uploaded (a rebuild still provisioning)', () => {
    const judged = judgeSourceNow(job('1.0.0'), built('1.0.0', 'vm-1.0.0', { provisioningState: 'Creating' }), optIn);
    expect(judged).toMatchObject({ kind: 'ineligible', reason: 'not-succeeded' });
  });

  it("takes a requested job's version (image-sync register --version) for the tags, without the opt-in tag", () => {
    const untagged = sourceImage({ name: 'golden', tags: {}, contentFingerprint: 'vm-golden' });
    const requested = job('2.0.0', { trigger: 'manual', displayName: 'golden', sourceImageResourceId: untagged.id });
    expect(judgeSourceNow(requested, untagged, optIn)).toEqual({ kind: 'post', contentFingerprint: 'vm-golden' });
    expect(judgeSourceNow({ ...requested, versionFromCaller: true }, untagged, optIn)).toMatchObject({ kind: 'post' });
  });

  it('judges a requested job whose version was read from the tags (register without --version) by the tags now', () => {
    const requested = job('1.0.0', { trigger: 'manual', versionFromCaller: false });
    expect(judgeSourceNow(requested, built('1.0.0'), optIn)).toMatchObject({ kind: 'post' });
    expect(judgeSourceNow(requested, built('1.1.0', 'vm-1.1.0'), optIn)).toMatchObject({ kind: 'superseded', versionNow: '1.1.0' });
    // It was requested, so the opt-in tag is still not needed.
    const untagged = built('1.0.0', 'vm-1.0.0', { tags: { 'cloudpc-version': '1.0.0' } });
    expect(judgeSourceNow(requested, untagged, optIn)).toMatchObject({ kind: 'post' });
  });
});

describe('the planner: an earlier version of a source rebuilt since', () => {
  const stale = new Date(NOW.getTime() - 31 * 60_000).toISOString();
  const earlier = (overrides: Partial<LedgerRow>): LedgerRow =>
    ledgerRow({
      sourceImageResourceId: RESOURCE,
      displayName: 'win11-aib',
      version: '1.0.0',
      deviceImageId: null,
      uploadStatus: null,
      contentFingerprint: 'vm-1.0.0',
      updatedAt: stale,
      ...overrides,
    });
  const planOf = (row: LedgerRow, source = built('1.1.0')) =>
    plan({
      sourceImages: [source],
      deviceImages: [],
      ledger: [row],
      scope: optIn,
      trigger: 'reconcile',
      now: NOW,
      staleAfterMs: 30 * 60_000,
      capacity: null,
      visibleToWindows365: null,
      policies: null,
      expiryWarningDays: 30,
    }).actions;
  const about = (actions: readonly PlanAction[], version: string) =>
    actions.filter((action) => ('row' in action ? action.row.version : 'job' in action ? action.job.version : action.version) === version);

  it('skips a lost job that never posted as superseded (no slot, no re-send), and registers the version now', () => {
    const actions = planOf(earlier({ state: 'queued', attempts: 0 }));
    expect(about(actions, '1.0.0')).toEqual([
      expect.objectContaining({ kind: 'skip', reason: 'superseded', version: '1.0.0', fix: expect.stringMatching(/rebuilt as 1\.1\.0/) }),
    ]);
    expect(about(actions, '1.1.0')).toEqual([
      expect.objectContaining({ kind: 'register', job: expect.objectContaining({ version: '1.1.0', fingerprint: 'vm-1.1.0' }) }),
    ]);
  });

  it('re-sends a creating one (a POST may have landed) with the fingerprint it was planned from, so the handler looks Graph up', () => {
    expect(about(planOf(earlier({ state: 'creating', attempts: 1 })), '1.0.0')).toEqual([
      expect.objectContaining({
        kind: 'register',
        cause: 'job-lost',
        needsSlot: false,
        job: expect.objectContaining({ version: '1.0.0', fingerprint: 'vm-1.0.0' }),
      }),
    ]);
  });

  it('leaves a queued one alone while its job may still arrive, and one whose content the source still holds', () => {
    expect(about(planOf(earlier({ state: 'queued', attempts: 0, updatedAt: NOW.toISOString() })), '1.0.0')).toEqual([]);
    const sameCapture = planOf(earlier({ state: 'queued', attempts: 0 }), built('1.1.0', 'vm-1.0.0'));
    expect(about(sameCapture, '1.0.0')).toEqual([expect.objectContaining({ kind: 'register', cause: 'job-lost' })]);
  });

  it('keeps a superseded row (the record that the version was never uploaded), while other stale skips are dropped', () => {
    const superseded = earlier({ state: 'skipped', reason: 'superseded' });
    expect(about(planOf(superseded), '1.0.0')).toEqual([]);
    expect(about(planOf(earlier({ state: 'skipped', reason: 'not-succeeded' })), '1.0.0')).toEqual([
      expect.objectContaining({ kind: 'dropRow' }),
    ]);
  });
});
