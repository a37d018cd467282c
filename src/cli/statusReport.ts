// The status document of the contract (DESIGN §5; contract/status.schema.json), built from
// the ledger. `status` shows every row; `sync` narrows it to the images in scope of its run.
import {
  ATTENTION_SKIP_REASONS,
  type LedgerRow,
  type Problem,
  type RingRollout,
  type SkipReason,
  type SourceKind,
  sourceImageKey,
  sourceKindOf,
} from '../domain';
import { describeWarning, warningsOf } from '../rules/warnings';

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
  readonly osStatus: string | null;
  readonly expirationDate: string | null;
  /** Things to act on that block nothing (DESIGN §13), each `code: what to do`. */
  readonly warnings: readonly string[];
  /** Display names of the provisioning policies that use the device image (as the last reconcile read them). */
  readonly policies: readonly string[];
  /** Contract 3: a managed image or (DESIGN §17) a gallery image version, told from the source's id. */
  readonly sourceKind: SourceKind;
  /** Contract 3, image currency (DESIGN §16) as the last reconcile judged it: Graph's full OS build of the device image. */
  readonly osVersionNumber: string | null;
  /** The newest quality update of the image's Windows release; null when not judged (not the newest ready version, or no catalogue match). */
  readonly latestBuild: string | null;
  /** Patch Tuesdays (release months) behind latestBuild; null when not judged. */
  readonly patchLag: number | null;
}

/**
 * A ring rollout of contract 3 (DESIGN §18): its current ring (1-based) of `rings`, that ring's
 * policies as the tag names them, and the new Cloud PCs the gate counted in it at its last read.
 * `since`: when the ring's soak started (when its PATCHes began, while they are not all done).
 */
export interface StatusRollout {
  readonly displayName: string;
  readonly version: string;
  readonly ring: number;
  readonly rings: number;
  readonly state: 'soaking' | 'complete' | 'halted' | 'rolled-back' | 'superseded';
  readonly policies: readonly string[];
  readonly provisioned: number;
  readonly failed: number;
  readonly since: string;
}

export interface StatusSummary {
  readonly inScope: number;
  readonly registered: number;
  readonly ready: number;
  readonly failed: number;
  readonly skipped: number;
  readonly retired: number;
  /** Registrations with at least one warning. */
  readonly warnings: number;
  readonly problems: number;
}

export interface StatusReport {
  readonly images: readonly StatusImage[];
  readonly rollouts: readonly StatusRollout[];
  readonly problems: readonly Problem[];
  readonly summary: StatusSummary;
}

export interface StatusOptions {
  readonly now: Date;
  readonly expiryWarningDays: number;
  /** Only these source images (the ones in scope of a sync run), in any casing; all when absent. */
  readonly inScopeIds?: readonly string[];
  /** The ring rollouts the ledger holds (DESIGN §18); none when absent. */
  readonly rollouts?: readonly RingRollout[];
}

export function toStatusRollout(rollout: RingRollout): StatusRollout {
  return {
    displayName: rollout.displayName,
    version: rollout.version,
    ring: rollout.ring,
    rings: rollout.rings.length,
    state: rollout.state,
    policies: rollout.rings[rollout.ring - 1] ?? [],
    provisioned: rollout.provisioned,
    failed: rollout.failed,
    since: rollout.since ?? rollout.ringStartedAt,
  };
}

function toStatusImage(row: LedgerRow, options: StatusOptions): StatusImage {
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
    osStatus: row.osStatus,
    expirationDate: row.expirationDate,
    warnings: warningsOf(row, options.now, options.expiryWarningDays).map(describeWarning),
    policies: row.policies,
    sourceKind: sourceKindOf(row.sourceImageResourceId),
    osVersionNumber: row.osVersionNumber ?? null,
    latestBuild: row.latestBuild ?? null,
    patchLag: row.patchLag ?? null,
  };
}

const STATE_ORDER: Readonly<Record<LedgerRow['state'], number>> = {
  failed: 0,
  creating: 1,
  queued: 2,
  pending: 3,
  ready: 4,
  skipped: 5,
  retired: 6,
};

/** One entry per registration (a source image at a version), most urgent first. */
export function buildStatusReport(rows: readonly LedgerRow[], problems: readonly Problem[], options: StatusOptions): StatusReport {
  const wanted = options.inScopeIds === undefined ? null : new Set(options.inScopeIds.map(sourceImageKey));
  const images = rows
    .filter((row) => wanted === null || wanted.has(sourceImageKey(row.sourceImageResourceId)))
    .map((row) => toStatusImage(row, options))
    .sort(
      (a, b) =>
        STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
        (a.displayName ?? '').localeCompare(b.displayName ?? '') ||
        (a.version ?? '').localeCompare(b.version ?? '', undefined, { numeric: true }) ||
        a.sourceImageResourceId.localeCompare(b.sourceImageResourceId),
    );
  const count = (state: LedgerRow['state']) => images.filter((image) => image.state === state).length;
  return {
    images,
    rollouts: (options.rollouts ?? [])
      .filter((rollout) => wanted === null || wanted.has(sourceImageKey(rollout.sourceImageResourceId)))
      .map(toStatusRollout)
      .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.version.localeCompare(b.version, undefined, { numeric: true })),
    problems,
    summary: {
      inScope: images.length,
      registered: images.filter((image) => image.deviceImageId !== null).length,
      ready: count('ready'),
      failed: count('failed'),
      skipped: count('skipped'),
      retired: count('retired'),
      warnings: images.filter((image) => image.warnings.length > 0).length,
      problems: problems.length,
    },
  };
}

export const EXIT_OK = 0;
export const EXIT_COULD_NOT_RUN = 1;
export const EXIT_NEEDS_ATTENTION = 2;

function needsAttention(image: StatusImage): boolean {
  if (image.state === 'skipped') return ATTENTION_SKIP_REASONS.includes(image.reason as SkipReason);
  return image.state !== 'ready' && image.state !== 'retired';
}

/**
 * 0: every registration ready, retired or skipped for a reason a tag fixes, and no problem; 2:
 * anything else (failed, unfinished, tenant-image-limit, not-visible-to-windows365, problems).
 * Warnings never change it.
 */
export function exitCodeFor(report: StatusReport): number {
  return report.images.some(needsAttention) || report.problems.length > 0 ? EXIT_NEEDS_ATTENTION : EXIT_OK;
}
