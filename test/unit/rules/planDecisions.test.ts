import { describe, expect, it } from 'vitest';
import { registrationKey } from '../../../src/domain';
import { checkEligibility } from '../../../src/rules/eligibility';
import { occupancyOf } from '../../../src/rules/occupancy';
import { type CurrentVersion, type CurrentVersionContext, decideCurrentVersion } from '../../../src/rules/plan/currentVersion';
import {
  decideEarlierVersion,
  dropStaleSkip,
  type EarlierVersion,
  type EarlierVersionContext,
} from '../../../src/rules/plan/earlierVersions';
import { adoptUntrackedDeviceImages } from '../../../src/rules/plan/untrackedDeviceImages';
import { slotName } from '../../../src/rules/slotName';
import { deviceImage } from '../../fixtures/deviceImage';
import { ledgerRow } from '../../fixtures/ledgerRow';
import { sourceImage, sourceImageId } from '../../fixtures/sourceImage';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const STALE_AFTER_MS = 15 * 60_000;

function minutesAgo(minutes: number): string {
  return new Date(NOW.getTime() - minutes * 60_000).toISOString();
}

describe('earlier versions: the chain of decisions', () => {
  // The source was rebuilt as 1.3.0; its row of 1.2.0 is the earlier version.
  const image = sourceImage({ name: 'win11-ent-1.3.0', id: sourceImageId('win11-ent-1.2.0') });
  const context: EarlierVersionContext = { trigger: 'reconcile', now: NOW, staleAfterMs: STALE_AFTER_MS, deviceImageIds: new Set() };
  const earlier = (row: Partial<EarlierVersion['row']>): EarlierVersion => ({ row: ledgerRow(row), image, versionNow: '1.3.0' });

  it('drops a stale skip but keeps a superseded one, deciding (null) rather than passing it on', () => {
    const stale = earlier({ state: 'skipped', reason: 'not-generalized', deviceImageId: null });
    expect(decideEarlierVersion(stale, context)).toEqual({ kind: 'dropRow', row: stale.row });
    const superseded = earlier({ state: 'skipped', reason: 'superseded', deviceImageId: null });
    expect(dropStaleSkip(superseded, context)).toBeNull();
    expect(decideEarlierVersion(superseded, context)).toBeNull();
  });

  it('retires a registration whose device image Graph no longer lists, before anything its state asks for', () => {
    const vanished = earlier({ state: 'pending', nextCheckAt: minutesAgo(60) });
    const action = decideEarlierVersion(vanished, context);
    expect(action).toMatchObject({ kind: 'retire', row: vanished.row });
    expect(action).toHaveProperty('reason', expect.stringContaining('rebuilt as 1.3.0 since, so version 1.2.0 cannot be uploaded again'));
  });

  it('resumes an overdue status check of a pending row whose device image Graph lists (ids compared case-insensitively)', () => {
    const listed = { ...context, deviceImageIds: new Set([ledgerRow().deviceImageId!.toLowerCase()]) };
    const pending = earlier({ state: 'pending', deviceImageId: ledgerRow().deviceImageId!.toUpperCase(), nextCheckAt: minutesAgo(15) });
    expect(decideEarlierVersion(pending, listed)).toEqual({ kind: 'resumeStatusCheck', row: pending.row });
    expect(decideEarlierVersion({ ...pending, row: { ...pending.row, nextCheckAt: minutesAgo(14) } }, listed)).toBeNull();
  });

  it('supersedes a lost, never-posted queued row when the source holds other content now', () => {
    const lost = earlier({ state: 'queued', attempts: 0, deviceImageId: null, updatedAt: minutesAgo(20), contentFingerprint: 'old-vm' });
    expect(decideEarlierVersion(lost, context)).toMatchObject({
      kind: 'skip',
      reason: 'superseded',
      displayName: 'win11-ent',
      version: '1.2.0',
      fix: expect.stringContaining('1.3.0'),
    });
  });

  it('sends a lost job again when the content is the same, or a create may have gone out', () => {
    const sameContent = earlier({
      state: 'queued',
      attempts: 0,
      deviceImageId: null,
      updatedAt: minutesAgo(20),
      contentFingerprint: image.contentFingerprint,
    });
    const creating = earlier({ state: 'creating', attempts: 1, deviceImageId: null, updatedAt: minutesAgo(20), contentFingerprint: null });
    for (const lost of [sameContent, creating]) {
      expect(decideEarlierVersion(lost, context)).toEqual({
        kind: 'register',
        sourceImage: image,
        cause: 'job-lost',
        needsSlot: false,
        firstCreate: false,
        contentFingerprint: lost.row.contentFingerprint,
        job: {
          v: 1,
          sourceImageResourceId: lost.row.sourceImageResourceId,
          displayName: 'win11-ent',
          version: '1.2.0',
          trigger: 'reconcile',
          enqueuedAt: NOW.toISOString(),
          ...(lost.row.contentFingerprint === null ? {} : { fingerprint: lost.row.contentFingerprint }),
        },
      });
    }
    expect(decideEarlierVersion({ ...creating, row: { ...creating.row, updatedAt: minutesAgo(5) } }, context)).toBeNull();
  });
});

describe('untracked device images', () => {
  const image = sourceImage({ name: 'win11-ent-1.3.0', id: sourceImageId('win11-ent-1.2.0') });
  const currentKey = registrationKey(image.id, '1.3.0');
  const earlierKey = registrationKey(image.id, '1.2.0');

  it('adopts a device image of another version the ledger does not follow, under its own name and canonical version', () => {
    const found = deviceImage({ id: 'other-id', displayName: 'win11-old', version: '1.2.0' });
    const adoptions = adoptUntrackedDeviceImages(image, currentKey, new Map([[earlierKey, [found]]]), new Map());
    expect(adoptions).toEqual([
      {
        key: earlierKey,
        action: {
          kind: 'adopt',
          sourceImage: image,
          deviceImage: found,
          displayName: 'win11-old',
          version: '1.2.0',
          contentFingerprint: null,
          origin: 'adopted',
        },
      },
    ]);
  });

  it('leaves the current version and device images its rows follow to the other decisions', () => {
    const graph = new Map([
      [currentKey, [deviceImage({ id: 'current-id', version: '1.3.0' })]],
      [earlierKey, [deviceImage()]],
    ]);
    expect(adoptUntrackedDeviceImages(image, currentKey, graph, new Map([[earlierKey, ledgerRow()]]))).toEqual([]);
  });
});

describe('current version: the chain of decisions', () => {
  const image = sourceImage();
  const key = registrationKey(image.id, '1.2.0');
  const current = (overrides: Partial<CurrentVersion> = {}): CurrentVersion => ({
    image,
    key,
    row: undefined,
    deviceImage: undefined,
    eligibility: checkEligibility(image),
    ...overrides,
  });
  const context = (overrides: Partial<CurrentVersionContext> = {}): CurrentVersionContext => ({
    trigger: 'reconcile',
    now: NOW,
    staleAfterMs: STALE_AFTER_MS,
    capacity: null,
    visibleToWindows365: null,
    takenBy: new Map(),
    occupied: occupancyOf(0, new Set(), []),
    ...overrides,
  });

  it('adopts as ready a failed row whose device image Graph calls ready', () => {
    const decision = decideCurrentVersion(current({ row: ledgerRow({ state: 'failed' }), deviceImage: deviceImage() }), context());
    expect(decision.action).toMatchObject({ kind: 'adopt', origin: 'adopted' });
    expect(decision.planned).toMatchObject({ outcome: 'adopt', ledgerState: 'failed', deviceImageId: deviceImage().id });
  });

  it('skips a taken name and version before asking whether the row needs anything', () => {
    // A fresh queued row has no cause to register; the taken name still decides first.
    const decision = decideCurrentVersion(
      current({ row: ledgerRow({ state: 'queued', deviceImageId: null, updatedAt: minutesAgo(1) }) }),
      context({ takenBy: new Map([[image.id.toLowerCase(), ['/subscriptions/x/other']]]) }),
    );
    expect(decision.action).toMatchObject({ kind: 'skip', reason: 'name-version-taken' });
  });

  it('leaves a registration without a cause unchanged, before the visibility and room checks', () => {
    const failed = ledgerRow({ state: 'failed', deviceImageId: null, attempts: 0 });
    const decision = decideCurrentVersion(
      current({ row: failed }),
      context({ visibleToWindows365: new Set(), capacity: { limit: 0, reserved: new Set() } }),
    );
    expect(decision).toEqual({ action: null, planned: expect.objectContaining({ outcome: 'unchanged', ledgerState: 'failed' }) });
  });

  it('skips a never-posted source getSourceImages does not list, but not one posted before', () => {
    const hidden = context({ visibleToWindows365: new Set() });
    expect(decideCurrentVersion(current(), hidden).action).toMatchObject({ kind: 'skip', reason: 'not-visible-to-windows365' });
    const posted = current({ row: ledgerRow({ state: 'failed', deviceImageId: null, attempts: 1 }) });
    expect(decideCurrentVersion(posted, { ...hidden, trigger: 'manual' }).action).toMatchObject({
      kind: 'register',
      cause: 'manual-retry',
    });
  });

  it('skips past the tenant limit; a registration that holds its slot already registers without a new one', () => {
    const full = context({
      capacity: { limit: 1, reserved: new Set(['other-slot']) },
      occupied: occupancyOf(0, new Set(), ['other-slot']),
    });
    expect(decideCurrentVersion(current(), full).action).toMatchObject({ kind: 'skip', reason: 'tenant-image-limit' });
    const holding = context({
      capacity: { limit: 1, reserved: new Set([slotName(key)]) },
      occupied: occupancyOf(0, new Set(), [slotName(key)]),
    });
    expect(decideCurrentVersion(current(), holding).action).toMatchObject({ kind: 'register', needsSlot: false });
  });

  it('takes a slot when it registers, so the next candidate sees the tenant full', () => {
    const shared = context({ capacity: { limit: 1, reserved: new Set() } });
    const first = decideCurrentVersion(current(), shared);
    expect(first.action).toMatchObject({ kind: 'register', cause: 'new', needsSlot: true, firstCreate: true });
    expect(first.planned).toMatchObject({ outcome: 'register', cause: 'new', deviceImageId: null });
    expect(shared.occupied.inUse).toBe(1);
    const other = sourceImage({ name: 'win11-ent-2.0.0' });
    const second = decideCurrentVersion(
      current({ image: other, key: registrationKey(other.id, '2.0.0'), eligibility: checkEligibility(other) }),
      shared,
    );
    expect(second.action).toMatchObject({ kind: 'skip', reason: 'tenant-image-limit' });
  });
});
