// What the ledger knows over time (DESIGN §16, `image-sync report`), per month: registrations, how
// long uploads took from create to ready, and failures by errorCode. Pure: the ledger's rows in.
import type { LedgerRow } from '../domain';

/** A ledger row that stands for a registration (a device image was or is to be made), not a skip. */
export function isRegistration(row: LedgerRow): boolean {
  return row.version !== null && row.state !== 'skipped';
}

/**
 * When the registration's upload started: the create's answer (`imageCreatedAt`). Rows of earlier
 * releases kept none; their `pendingSince` is the create's time when no retryUpload moved it since.
 */
export function uploadStartedAt(row: LedgerRow): string | null {
  if ((row.imageCreatedAt ?? null) !== null) return row.imageCreatedAt ?? null;
  return row.retryUploads === 0 ? row.pendingSince : null;
}

/** When the registration started, for bucketing and pace: its upload's start, else its row's creation. */
export function registeredAt(row: LedgerRow): string {
  return uploadStartedAt(row) ?? row.createdAt;
}

/** Minutes from create to ready; null when either end is unknown (or they are out of order). */
export function uploadMinutes(row: LedgerRow): number | null {
  const started = uploadStartedAt(row);
  const ready = row.readyAt ?? null;
  if (started === null || ready === null) return null;
  const ms = Date.parse(ready) - Date.parse(started);
  return Number.isFinite(ms) && ms >= 0 ? ms / 60_000 : null;
}

/** The nearest-rank percentile of sorted values (p in 0..100). */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

export interface MonthFigures {
  /** `YYYY-MM` (UTC) of the registrations' start. */
  readonly month: string;
  readonly registrations: number;
  readonly ready: number;
  /** Uploads measured from create to ready, in minutes (one decimal). */
  readonly uploadMinutes: { readonly measured: number; readonly median: number | null; readonly p95: number | null };
  /** Failed registrations by errorCode, as recorded. */
  readonly failures: Readonly<Record<string, number>>;
}

const oneDecimal = (value: number | null) => (value === null ? null : Math.round(value * 10) / 10);

/** One entry per month with a registration, oldest first. */
export function monthlyFigures(rows: readonly LedgerRow[]): MonthFigures[] {
  const months = new Map<string, { registrations: number; ready: number; minutes: number[]; failures: Map<string, number> }>();
  for (const row of rows) {
    if (!isRegistration(row)) continue;
    const month = registeredAt(row).slice(0, 7);
    const figures = months.get(month) ?? { registrations: 0, ready: 0, minutes: [], failures: new Map<string, number>() };
    months.set(month, figures);
    figures.registrations += 1;
    if ((row.readyAt ?? null) !== null || row.state === 'ready') figures.ready += 1;
    const minutes = uploadMinutes(row);
    if (minutes !== null) figures.minutes.push(minutes);
    if (row.state === 'failed') {
      const code = row.errorCode ?? 'unknown';
      figures.failures.set(code, (figures.failures.get(code) ?? 0) + 1);
    }
  }
  return [...months.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([month, figures]) => {
      const sorted = [...figures.minutes].sort((a, b) => a - b);
      return {
        month,
        registrations: figures.registrations,
        ready: figures.ready,
        uploadMinutes: { measured: sorted.length, median: oneDecimal(percentile(sorted, 50)), p95: oneDecimal(percentile(sorted, 95)) },
        failures: Object.fromEntries([...figures.failures.entries()].sort(([a], [b]) => a.localeCompare(b))),
      };
    });
}
