// The status document of the contract (DESIGN §5; shared/contract/status.schema.json), built from
// the ledger. `status` shows every row; `sync` narrows it to the images in scope of its run.
import type { LedgerRow, Problem } from '../domain';
import { sourceImageKey } from '../domain';

export interface StatusImage {
  readonly sourceImageResourceId: string;
  readonly displayName: string | null;
  readonly version: string | null;
  readonly deviceImageId: string | null;
  readonly state: LedgerRow['state'];
  readonly errorCode: string | null;
  /** Skipped: the reason code. Failed: what to do. */
  readonly reason: string | null;
  /** Skipped: the fix in words (an addition to the contract's fields). */
  readonly fix: string | null;
  readonly updatedAt: string;
}

export interface StatusSummary {
  readonly inScope: number;
  readonly registered: number;
  readonly ready: number;
  readonly failed: number;
  readonly skipped: number;
  readonly problems: number;
}

export interface StatusReport {
  readonly images: readonly StatusImage[];
  readonly problems: readonly Problem[];
  readonly summary: StatusSummary;
}

function toStatusImage(row: LedgerRow): StatusImage {
  return {
    sourceImageResourceId: row.sourceImageResourceId,
    displayName: row.displayName,
    version: row.version,
    deviceImageId: row.deviceImageId,
    state: row.state,
    errorCode: row.errorCode,
    reason: row.reason,
    fix: row.state === 'skipped' ? (row.fix ?? null) : null,
    updatedAt: row.updatedAt,
  };
}

const STATE_ORDER: Readonly<Record<LedgerRow['state'], number>> = { failed: 0, creating: 1, queued: 2, pending: 3, ready: 4, skipped: 5 };

export function buildStatusReport(rows: readonly LedgerRow[], problems: readonly Problem[], inScopeIds?: readonly string[]): StatusReport {
  const wanted = inScopeIds === undefined ? null : new Set(inScopeIds.map(sourceImageKey));
  const images = rows
    .filter((row) => wanted === null || wanted.has(sourceImageKey(row.sourceImageResourceId)))
    .map(toStatusImage)
    .sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || (a.displayName ?? '').localeCompare(b.displayName ?? '') || (a.version ?? '').localeCompare(b.version ?? '', undefined, { numeric: true }) || a.sourceImageResourceId.localeCompare(b.sourceImageResourceId));
  const count = (state: LedgerRow['state']) => images.filter((image) => image.state === state).length;
  return {
    images,
    problems,
    summary: {
      inScope: images.length,
      registered: images.filter((image) => image.deviceImageId !== null).length,
      ready: count('ready'),
      failed: count('failed'),
      skipped: count('skipped'),
      problems: problems.length,
    },
  };
}

export const EXIT_OK = 0;
export const EXIT_COULD_NOT_RUN = 1;
export const EXIT_NEEDS_ATTENTION = 2;

/** 0: every image ready or skipped and no problem; 2: anything else (failed, unfinished, problems). */
export function exitCodeFor(report: StatusReport): number {
  const settled = report.images.every((image) => image.state === 'ready' || image.state === 'skipped');
  return settled && report.problems.length === 0 ? EXIT_OK : EXIT_NEEDS_ATTENTION;
}
