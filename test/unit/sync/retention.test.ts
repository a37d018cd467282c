import { describe, expect, it } from 'vitest';
import type { LedgerRow, ProvisioningPolicy } from '../../../src/domain';
import { planRetention, registeredByApp } from '../../../src/rules/retention';
import { deviceImage } from '../../fixtures/deviceImage';
import { ledgerRow } from '../../fixtures/ledgerRow';
import { sourceImageId } from '../../fixtures/sourceImage';

/** A registration of win11-ent the app posted, with a device image id of its own. */
function version(v: string, overrides: Partial<LedgerRow> = {}): LedgerRow {
  return ledgerRow({
    sourceImageResourceId: sourceImageId('win11-ent'),
    version: v,
    deviceImageId: `00000000-0000-4000-8000-${v.replace(/\./g, '').padStart(12, '0')}`,
    ...overrides,
  });
}

function listed(rows: readonly LedgerRow[]) {
  return rows.flatMap((row) =>
    row.deviceImageId === null
      ? []
      : [deviceImage({ id: row.deviceImageId, version: row.version ?? '', sourceImageResourceId: row.sourceImageResourceId })],
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

  it('never retires what the app did not register (adopted rows have no create attempts)', () => {
    const rows = [version('1.0.0', { attempts: 0 }), version('1.1.0'), version('1.2.0')];
    expect(registeredByApp(rows[0] as LedgerRow)).toBe(false);
    expect(versions(planRetention({ ledger: rows, deviceImages: listed(rows), policies: [], keep: 1 }))).toEqual(['1.1.0']);
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

  it('finishes a retirement cut short (row retired, device image still listed) even with retention off, and leaves a gone one alone', () => {
    const rows = [version('1.0.0', { state: 'retired' }), version('1.1.0', { state: 'retired', deviceImageId: 'gone' })];
    const plan = planRetention({ ledger: rows, deviceImages: listed(rows.slice(0, 1)), policies: [], keep: 0 });
    expect(plan.retire.map((retirement) => [retirement.row.version, retirement.why])).toEqual([['1.0.0', 'unfinished']]);
  });

  it('does not count a device image Graph no longer lists (the planner records those)', () => {
    const rows = ['1.0.0', '1.1.0', '1.2.0'].map((v) => version(v));
    expect(versions(planRetention({ ledger: rows, deviceImages: listed(rows.slice(1)), policies: [], keep: 1 }))).toEqual(['1.1.0']);
  });
});
