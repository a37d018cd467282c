// The predicates of src/rules/lifecycle.ts that say where a registration goes next: from the
// register job (registerStep), the status check (isCurrentCheck) and the planner (tracks, registerCause).
import { describe, expect, it } from 'vitest';
import type { LedgerState } from '../../../src/domain';
import {
  CLAIM_RELEASED,
  isCurrentCheck,
  isReleasedClaim,
  isSettled,
  registerCause,
  registerStep,
  tracks,
} from '../../../src/rules/lifecycle';
import { CLAIM_LEASE_MS, COPY_LEASE_MS } from '../../../src/rules/times';
import { deviceImage } from '../../fixtures/deviceImage';
import { ledgerRow } from '../../fixtures/ledgerRow';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const STALE_AFTER_MS = 15 * 60_000;
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();
const minutesAgo = (minutes: number) => ago(minutes * 60_000);
const STATES: readonly LedgerState[] = ['queued', 'creating', 'pending', 'ready', 'failed', 'skipped', 'retired'];

describe('isSettled and isReleasedClaim', () => {
  it('counts a row as settled once it has left queued and creating', () => {
    expect(STATES.filter((state) => isSettled(ledgerRow({ state })))).toEqual(['pending', 'ready', 'failed', 'skipped', 'retired']);
  });

  it('knows a released claim by its errorCode, on a creating row only', () => {
    expect(isReleasedClaim(ledgerRow({ state: 'creating', errorCode: CLAIM_RELEASED }))).toBe(true);
    expect(isReleasedClaim(ledgerRow({ state: 'creating', errorCode: null }))).toBe(false);
    expect(isReleasedClaim(ledgerRow({ state: 'queued', errorCode: CLAIM_RELEASED }))).toBe(false);
  });
});

describe('registerStep: what a register job does with its row', () => {
  it('claims a new or queued row, and leaves a settled one as handled', () => {
    expect(registerStep(null, NOW)).toBe('claim');
    expect(registerStep(ledgerRow({ state: 'queued', attempts: 0, updatedAt: ago(1_000) }), NOW)).toBe('claim');
    for (const state of ['pending', 'ready', 'failed', 'skipped', 'retired'] as const)
      expect(registerStep(ledgerRow({ state, updatedAt: ago(1_000) }), NOW), state).toBe('handled');
  });

  it("waits while another worker's claim holds, and claims once its lease is up", () => {
    expect(registerStep(ledgerRow({ state: 'creating', updatedAt: ago(CLAIM_LEASE_MS - 1) }), NOW)).toBe('wait');
    expect(registerStep(ledgerRow({ state: 'creating', updatedAt: ago(CLAIM_LEASE_MS) }), NOW)).toBe('claim');
  });

  it('gives a claim that records a gallery copy the longer copy lease', () => {
    const copying = { state: 'creating' as const, copyId: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/images/c' };
    expect(registerStep(ledgerRow({ ...copying, updatedAt: ago(CLAIM_LEASE_MS) }), NOW)).toBe('wait');
    expect(registerStep(ledgerRow({ ...copying, updatedAt: ago(COPY_LEASE_MS) }), NOW)).toBe('claim');
  });

  it('claims at once a creating row whose claim was released, or whose claim time cannot be read', () => {
    expect(registerStep(ledgerRow({ state: 'creating', errorCode: CLAIM_RELEASED, updatedAt: ago(1_000) }), NOW)).toBe('claim');
    expect(registerStep(ledgerRow({ state: 'creating', updatedAt: 'never' }), NOW)).toBe('claim');
  });
});

describe('isCurrentCheck: a status check the row waits for', () => {
  const id = 'a4d1c7e2-3b8f-4e61-9c0a-5f2e8d7b6a01';
  const pending = ledgerRow({ state: 'pending', deviceImageId: id, statusChecks: 3 });

  it('is current for a pending row on its device image (any case), from the checks already done on', () => {
    expect(isCurrentCheck(pending, { deviceImageId: id.toUpperCase(), check: 3 })).toBe(true);
    expect(isCurrentCheck(pending, { deviceImageId: id, check: 4 })).toBe(true);
  });

  it('is stale behind the checks done, on another device image, on a row not pending, or without a row', () => {
    expect(isCurrentCheck(pending, { deviceImageId: id, check: 2 })).toBe(false);
    expect(isCurrentCheck(pending, { deviceImageId: 'other', check: 3 })).toBe(false);
    expect(isCurrentCheck(ledgerRow({ state: 'ready', deviceImageId: id, statusChecks: 3 }), { deviceImageId: id, check: 3 })).toBe(false);
    expect(isCurrentCheck(ledgerRow({ state: 'pending', deviceImageId: null }), { deviceImageId: id, check: 0 })).toBe(false);
    expect(isCurrentCheck(null, { deviceImageId: id, check: 0 })).toBe(false);
  });
});

describe('tracks: a row that follows the device image Graph holds', () => {
  const image = deviceImage();

  it('is followed by a pending, ready, failed or retired row that names it (any case)', () => {
    for (const state of ['pending', 'ready', 'retired'] as const) expect(tracks(ledgerRow({ state }), image), state).toBe(true);
    expect(tracks(ledgerRow({ state: 'failed' }), deviceImage({ status: 'failed' }))).toBe(true);
    expect(tracks(ledgerRow({ deviceImageId: image.id.toUpperCase() }), image)).toBe(true);
  });

  it('is not followed by a row failed by the app whose image Graph calls usable, a row in flight, another image, or no row', () => {
    expect(tracks(ledgerRow({ state: 'failed' }), image)).toBe(false);
    expect(tracks(ledgerRow({ state: 'failed' }), deviceImage({ status: 'warning' }))).toBe(false);
    for (const state of ['queued', 'creating', 'skipped'] as const) expect(tracks(ledgerRow({ state }), image), state).toBe(false);
    expect(tracks(ledgerRow({ deviceImageId: 'other' }), image)).toBe(false);
    expect(tracks(ledgerRow({ deviceImageId: null }), image)).toBe(false);
    expect(tracks(undefined, image)).toBe(false);
  });
});

describe('registerCause', () => {
  it('names why a registration without a device image is posted, or null to leave it', () => {
    const cause = (overrides: Parameters<typeof ledgerRow>[0], trigger: 'reconcile' | 'manual' = 'reconcile') =>
      registerCause(ledgerRow(overrides), trigger, NOW, STALE_AFTER_MS);
    expect(registerCause(undefined, 'reconcile', NOW, STALE_AFTER_MS)).toBe('new');
    expect(cause({ state: 'skipped' })).toBe('now-eligible');
    expect(cause({ state: 'creating', updatedAt: minutesAgo(15) })).toBe('job-lost');
    expect(cause({ state: 'creating', updatedAt: minutesAgo(14) })).toBeNull();
    expect(cause({ state: 'queued', updatedAt: minutesAgo(15) })).toBe('job-lost');
    expect(cause({ state: 'queued', updatedAt: minutesAgo(14) })).toBeNull();
    expect(cause({ state: 'pending' })).toBe('device-image-vanished');
    expect(cause({ state: 'ready' })).toBe('device-image-vanished');
    expect(cause({ state: 'ready', retiringAt: minutesAgo(1) })).toBeNull();
    expect(cause({ state: 'failed' })).toBeNull();
    expect(cause({ state: 'failed' }, 'manual')).toBe('manual-retry');
    expect(cause({ state: 'retired' })).toBeNull();
  });
});
