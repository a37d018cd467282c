// What to do with a source's rows at versions other than its current one: registrations of their own
// (an image rebuilt in place with a new version gets a new device image; the old one stays until
// retention retires it) and stale skips. An ordered chain of decisions, the first that answers wins:
//   1. dropStaleSkip: a skipped row describes a version the source no longer has: dropped, except a
//      `superseded` one (the record that this version was never uploaded, DESIGN §15).
//   2. retireVanished: its device image is gone from Graph: retired (applyPlan confirms with a GET).
//   3. resumeOverdueCheck: a pending row whose status check is overdue.
//   4. supersedeUnposted: a queued row whose job was lost before any POST, and the source holds other
//      content now: this version can never be posted.
//   5. resendLostJob: a queued or creating row whose job was lost: sent again, so the register handler
//      looks Graph up first (a create may have gone out).
import type { LedgerRow, SourceImage } from '../../domain';
import { skipFix } from '../eligibility';
import type { PlanAction, PlanInput } from './inputAndOutput';
import { isOverdue } from '../times';
import { registerJob } from './registerJob';

/** A row of a source at another version than its current one. */
export interface EarlierVersion {
  readonly row: LedgerRow;
  /** The source as it is now. */
  readonly image: SourceImage;
  /** The source's version now; null when it has none. */
  readonly versionNow: string | null;
}

export interface EarlierVersionContext extends Pick<PlanInput, 'trigger' | 'now' | 'staleAfterMs'> {
  /** Lower-cased ids of the device images Graph lists. */
  readonly deviceImageIds: ReadonlySet<string>;
}

/** An action; null: leave the row as it is; undefined: not this decision's case, ask the next. */
type EarlierVersionDecision = (earlier: EarlierVersion, context: EarlierVersionContext) => PlanAction | null | undefined;

/** Known to be the same capture (an unknown one may be anything). */
function sameContent(a: string | null, b: string | null): boolean {
  return a !== null && a === b;
}

function isRegistered(row: LedgerRow): boolean {
  return (row.state === 'pending' || row.state === 'ready' || row.state === 'failed') && row.deviceImageId !== null;
}

export const dropStaleSkip: EarlierVersionDecision = ({ row }) => {
  if (row.state !== 'skipped') return undefined;
  return row.reason === 'superseded' ? null : { kind: 'dropRow', row };
};

export const retireVanished: EarlierVersionDecision = ({ row, versionNow }, { deviceImageIds }) => {
  if (!isRegistered(row) || row.deviceImageId === null || deviceImageIds.has(row.deviceImageId.toLowerCase())) return undefined;
  return {
    kind: 'retire',
    row,
    reason: `the device image was deleted outside the app; the source has been rebuilt as ${versionNow ?? 'another version'} since, so version ${row.version ?? '?'} cannot be uploaded again`,
  };
};

export const resumeOverdueCheck: EarlierVersionDecision = ({ row }, { now, staleAfterMs }) =>
  row.state === 'pending' && isOverdue(row.nextCheckAt, now, staleAfterMs) ? { kind: 'resumeStatusCheck', row } : undefined;

export const supersedeUnposted: EarlierVersionDecision = ({ row, image, versionNow }, { now, staleAfterMs }) => {
  if (row.state !== 'queued' || row.attempts !== 0 || !isOverdue(row.updatedAt, now, staleAfterMs)) return undefined;
  if (sameContent(row.contentFingerprint, image.contentFingerprint)) return undefined;
  return {
    kind: 'skip',
    sourceImage: image,
    displayName: row.displayName,
    version: row.version,
    reason: 'superseded',
    fix: skipFix('superseded', image, { supersededBy: versionNow }),
  };
};

export const resendLostJob: EarlierVersionDecision = ({ row, image }, { trigger, now, staleAfterMs }) => {
  if (row.state !== 'queued' && row.state !== 'creating') return undefined;
  if (!isOverdue(row.updatedAt, now, staleAfterMs) || row.displayName === null || row.version === null) return undefined;
  // The handler re-reads the source before any POST, so it never posts this version with the
  // content the source holds now.
  const { sourceImageResourceId, displayName, version, contentFingerprint } = row;
  return {
    kind: 'register',
    sourceImage: image,
    job: registerJob({ sourceImageResourceId, displayName, version, contentFingerprint }, trigger, now),
    cause: 'job-lost',
    needsSlot: false,
    firstCreate: false,
    contentFingerprint,
  };
};

export const EARLIER_VERSION_DECISIONS: readonly EarlierVersionDecision[] = [
  dropStaleSkip,
  retireVanished,
  resumeOverdueCheck,
  supersedeUnposted,
  resendLostJob,
];

/** The action on an earlier version's row; null: none. */
export function decideEarlierVersion(earlier: EarlierVersion, context: EarlierVersionContext): PlanAction | null {
  for (const decide of EARLIER_VERSION_DECISIONS) {
    const action = decide(earlier, context);
    if (action !== undefined) return action;
  }
  return null;
}
