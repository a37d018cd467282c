import { describe, expect, it } from 'vitest';
import type { LedgerRow } from '../../../src/domain';
import { slotRunway } from '../../../src/rules/slotRunway';
import { monthlyFigures, percentile, uploadMinutes, uploadStartedAt } from '../../../src/rules/uploadHistory';
import { ledgerRow } from '../../fixtures/ledgerRow';
import { sourceImageId } from '../../fixtures/sourceImage';

const NOW = new Date('2026-12-01T00:00:00Z');
let made = 0;

/** A registration created at `created`, ready `minutes` later (null: not ready). */
function upload(created: string, minutes: number | null, overrides: Partial<LedgerRow> = {}): LedgerRow {
  made += 1;
  const start = Date.parse(created);
  return ledgerRow({
    sourceImageResourceId: sourceImageId(`img-${made}-1.0.0`),
    version: `1.0.${made}`,
    createdAt: created,
    imageCreatedAt: created,
    pendingSince: created,
    readyAt: minutes === null ? null : new Date(start + minutes * 60_000).toISOString(),
    state: minutes === null ? 'pending' : 'ready',
    ...overrides,
  });
}

describe('upload times', () => {
  it('measures create to ready in minutes, and nothing when an end is unknown', () => {
    expect(uploadMinutes(upload('2026-11-01T10:00:00.000Z', 42))).toBe(42);
    expect(uploadMinutes(upload('2026-11-01T10:00:00.000Z', null))).toBeNull();
    expect(uploadMinutes(upload('2026-11-01T10:00:00.000Z', 42, { imageCreatedAt: null, pendingSince: null }))).toBeNull();
    expect(uploadMinutes(upload('2026-11-01T10:00:00.000Z', -5))).toBeNull();
  });

  it("recovers an earlier release's create time from pendingSince only when no retryUpload moved it", () => {
    const legacy = upload('2026-11-01T10:00:00.000Z', 30, { imageCreatedAt: null, pendingSince: '2026-11-01T10:05:00.000Z' });
    expect(uploadStartedAt(legacy)).toBe('2026-11-01T10:05:00.000Z');
    expect(uploadStartedAt({ ...legacy, retryUploads: 1 })).toBeNull();
    expect(uploadStartedAt({ ...legacy, imageCreatedAt: '2026-11-01T10:01:00.000Z', retryUploads: 1 })).toBe('2026-11-01T10:01:00.000Z');
  });

  it('takes the nearest-rank percentile', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(
      percentile(
        [...Array(20).keys()].map((n) => n + 1),
        95,
      ),
    ).toBe(19);
  });
});

describe('monthly figures', () => {
  it('counts registrations, ready uploads, median and p95, and failures by errorCode per month; skips are not registrations', () => {
    const rows = [
      upload('2026-10-03T10:00:00.000Z', 30),
      upload('2026-10-10T10:00:00.000Z', 50),
      upload('2026-10-20T10:00:00.000Z', 200),
      upload('2026-10-21T10:00:00.000Z', null, { state: 'failed', errorCode: 'sourceImageNotGeneralized', readyAt: null }),
      upload('2026-11-02T10:00:00.000Z', null, { state: 'failed', errorCode: 'internalServerError' }),
      upload('2026-11-03T10:00:00.000Z', null, { state: 'failed', errorCode: 'internalServerError' }),
      upload('2026-11-04T10:00:00.000Z', null, { state: 'skipped', reason: 'gen1' }),
    ];
    expect(monthlyFigures(rows)).toEqual([
      {
        month: '2026-10',
        registrations: 4,
        ready: 3,
        uploadMinutes: { measured: 3, median: 50, p95: 200 },
        failures: { sourceImageNotGeneralized: 1 },
      },
      {
        month: '2026-11',
        registrations: 2,
        ready: 0,
        uploadMinutes: { measured: 0, median: null, p95: null },
        failures: { internalServerError: 2 },
      },
    ]);
  });
});

describe('slot runway', () => {
  const count = (inUse: number, keepVersions: number) => ({ inUse, limit: 20, keepVersions, at: '2026-11-30T12:00:00.000Z' });
  /** `n` versions of one display name, one every `everyDays` days up to NOW. */
  const versions = (name: string, n: number, everyDays: number) =>
    Array.from({ length: n }, (_, index) =>
      upload(new Date(NOW.getTime() - (n - index) * everyDays * 86_400_000).toISOString(), 30, { displayName: name }),
    );

  it('without retention, every registration of the last 90 days takes a slot: 9 in 90 days from 11 used of 20 → 90 days on', () => {
    const runway = slotRunway(versions('win11', 9, 10), count(11, 0), NOW);
    expect(runway).toMatchObject({ registrationsInPace: 9, newSlotsInPace: 9, slotsPerDay: 0.1, runsOutOn: '2027-02-28' });
  });

  it('with retention, new versions of a display name that holds its N replace one: never', () => {
    const rows = [
      ...versions('win11', 9, 10).map((row, index) =>
        index < 6 ? { ...row, createdAt: '2025-01-01T00:00:00.000Z', imageCreatedAt: `2025-01-0${index + 1}T00:00:00.000Z` } : row,
      ),
    ];
    expect(slotRunway(rows, count(11, 2), NOW)).toMatchObject({ registrationsInPace: 3, newSlotsInPace: 0, runsOutOn: 'never' });
  });

  it('with retention, new display names still take slots', () => {
    const rows = [...versions('a', 3, 20), ...versions('b', 3, 20), ...versions('c', 1, 20)];
    // keep 2: a and b take 2 each, c takes 1, all within 90 days: 5 slots in 90 days, 9 free → 162 days.
    expect(slotRunway(rows, count(11, 2), NOW)).toMatchObject({ newSlotsInPace: 5, runsOutOn: '2027-05-11' });
  });

  it('says the count date when the tenant is full already, and never with no registration in 90 days', () => {
    expect(slotRunway([], count(20, 0), NOW).runsOutOn).toBe('2026-11-30');
    expect(slotRunway([], count(3, 0), NOW).runsOutOn).toBe('never');
  });
});
