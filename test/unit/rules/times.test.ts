import { describe, expect, it } from 'vitest';
import {
  CLAIM_LEASE_MS,
  COPY_LEASE_MS,
  CREATE_TIMEOUT_MS,
  CREATE_WAIT_LIMIT_MS,
  POINTING_LEASE_MS,
  RESERVATION_SETTLE_MS,
  RESERVATION_TTL_MS,
  STALE_AFTER_MS,
  claimLeaseOf,
  isLeaseHeld,
  isOverdue,
  leaseLeftMs,
} from '../../../src/rules/times';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const ago = (ms: number) => new Date(NOW.getTime() - ms).toISOString();

describe('the leases and ages', () => {
  it('keeps a claim past the longest a create can take, and the planner waits past every lease before it re-drives a row', () => {
    expect(CLAIM_LEASE_MS).toBeGreaterThan(CREATE_WAIT_LIMIT_MS + CREATE_TIMEOUT_MS);
    expect(STALE_AFTER_MS).toBeGreaterThanOrEqual(CLAIM_LEASE_MS);
    expect(STALE_AFTER_MS).toBeGreaterThanOrEqual(COPY_LEASE_MS);
    expect(COPY_LEASE_MS).toBeGreaterThan(CLAIM_LEASE_MS);
    expect(RESERVATION_TTL_MS).toBeGreaterThan(RESERVATION_SETTLE_MS);
    expect(POINTING_LEASE_MS).toBe(3 * 60_000);
  });
});

describe('isOverdue', () => {
  it('counts exactly the limit as overdue, less as not', () => {
    expect(isOverdue(ago(STALE_AFTER_MS), NOW, STALE_AFTER_MS)).toBe(true);
    expect(isOverdue(ago(STALE_AFTER_MS - 1), NOW, STALE_AFTER_MS)).toBe(false);
  });

  it('counts a missing or unreadable timestamp as overdue, so the row heals', () => {
    expect(isOverdue(null, NOW, STALE_AFTER_MS)).toBe(true);
    expect(isOverdue('not a date', NOW, STALE_AFTER_MS)).toBe(true);
  });
});

describe('isLeaseHeld and leaseLeftMs', () => {
  it('holds a lease until it is exactly as old as its length, and says how long is left', () => {
    expect(isLeaseHeld(ago(1_000), NOW, 5_000)).toBe(true);
    expect(isLeaseHeld(ago(5_000), NOW, 5_000)).toBe(false);
    expect(leaseLeftMs(ago(1_000), NOW, 5_000)).toBe(4_000);
    expect(leaseLeftMs(ago(9_000), NOW, 5_000)).toBe(0);
  });

  it('holds no lease whose start cannot be read', () => {
    expect(isLeaseHeld(null, NOW, 5_000)).toBe(false);
    expect(isLeaseHeld('never', NOW, 5_000)).toBe(false);
    expect(leaseLeftMs('never', NOW, 5_000)).toBe(0);
  });
});

describe('claimLeaseOf', () => {
  it('gives a row that records a gallery copy the copy lease, any other the create claim lease', () => {
    expect(claimLeaseOf({ copyId: '/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/images/c' })).toBe(COPY_LEASE_MS);
    expect(claimLeaseOf({ copyId: null })).toBe(CLAIM_LEASE_MS);
    expect(claimLeaseOf({})).toBe(CLAIM_LEASE_MS);
  });
});
