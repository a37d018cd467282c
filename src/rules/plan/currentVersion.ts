// What to do with a source's current registration (the version its tags or name give now): an
// ordered chain of decisions, the first that answers wins.
//   1. followDeviceImageInGraph: Graph holds a device image of it: adopt it, resume its status check, or leave it.
//   2. skipIneligible: the source's tags or name make it ineligible.
//   Then, for an eligible registration with no device image in Graph (BEFORE_POSTING, in order):
//   3. skipNameVersionTaken: another source claims the same display name and version.
//   4. leaveWithoutCause: its row asks for nothing (in flight, failed without a manual retry, retired, retiring).
//   5. skipGalleryRegion: copy mode (DESIGN §17), a gallery version not replicated to the staging group's region.
//   6. skipNotVisibleToWindows365: never posted, and getSourceImages does not list the source (not
//      asked of gallery versions in copy mode: their copy does not exist before the job).
//   7. skipPastTenantImageLimit: it needs a slot and the tenant has none free.
//   8. register: post it (taking a slot of the tenant's limit when it holds none).
import { type DeviceImage, type LedgerRow, type SkipReason, type SourceImage, sourceImageKey } from '../../domain';
import { type Eligibility, skipFix } from '../eligibility';
import type { Occupancy } from '../occupancy';
import { slotName } from '../slotName';
import { registerCause, tracks } from '../lifecycle';
import { originFound } from './deviceImageMatching';
import type { PlanAction, PlanInput, PlannedImage } from './inputAndOutput';
import { isOverdue } from '../times';
import { registerJob } from './registerJob';

/** A source at its current version, with its ledger row and the device image Graph holds for it. */
export interface CurrentVersion {
  readonly image: SourceImage;
  /** Its registration key. */
  readonly key: string;
  readonly row: LedgerRow | undefined;
  /** Undefined when Graph holds none (or the source has no version). */
  readonly deviceImage: DeviceImage | undefined;
  readonly eligibility: Eligibility;
}

/** An eligible current version Graph holds no device image of: a candidate for posting. */
export interface Candidate extends CurrentVersion {
  readonly eligibility: Extract<Eligibility, { eligible: true }>;
}

export interface CurrentVersionContext extends Pick<
  PlanInput,
  'trigger' | 'now' | 'staleAfterMs' | 'capacity' | 'visibleToWindows365' | 'galleryCopy'
> {
  /** Sources (`sourceImageKey`) whose display name and version another source holds, and which. */
  readonly takenBy: ReadonlyMap<string, readonly string[]>;
  /** The tenant's slots in use so far in this plan; a registration that needs one takes it. */
  readonly occupied: Occupancy;
}

/** The action on the current registration (null: none) and the line the plan command prints for it. */
export interface CurrentVersionDecision {
  readonly action: PlanAction | null;
  readonly planned: PlannedImage;
}

type CandidateDecision = (candidate: Candidate, context: CurrentVersionContext) => CurrentVersionDecision | undefined;

function planned(
  current: CurrentVersion,
  outcome: PlannedImage['outcome'],
  details: Partial<Pick<PlannedImage, 'displayName' | 'deviceImageId' | 'reason' | 'fix' | 'cause'>> = {},
): PlannedImage {
  const { image, row, eligibility } = current;
  return {
    sourceImageResourceId: image.id,
    ledgerState: row?.state ?? null,
    reason: null,
    fix: null,
    cause: null,
    displayName: eligibility.displayName,
    version: eligibility.version,
    deviceImageId: row?.deviceImageId ?? null,
    ...details,
    outcome,
  };
}

function skip(current: CurrentVersion, reason: SkipReason, fix: string): CurrentVersionDecision {
  const { displayName, version } = current.eligibility;
  return {
    action: { kind: 'skip', sourceImage: current.image, displayName, version, reason, fix },
    planned: planned(current, 'skip', { reason, fix }),
  };
}

/** Never sent a create. */
function neverPosted(row: LedgerRow | undefined): boolean {
  return row === undefined || row.attempts === 0;
}

export function followDeviceImageInGraph(current: CurrentVersion, context: CurrentVersionContext): CurrentVersionDecision | undefined {
  const { image, row, deviceImage, eligibility } = current;
  if (deviceImage === undefined || eligibility.version === null) return undefined;
  const matched = { displayName: deviceImage.displayName, deviceImageId: deviceImage.id };
  if (!tracks(row, deviceImage)) {
    const action: PlanAction = {
      kind: 'adopt',
      sourceImage: image,
      deviceImage,
      displayName: deviceImage.displayName,
      version: eligibility.version,
      contentFingerprint: image.contentFingerprint,
      origin: originFound(row),
    };
    return { action, planned: planned(current, 'adopt', matched) };
  }
  if (row.state === 'pending' && isOverdue(row.nextCheckAt, context.now, context.staleAfterMs))
    return { action: { kind: 'resumeStatusCheck', row }, planned: planned(current, 'resumeStatusCheck', matched) };
  return { action: null, planned: planned(current, 'unchanged', matched) };
}

export const skipNameVersionTaken: CandidateDecision = (candidate, context) => {
  const losesTo = context.takenBy.get(sourceImageKey(candidate.image.id));
  if (losesTo === undefined) return undefined;
  return skip(candidate, 'name-version-taken', skipFix('name-version-taken', candidate.image, { takenBy: losesTo }));
};

function leave(current: CurrentVersion): CurrentVersionDecision {
  return { action: null, planned: planned(current, 'unchanged') };
}

export const leaveWithoutCause: CandidateDecision = (candidate, context) =>
  registerCause(candidate.row, context.trigger, context.now, context.staleAfterMs) === null ? leave(candidate) : undefined;

/** Copy mode: the registration of a gallery version posts its managed-image copy, made by the job. */
function isCopied(candidate: Candidate, context: CurrentVersionContext): boolean {
  return context.galleryCopy !== undefined && candidate.image.gallery !== undefined;
}

export const skipGalleryRegion: CandidateDecision = (candidate, context) => {
  const { galleryCopy } = context;
  const stagingRegion = galleryCopy?.stagingRegion ?? null;
  const gallery = candidate.image.gallery;
  if (!isCopied(candidate, context) || gallery === undefined || stagingRegion === null) return undefined;
  if (gallery.targetRegions.includes(stagingRegion)) return undefined;
  const fix = skipFix('gallery-region', candidate.image, {
    stagingRegion,
    ...(galleryCopy === undefined ? {} : { stagingResourceGroup: galleryCopy.stagingResourceGroup }),
  });
  return skip(candidate, 'gallery-region', fix);
};

export const skipNotVisibleToWindows365: CandidateDecision = (candidate, context) => {
  const visible = context.visibleToWindows365;
  if (isCopied(candidate, context) || !neverPosted(candidate.row) || visible === null || visible.has(sourceImageKey(candidate.image.id)))
    return undefined;
  return skip(candidate, 'not-visible-to-windows365', skipFix('not-visible-to-windows365', candidate.image));
};

export const skipPastTenantImageLimit: CandidateDecision = (candidate, context) => {
  const { capacity, occupied } = context;
  if (capacity === null || occupied.holds(slotName(candidate.key)) || occupied.inUse < capacity.limit) return undefined;
  const fix = skipFix('tenant-image-limit', candidate.image, { tenantImageLimit: capacity.limit, imagesInUse: occupied.inUse });
  return skip(candidate, 'tenant-image-limit', fix);
};

/** The skips and leaves checked, in order, before an eligible registration is posted. */
export const BEFORE_POSTING: readonly CandidateDecision[] = [
  skipNameVersionTaken,
  leaveWithoutCause,
  skipGalleryRegion,
  skipNotVisibleToWindows365,
  skipPastTenantImageLimit,
];

/** Posts the candidate; one that holds no slot yet takes one (when the tenant's room is checked). */
export function register(candidate: Candidate, context: CurrentVersionContext): CurrentVersionDecision {
  const { image, key, row, eligibility } = candidate;
  const { trigger, now, staleAfterMs, capacity, occupied } = context;
  const cause = registerCause(row, trigger, now, staleAfterMs);
  if (cause === null) return leave(candidate); // leaveWithoutCause answers first in the chain
  const needsSlot = !occupied.holds(slotName(key));
  if (capacity !== null && needsSlot) occupied.take(slotName(key));
  const { displayName, version } = eligibility;
  const job = registerJob(
    { sourceImageResourceId: image.id, displayName, version, contentFingerprint: image.contentFingerprint },
    trigger,
    now,
  );
  return {
    action: {
      kind: 'register',
      sourceImage: image,
      job,
      cause,
      needsSlot,
      firstCreate: neverPosted(row),
      contentFingerprint: image.contentFingerprint,
    },
    planned: planned(candidate, 'register', { deviceImageId: null, cause }),
  };
}

export function decideCurrentVersion(current: CurrentVersion, context: CurrentVersionContext): CurrentVersionDecision {
  const inGraph = followDeviceImageInGraph(current, context);
  if (inGraph !== undefined) return inGraph;
  const { eligibility } = current;
  if (!eligibility.eligible) return skip(current, eligibility.reason, skipFix(eligibility.reason, current.image));
  const candidate: Candidate = { ...current, eligibility };
  for (const decide of BEFORE_POSTING) {
    const decision = decide(candidate, context);
    if (decision !== undefined) return decision;
  }
  return register(candidate, context);
}
