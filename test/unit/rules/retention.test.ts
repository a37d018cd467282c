import { describe, expect, it } from 'vitest';
import type { DeviceImage, LedgerRow, ProvisioningPolicy } from '../../../src/domain';
import { createdByApp, planRetention } from '../../../src/rules/retention';
import { deviceImage } from '../../fixtures/deviceImage';
import { ledgerRow } from '../../fixtures/ledgerRow';
import { sourceImageId } from '../../fixtures/sourceImage';

/** A registration of win11-ent whose device image the app's POST created. */
function version(v: string, overrides: Partial<LedgerRow> = {}): LedgerRow {
  return ledgerRow({
    sourceImageResourceId: sourceImageId('win11-ent'),
    version: v,
    deviceImageId: `00000000-0000-4000-8000-${v.replace(/\./g, '').padStart(12, '0')}`,
    ...overrides,
  });
}

/** Graph's listing of the rows' device images, each with the status its row records (failed, pending, else ready). */
const statusOfRow = (row: LedgerRow): DeviceImage['status'] => (row.state === 'failed' || row.state === 'pending' ? row.state : 'ready');

function listed(rows: readonly LedgerRow[], status: (row: LedgerRow) => DeviceImage['status'] = statusOfRow) {
  return rows.flatMap((row) =>
    row.deviceImageId === null
      ? []
      : [
          deviceImage({
            id: row.deviceImageId,
            version: row.version ?? '',
            sourceImageResourceId: row.sourceImageResourceId,
            status: status(row),
          }),
        ],
  );
}

function policy(name: string, imageId: string | null, imageType = 'custom'): ProvisioningPolicy {
  return { id: `policy-${name}`, displayName: name, imageId, imageDisplayName: null, imageType };
}

const versions = (plan: ReturnType<typeof planRetention>) => plan.retire.map((retirement) => retirement.row.version).sort();

describe('retention', () => {
  it('keeps the newest N ready versions per display name and retires the older ones the app registered', () => {
    const rows = ['1.0.0', '1.2.0', '1.10.0', '1.9.0'].map((v) => version(v));
    const plan = planRetention({ ledger: rows, deviceImages: listed(rows), policies: [], keep: 2 });
    expect(versions(plan)).toEqual(['1.0.0', '1.2.0']);
    expect(plan.retire.every((retirement) => retirement.why === 'superseded' && retirement.newestReady === '1.10.0')).toBe(true);
  });

  it('never retires a device image a custom-image provisioning policy uses, and says which policy', () => {
    const rows = ['1.0.0', '1.1.0', '1.2.0'].map((v) => version(v));
    const inUse = rows[0]?.deviceImageId ?? '';
    const plan = planRetention({
      ledger: rows,
      deviceImages: listed(rows),
      policies: [policy('Engineering', inUse.toUpperCase()), policy('Gallery', rows[1]?.deviceImageId ?? '', 'gallery')],
      keep: 1,
    });
    expect(versions(plan)).toEqual(['1.1.0']);
    expect(plan.inUse).toEqual([{ row: rows[0], policies: ['Engineering'] }]);
  });

  it('never retires what the app did not create: adopted rows, and rows of earlier releases (no origin), whatever their attempts', () => {
    const rows = [
      version('0.9.0', { origin: null }),
      version('1.0.0', { origin: 'adopted', attempts: 2 }),
      version('1.1.0'),
      version('1.2.0'),
    ];
    expect(rows.map(createdByApp)).toEqual([false, false, true, true]);
    expect(versions(planRetention({ ledger: rows, deviceImages: listed(rows), policies: [], keep: 1 }))).toEqual(['1.1.0']);
  });

  it('does not count adopted versions toward the kept ones: keep 1 keeps the newest the app created', () => {
    // An administrator's 2.0.0 (adopted) is newer than the app's 1.1.0: the app's own newest stays.
    const rows = [version('1.0.0'), version('1.1.0'), version('2.0.0', { origin: 'adopted' })];
    expect(versions(planRetention({ ledger: rows, deviceImages: listed(rows), policies: [], keep: 1 }))).toEqual(['1.0.0']);
  });

  it.each(['uploadTimedOut', 'transientFailure', 'poisonMessage'])(
    'counts a version Graph lists as ready as ready though the ledger says failed (%s): keep 2 keeps it and retires the oldest',
    (errorCode) => {
      const rows = [version('1.0.0'), version('1.1.0', { state: 'failed', errorCode }), version('1.2.0')];
      const plan = planRetention({ ledger: rows, deviceImages: listed(rows, () => 'ready'), policies: [], keep: 2 });
      expect(plan.retire.map((retirement) => [retirement.row.version, retirement.why])).toEqual([['1.0.0', 'superseded']]);
    },
  );

  it('never retires a version as failed-superseded when Graph says it is usable (beta warning)', () => {
    const rows = [version('1.0.0', { state: 'failed', errorCode: 'uploadTimedOut' }), version('1.1.0')];
    const plan = planRetention({ ledger: rows, deviceImages: listed(rows, () => 'warning'), policies: [], keep: 2 });
    expect(plan.retire).toEqual([]);
  });

  it('retires a version the ledger calls ready as failed-superseded only when Graph lists it failed', () => {
    const rows = [version('1.0.0'), version('1.1.0')];
    const plan = planRetention({
      ledger: rows,
      deviceImages: listed(rows, (row) => (row.version === '1.0.0' ? 'failed' : 'ready')),
      policies: [],
      keep: 5,
    });
    expect(plan.retire.map((retirement) => [retirement.row.version, retirement.why])).toEqual([['1.0.0', 'failed-superseded']]);
  });

  it('retires failed device images a newer ready version superseded, not a failed newest one', () => {
    const rows = [version('1.0.0', { state: 'failed' }), version('1.1.0'), version('1.2.0', { state: 'failed' })];
    const plan = planRetention({ ledger: rows, deviceImages: listed(rows), policies: [], keep: 3 });
    expect(plan.retire.map((retirement) => [retirement.row.version, retirement.why])).toEqual([['1.0.0', 'failed-superseded']]);
  });

  it('retires nothing until a version is ready, and nothing with retention off', () => {
    const pending = [version('1.0.0', { state: 'failed' }), version('1.1.0', { state: 'pending' })];
    expect(planRetention({ ledger: pending, deviceImages: listed(pending), policies: [], keep: 1 }).retire).toEqual([]);
    const ready = ['1.0.0', '1.1.0'].map((v) => version(v));
    expect(planRetention({ ledger: ready, deviceImages: listed(ready), policies: [], keep: 0 }).retire).toEqual([]);
  });

  it('groups by display name whatever the casing, across source images', () => {
    const rows = [
      version('1.0.0', { displayName: 'Win11-ENT', sourceImageResourceId: sourceImageId('a') }),
      version('2.0.0', { displayName: 'win11-ent', sourceImageResourceId: sourceImageId('b') }),
      version('1.0.0', { displayName: 'kiosk', sourceImageResourceId: sourceImageId('c'), deviceImageId: 'kiosk-1' }),
    ];
    expect(
      planRetention({ ledger: rows, deviceImages: listed(rows), policies: [], keep: 1 }).retire.map(
        (retirement) => retirement.row.displayName,
      ),
    ).toEqual(['Win11-ENT']);
  });

  it('finishes a retirement cut short (a marked row, or one an earlier release retired) only when the rules allow it now', () => {
    const marked = version('1.0.0', { retiringAt: '2026-11-20T10:00:00.000Z' });
    const retired = version('1.1.0', { state: 'retired' });
    const rows = [marked, retired, version('1.2.0')];
    const allowed = planRetention({ ledger: rows, deviceImages: listed(rows), policies: [], keep: 1 });
    expect(allowed.retire.map((retirement) => [retirement.row.version, retirement.why, retirement.unfinished]).sort()).toEqual([
      ['1.0.0', 'superseded', true],
      ['1.1.0', 'superseded', true],
    ]);
    expect(allowed.keep).toEqual([]);
  });

  it('keeps an unfinished retirement with retention off, of an image the app did not create, or one now among the kept versions', () => {
    const marked = version('1.0.0', { retiringAt: '2026-11-20T10:00:00.000Z' });
    const rows = [marked, version('1.1.0')];
    const off = planRetention({ ledger: rows, deviceImages: listed(rows), policies: [], keep: 0 });
    expect(off.retire).toEqual([]);
    expect(off.keep.map((kept) => [kept.row.version, kept.why])).toEqual([['1.0.0', expect.stringMatching(/retention is off/)]]);
    expect(planRetention({ ledger: rows, deviceImages: listed(rows), policies: [], keep: 2 }).keep.map((kept) => kept.row.version)).toEqual(
      ['1.0.0'],
    );

    const legacyRetired = [version('1.0.0', { state: 'retired', origin: null }), version('1.1.0')];
    const notOwn = planRetention({ ledger: legacyRetired, deviceImages: listed(legacyRetired), policies: [], keep: 1 });
    expect(notOwn.retire).toEqual([]);
    expect(notOwn.keep.map((kept) => [kept.row.version, kept.why])).toEqual([['1.0.0', expect.stringMatching(/did not create/)]]);
  });

  it('keeps an unfinished retirement a provisioning policy now uses, naming the policy', () => {
    const marked = version('1.0.0', { retiringAt: '2026-11-20T10:00:00.000Z' });
    const rows = [marked, version('1.1.0')];
    const plan = planRetention({ ledger: rows, deviceImages: listed(rows), policies: [policy('Sales', marked.deviceImageId)], keep: 1 });
    expect(plan.retire).toEqual([]);
    expect(plan.inUse.map((kept) => kept.row.version)).toEqual(['1.0.0']);
    expect(plan.keep.map((kept) => [kept.row.version, kept.why])).toEqual([['1.0.0', 'used by provisioning policy "Sales"']]);
  });

  it('lists a marked row whose device image Graph no longer lists as gone (a GET confirms it), and leaves a retired one alone', () => {
    const marked = version('1.0.0', { retiringAt: '2026-11-20T10:00:00.000Z' });
    const rows = [marked, version('1.1.0', { state: 'retired' }), version('1.2.0')];
    const plan = planRetention({ ledger: rows, deviceImages: listed(rows.slice(2)), policies: [], keep: 0 });
    expect(plan).toEqual({ retire: [], inUse: [], keep: [], gone: [marked] });
  });

  it('does not count a device image Graph no longer lists (the planner records those)', () => {
    const rows = ['1.0.0', '1.1.0', '1.2.0'].map((v) => version(v));
    expect(versions(planRetention({ ledger: rows, deviceImages: listed(rows.slice(1)), policies: [], keep: 1 }))).toEqual(['1.1.0']);
  });
});
