// The `image-sync report` document (DESIGN §16): what the ledger knows over time, from the ledger
// alone. `slots` is null until a reconcile has counted them.
import type { LedgerRow } from '../domain';
import type { TenantSlotCount } from '../ports';
import { type SlotRunway, PACE_DAYS, slotRunway } from '../rules/slotRunway';
import { type MonthFigures, isRegistration, monthlyFigures, uploadMinutes } from '../rules/uploadHistory';
import { renderTable } from './table';

export interface LedgerReport {
  readonly generatedAt: string;
  readonly months: readonly MonthFigures[];
  readonly slots: SlotRunway | null;
  /** Registrations whose upload time is unknown (rows of earlier releases, adopted images, uploads not ready). */
  readonly unmeasured: number;
}

export function buildLedgerReport(rows: readonly LedgerRow[], count: TenantSlotCount | null, now: Date): LedgerReport {
  const registrations = rows.filter(isRegistration);
  return {
    generatedAt: now.toISOString(),
    months: monthlyFigures(registrations),
    slots: count === null ? null : slotRunway(registrations, count, now),
    unmeasured: registrations.filter((row) => uploadMinutes(row) === null).length,
  };
}

const minutes = (value: number | null) => (value === null ? '-' : value < 120 ? `${value} min` : `${Math.round(value / 6) / 10} h`);

function failuresLabel(failures: Readonly<Record<string, number>>): string {
  const entries = Object.entries(failures);
  return entries.length === 0 ? '-' : entries.map(([code, count]) => `${code} ${count}`).join(', ');
}

function slotsLine(slots: SlotRunway | null, limit: number): string {
  if (slots === null) return `Slots: not counted yet (of ${limit}): the reconcile records them; run it (or \`image-sync sync\`) once.`;
  const retention = slots.keepVersions === 0 ? 'retention off' : `retention keeps ${slots.keepVersions} per display name`;
  const pace = `${slots.registrationsInPace} registration(s), ${slots.newSlotsInPace} of them taking a new slot; ${retention}`;
  const when =
    slots.runsOutOn === 'never'
      ? 'the tenant never runs out of room at this pace'
      : slots.inUse >= slots.limit
        ? 'the tenant is out of room now: delete unused custom images, or set IMAGE_SYNC_KEEP_VERSIONS'
        : `the tenant runs out of room on ${slots.runsOutOn}`;
  return `Slots: ${slots.inUse} of ${slots.limit} in use (as of the last reconcile, ${slots.asOf}).\nAt the last ${PACE_DAYS} days' pace (${pace}), ${when}.`;
}

export function renderLedgerReport(report: LedgerReport, limit: number): string {
  const sections: string[] = [];
  if (report.months.length === 0) sections.push('No registration in the ledger yet.');
  else
    sections.push(
      renderTable(report.months, [
        { header: 'MONTH', value: (month) => month.month },
        { header: 'REGISTRATIONS', value: (month) => String(month.registrations) },
        { header: 'READY', value: (month) => String(month.ready) },
        { header: 'UPLOAD MEDIAN', value: (month) => minutes(month.uploadMinutes.median) },
        { header: 'UPLOAD P95', value: (month) => minutes(month.uploadMinutes.p95) },
        { header: 'MEASURED', value: (month) => String(month.uploadMinutes.measured) },
        { header: 'FAILURES', value: (month) => failuresLabel(month.failures), max: 100 },
      ]),
    );
  if (report.unmeasured > 0)
    sections.push(
      `${report.unmeasured} registration(s) without a measured upload (failed, not ready yet, adopted ready, or recorded by an earlier release without its create time).`,
    );
  sections.push(slotsLine(report.slots, limit));
  return sections.join('\n\n');
}
