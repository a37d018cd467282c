// The planner: given what ARM, Graph and the ledger say, what should happen to each in-scope source
// image. Pure; the reconcile, event and CLI handlers do the I/O around it.
//
// Decisions (beyond DESIGN §4):
// - A source image that already has a device image in Graph is matched to it whatever its naming or
//   eligibility says now: nothing would be posted, and skipping it would hide a real device image.
//   Adopt records the device image's own displayName and version.
// - When Graph holds several device images for one source, the ledger's deviceImageId picks one;
//   otherwise the most usable (ready, then pending, then others), then the most recently modified.
// - A pending or ready row whose device image has vanished from Graph is registered again: the image
//   is still opted in, so the app puts it back. To retire an image, remove its opt-in tag.
// - A queued or creating row not updated for staleAfterMs (exactly staleAfterMs counts) lost its job:
//   register again; the register handler looks Graph up before it posts. The same age rule applies
//   to a pending row's nextCheckAt. An unreadable timestamp counts as stale, so the row heals.
// - A failed row stays failed until an explicit retry (trigger 'manual'), or until Graph says its
//   device image is ready after all (then it is adopted as ready).
// - A skipped row is judged afresh, so fixing a tag makes the image eligible on the next reconcile.
// - Out-of-scope images produce nothing. The same source listed twice is planned once.
import type { ImageScope } from '../config';
import {
  type DeviceImage,
  type LedgerRow,
  type LedgerState,
  type RegisterJob,
  type RegisterTrigger,
  type SkipReason,
  type SourceImage,
  sourceImageKey,
} from '../domain';
import { checkEligibility, skipFix } from './eligibility';
import { collectNameVersionClaims, resolveNameVersionClaims } from './nameVersionClaims';
import { isInScope } from './scope';

export interface PlanInput {
  readonly sourceImages: readonly SourceImage[];
  /** The tenant's whole list. */
  readonly deviceImages: readonly DeviceImage[];
  /** Every image row of the ledger. */
  readonly ledger: readonly LedgerRow[];
  /** With trigger 'manual' the caller passes `{ kind: 'all' }`: the caller chose the image. */
  readonly scope: ImageScope;
  readonly trigger: RegisterTrigger;
  readonly now: Date;
  /** How long a queued/creating row or an overdue status check may sit before its message counts as lost. */
  readonly staleAfterMs: number;
}

export interface SkipAction {
  readonly kind: 'skip';
  readonly sourceImage: SourceImage;
  readonly displayName: string | null;
  readonly version: string | null;
  readonly reason: SkipReason;
  readonly fix: string;
}

export interface AdoptAction {
  readonly kind: 'adopt';
  readonly sourceImage: SourceImage;
  readonly deviceImage: DeviceImage;
  /** The device image's own displayName and version. */
  readonly displayName: string;
  readonly version: string;
}

export interface ResumeStatusCheckAction {
  readonly kind: 'resumeStatusCheck';
  readonly row: LedgerRow;
}

/** Why an image is (re)registered; for logs and the plan command. */
export type RegisterCause = 'new' | 'now-eligible' | 'job-lost' | 'device-image-vanished' | 'manual-retry';

export interface RegisterAction {
  readonly kind: 'register';
  readonly sourceImage: SourceImage;
  readonly job: RegisterJob;
  readonly cause: RegisterCause;
}

export type PlanAction = SkipAction | AdoptAction | ResumeStatusCheckAction | RegisterAction;

export type PlanOutcome = PlanAction['kind'] | 'unchanged';

/** One in-scope source image and what the plan would do with it. */
export interface PlannedImage {
  readonly sourceImageResourceId: string;
  readonly displayName: string | null;
  readonly version: string | null;
  readonly outcome: PlanOutcome;
  /** The ledger row's state before the plan; null when there is no row. */
  readonly ledgerState: LedgerState | null;
  /** The matched device image in Graph, else the ledger's. */
  readonly deviceImageId: string | null;
  readonly reason: SkipReason | null;
  readonly fix: string | null;
  readonly cause: RegisterCause | null;
}

export interface Plan {
  readonly actions: readonly PlanAction[];
  /** Every in-scope source image, in listing order. */
  readonly images: readonly PlannedImage[];
}

function isOverdue(timestamp: string | null, now: Date, staleAfterMs: number): boolean {
  if (timestamp === null) return true;
  const at = Date.parse(timestamp);
  return Number.isNaN(at) || now.getTime() - at >= staleAfterMs;
}

function sameId(a: string | null, b: string): boolean {
  return a !== null && a.toLowerCase() === b.toLowerCase();
}

const STATUS_RANK: Readonly<Record<string, number>> = { ready: 0, warning: 0, pending: 1 };

function chooseDeviceImage(candidates: readonly DeviceImage[], row: LedgerRow | undefined): DeviceImage | undefined {
  const known = candidates.find((deviceImage) => sameId(row?.deviceImageId ?? null, deviceImage.id));
  if (known !== undefined) return known;
  const rank = (deviceImage: DeviceImage) => STATUS_RANK[deviceImage.status.toLowerCase()] ?? 2;
  const modified = (deviceImage: DeviceImage) => Date.parse(deviceImage.lastModifiedDateTime ?? '') || 0;
  return [...candidates].sort(
    (a, b) => rank(a) - rank(b) || modified(b) - modified(a) || a.id.localeCompare(b.id),
  )[0];
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group === undefined) groups.set(key(item), [item]);
    else group.push(item);
  }
  return groups;
}

function uniqueInScope(sourceImages: readonly SourceImage[], scope: ImageScope): SourceImage[] {
  const seen = new Set<string>();
  return sourceImages.filter((image) => {
    const key = sourceImageKey(image.id);
    if (seen.has(key) || !isInScope(image, scope)) return false;
    seen.add(key);
    return true;
  });
}

/** What to do with each in-scope source image. */
export function plan(input: PlanInput): Plan {
  const { now, staleAfterMs, trigger } = input;
  const inScope = uniqueInScope(input.sourceImages, input.scope);
  const inScopeKeys = new Set(inScope.map((image) => sourceImageKey(image.id)));
  const rows = new Map<string, LedgerRow>();
  for (const row of input.ledger) {
    const key = sourceImageKey(row.sourceImageResourceId);
    if (!rows.has(key)) rows.set(key, row);
  }
  const deviceImagesBySource = groupBy(input.deviceImages, (deviceImage) => sourceImageKey(deviceImage.sourceImageResourceId));

  const judged = inScope.map((image) => {
    const key = sourceImageKey(image.id);
    const row = rows.get(key);
    const deviceImage = chooseDeviceImage(deviceImagesBySource.get(key) ?? [], row);
    return { image, row, deviceImage, eligibility: checkEligibility(image) };
  });

  const candidates = judged.flatMap(({ image, row, deviceImage, eligibility }) =>
    deviceImage === undefined && eligibility.eligible
      ? [{ sourceImageResourceId: image.id, displayName: eligibility.displayName, version: eligibility.version, row }]
      : [],
  );
  const claims = collectNameVersionClaims({ deviceImages: input.deviceImages, ledger: input.ledger, listed: inScopeKeys, candidates });
  const takenBy = resolveNameVersionClaims(claims);

  const actions: PlanAction[] = [];
  const images: PlannedImage[] = [];
  for (const { image, row, deviceImage, eligibility } of judged) {
    const ledgerState = row?.state ?? null;
    const base = { sourceImageResourceId: image.id, ledgerState, reason: null, fix: null, cause: null };

    if (deviceImage !== undefined) {
      const matched = { ...base, displayName: deviceImage.displayName, version: deviceImage.version, deviceImageId: deviceImage.id };
      // Graph is the truth about an upload: a row failed by the app (a poisoned status check, say)
      // whose device image Graph calls ready is adopted as ready.
      const failedButReady = row?.state === 'failed' && ['ready', 'warning'].includes(deviceImage.status.toLowerCase());
      const tracksIt = row !== undefined && ['pending', 'ready', 'failed'].includes(row.state) && sameId(row.deviceImageId, deviceImage.id) && !failedButReady;
      if (!tracksIt) {
        actions.push({ kind: 'adopt', sourceImage: image, deviceImage, displayName: deviceImage.displayName, version: deviceImage.version });
        images.push({ ...matched, outcome: 'adopt' });
      } else if (row.state === 'pending' && isOverdue(row.nextCheckAt, now, staleAfterMs)) {
        actions.push({ kind: 'resumeStatusCheck', row });
        images.push({ ...matched, outcome: 'resumeStatusCheck' });
      } else {
        images.push({ ...matched, outcome: 'unchanged' });
      }
      continue;
    }

    const named = { displayName: eligibility.displayName, version: eligibility.version };
    const skip = (reason: SkipReason, fix: string) => {
      actions.push({ kind: 'skip', sourceImage: image, ...named, reason, fix });
      images.push({ ...base, ...named, reason, fix, deviceImageId: row?.deviceImageId ?? null, outcome: 'skip' });
    };
    if (!eligibility.eligible) {
      skip(eligibility.reason, skipFix(eligibility.reason, image));
      continue;
    }
    const losesTo = takenBy.get(sourceImageKey(image.id));
    if (losesTo !== undefined) {
      skip('name-version-taken', skipFix('name-version-taken', image, { takenBy: losesTo }));
      continue;
    }

    const cause = registerCause(row, trigger, now, staleAfterMs);
    if (cause === null) {
      images.push({ ...base, ...named, deviceImageId: row?.deviceImageId ?? null, outcome: 'unchanged' });
      continue;
    }
    const { displayName, version } = eligibility;
    const job: RegisterJob = { v: 1, sourceImageResourceId: image.id, displayName, version, trigger, enqueuedAt: now.toISOString() };
    actions.push({ kind: 'register', sourceImage: image, job, cause });
    images.push({ ...base, displayName, version, deviceImageId: null, outcome: 'register', cause });
  }
  return { actions, images };
}

/** Why an eligible image without a device image in Graph should be registered; null: leave it be. */
function registerCause(row: LedgerRow | undefined, trigger: RegisterTrigger, now: Date, staleAfterMs: number): RegisterCause | null {
  if (row === undefined) return 'new';
  switch (row.state) {
    case 'skipped':
      return 'now-eligible';
    case 'queued':
    case 'creating':
      return isOverdue(row.updatedAt, now, staleAfterMs) ? 'job-lost' : null;
    case 'pending':
    case 'ready':
      return 'device-image-vanished';
    case 'failed':
      return trigger === 'manual' ? 'manual-retry' : null;
  }
}
