import { describe, expect, it } from 'vitest';
import { buildLedgerReport, renderLedgerReport } from '../../../src/cli/ledgerReport';
import type { LedgerRow } from '../../../src/domain';
import { ledgerRow } from '../../fixtures/ledgerRow';

const NOW = new Date('2026-12-06T00:00:00Z');
const count = (inUse: number, keepVersions: number) => ({ inUse, limit: 20, keepVersions, at: '2026-12-05T10:00:00.000Z' });

/** Monthly versions of one display name, from June to November 2026, each up in 45 minutes. */
const monthly: LedgerRow[] = [5, 6, 7, 8, 9, 10].map((month) => {
  const created = new Date(Date.UTC(2026, month, 12)).toISOString();
  return ledgerRow({
    version: `1.${month}.0`,
    sourceImageResourceId: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/win11-ent-1.${month}.0`,
    createdAt: created,
    imageCreatedAt: created,
    readyAt: new Date(Date.parse(created) + 45 * 60_000).toISOString(),
  });
});

describe('the report as a person reads it', () => {
  it('says "never" when retention keeps up with a monthly pipeline', () => {
    const text = renderLedgerReport(buildLedgerReport(monthly, count(4, 2), NOW), 20);
    expect(text).toMatch(
      /^MONTH\s+REGISTRATIONS\s+READY\s+UPLOAD MEDIAN\s+UPLOAD P95\s+MEASURED\s+FAILURES\n2026-06\s+1\s+1\s+45 min\s+45 min\s+1\s+-/,
    );
    expect(text).toContain(
      "At the last 90 days' pace (3 registration(s), 0 of them taking a new slot; retention keeps 2 per display name), the tenant never runs out of room at this pace.",
    );
  });

  it('gives the date without retention, says when the tenant is full, and when no reconcile has counted the slots', () => {
    expect(renderLedgerReport(buildLedgerReport(monthly, count(17, 0), NOW), 20)).toContain(
      '3 of them taking a new slot; retention off), the tenant runs out of room on 2027-03-05.',
    );
    expect(renderLedgerReport(buildLedgerReport(monthly, count(20, 0), NOW), 20)).toContain(
      'the tenant is out of room now: delete unused custom images, or set IMAGE_SYNC_KEEP_VERSIONS',
    );
    expect(renderLedgerReport(buildLedgerReport(monthly, null, NOW), 20)).toContain('Slots: not counted yet (of 20)');
  });
});
