// The planner: given what ARM, Graph and the ledger say, what should happen to each in-scope source
// image and its registrations (a source image at a version, DESIGN §4). Pure; the reconcile, event
// and CLI handlers do the I/O around it.
//
// A source image's current registration is the version its tags or name give now; rows of its
// earlier versions are registrations too and are left as they are (an image rebuilt in place with a
// new version gets a new device image; the old one stays until retention retires it).
//
// Decisions (beyond DESIGN §4):
// - A device image in Graph for an in-scope source at its current version is matched to it whatever
//   its eligibility says now; one at another version the ledger does not track is adopted as a
//   registration of that version. Adopt records the device image's own displayName.
// - When Graph holds several device images for one source, the ledger's deviceImageId picks one;
//   otherwise the most usable (ready, then pending, then others), then the most recently modified.
// - A pending or ready row of the current version whose device image has vanished from Graph is
//   registered again: the image is still opted in, so the app puts it back. An earlier version's
//   device image that vanished is recorded retired (once a GET answers 404: applyPlan): its content
//   is gone from the source, so it can never be uploaded again under that version.
// - A retired registration is never posted again.
// - Posting waits for room: the tenant's images and the slots reserved for creates in flight count
//   against IMAGE_SYNC_TENANT_IMAGE_LIMIT, and a registration past it is skipped tenant-image-limit
//   (planned again every reconcile). Before a registration's first create, a source getSourceImages
//   does not list is skipped not-visible-to-windows365 (when the list could be read).
// - A source's skipped row that no longer describes it (its version changed) is dropped, except a
//   `superseded` one: it records that the version was never uploaded (DESIGN §15).
// - An earlier version's row that never posted (queued, no attempt) is skipped `superseded`: its
//   source holds other content now. One that may have posted (creating) gets its job again, and
//   the register handler looks Graph up before anything else.
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
  type DeviceImageOrigin,
  type DeviceImageStatus,
  isUsable,
  type LedgerRow,
  type LedgerState,
  type ProvisioningPolicy,
  type RegisterJob,
  type RegisterTrigger,
  type SkipReason,
  type SourceImage,
  registrationKey,
  sourceImageKey,
} from '../domain';
import { checkEligibility, skipFix } from './eligibility';
import { collectNameVersionClaims, resolveNameVersionClaims } from './nameVersionClaims';
import { parseVersion } from './naming';
import { type ObserveAction, observeRegistrations } from './observeRegistrations';
import { occupancyOf } from './occupancy';
import { isInScope } from './scope';
import { slotName } from './slotName';

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
  /** The tenant's limit and the slots reserved for creates in flight (`slotName`s); null: no room check. */
  readonly capacity: { readonly limit: number; readonly reserved: ReadonlySet<string> } | null;
  /** `sourceImageKey`s that getSourceImages lists; null when it was not (or could not be) read. */
  readonly visibleToWindows365: ReadonlySet<string> | null;
  /** The tenant's provisioning policies; null when they were not (or could not be) read. */
  readonly policies: readonly ProvisioningPolicy[] | null;
  readonly expiryWarningDays: number;
  /**
   * IMAGE_SYNC_GALLERY_SOURCES=copy (DESIGN §17): the staging group and its region (null when it was
   * not read). A gallery version not replicated there is skipped `gallery-region`, and getSourceImages
   * is not asked about gallery versions (their copy does not exist before the job). Absent otherwise.
   */
  readonly galleryCopy?: { readonly stagingResourceGroup: string; readonly stagingRegion: string | null };
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
  /** The device image's own displayName, and the registration's version. */
  readonly displayName: string;
  readonly version: string;
  /** The source's capture when the version adopted is its current one; else unknown. */
  readonly contentFingerprint: string | null;
  /** `created` only for a row still `creating` (its own POST's outcome unknown, or its worker died): DESIGN §15. */
  readonly origin: DeviceImageOrigin;
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
  /** The registration holds no slot of the tenant's limit yet: one is reserved before the job is queued. */
  readonly needsSlot: boolean;
  /** No create was ever sent for this registration. */
  readonly firstCreate: boolean;
  /** What the source was captured from when this version was planned (null: unknown). */
  readonly contentFingerprint: string | null;
}

/** A skipped row of a source whose version has changed since: it describes nothing any more. */
export interface DropRowAction {
  readonly kind: 'dropRow';
  readonly row: LedgerRow;
}

/**
 * An earlier version's device image is absent from the listing (deleted outside the app). The listing
 * alone is no evidence (it is read at the same time as the ledger): applyPlan retires the row only
 * when a GET of the device image answers 404 (DESIGN §15).
 */
export interface RetireAction {
  readonly kind: 'retire';
  readonly row: LedgerRow;
  readonly reason: string;
}

export type PlanAction = SkipAction | AdoptAction | ResumeStatusCheckAction | RegisterAction | DropRowAction | RetireAction | ObserveAction;

export type PlanOutcome = 'skip' | 'adopt' | 'resumeStatusCheck' | 'register' | 'unchanged';

/** One in-scope source image (at its current version) and what the plan would do with it. */
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

/** The registration key of a device image: its source and canonical version. */
export function deviceImageKey(deviceImage: DeviceImage): string {
  return registrationKey(deviceImage.sourceImageResourceId, parseVersion(deviceImage.version) ?? deviceImage.version);
}

const STATUS_RANK: Readonly<Record<DeviceImageStatus, number>> = { ready: 0, warning: 0, pending: 1, failed: 2, unknown: 2 };

function chooseDeviceImage(candidates: readonly DeviceImage[], row: LedgerRow | undefined): DeviceImage | undefined {
  const known = candidates.find((deviceImage) => sameId(row?.deviceImageId ?? null, deviceImage.id));
  if (known !== undefined) return known;
  const rank = (deviceImage: DeviceImage) => STATUS_RANK[deviceImage.status];
  const modified = (deviceImage: DeviceImage) => Date.parse(deviceImage.lastModifiedDateTime ?? '') || 0;
  return [...candidates].sort((a, b) => rank(a) - rank(b) || modified(b) - modified(a) || a.id.localeCompare(b.id))[0];
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

/** A row that follows this device image: it needs nothing but what its own state asks for. */
function tracks(row: LedgerRow | undefined, deviceImage: DeviceImage): row is LedgerRow {
  if (row === undefined || !sameId(row.deviceImageId, deviceImage.id)) return false;
  if (row.state === 'retired') return true;
  // Graph is the truth about an upload: a row failed by the app (a poisoned status check, say)
  // whose device image Graph calls ready is adopted as ready.
  const failedButReady = row.state === 'failed' && isUsable(deviceImage.status);
  return ['pending', 'ready', 'failed'].includes(row.state) && !failedButReady;
}

/** How a device image found in Graph becomes a row's: its own POST's only while the row is still `creating` after one. */
function originFound(row: LedgerRow | undefined): DeviceImageOrigin {
  return row !== undefined && row.state === 'creating' && row.attempts > 0 ? 'created' : 'adopted';
}

/** Known to be the same capture (an unknown one may be anything). */
function sameContent(a: string | null, b: string | null): boolean {
  return a !== null && a === b;
}

/** The job's `fingerprint` field: the content it is planned from, when ARM showed one. */
function fingerprintOf(contentFingerprint: string | null): Pick<RegisterJob, 'fingerprint'> {
  return contentFingerprint === null ? {} : { fingerprint: contentFingerprint };
}

function isRegistered(row: LedgerRow): boolean {
  return (row.state === 'pending' || row.state === 'ready' || row.state === 'failed') && row.deviceImageId !== null;
}

/** What to do with each in-scope source image and its registrations. */
export function plan(input: PlanInput): Plan {
  const { now, staleAfterMs, trigger } = input;
  const inScope = uniqueInScope(input.sourceImages, input.scope);
  const inScopeKeys = new Set(inScope.map((image) => sourceImageKey(image.id)));
  const rowsByKey = new Map<string, LedgerRow>();
  for (const row of input.ledger) {
    const key = registrationKey(row.sourceImageResourceId, row.version);
    if (!rowsByKey.has(key)) rowsByKey.set(key, row);
  }
  const rowsBySource = groupBy([...rowsByKey.values()], (row) => sourceImageKey(row.sourceImageResourceId));
  const deviceImagesByKey = groupBy(input.deviceImages, deviceImageKey);
  const deviceImageIds = new Set(input.deviceImages.map((deviceImage) => deviceImage.id.toLowerCase()));
  // Each listed image counts, and each create in flight whose registration Graph does not list yet.
  const occupied = occupancyOf(
    input.deviceImages.length,
    new Set([...deviceImagesByKey.keys()].map(slotName)),
    input.capacity?.reserved ?? [],
  );

  const judged = inScope.map((image) => {
    const eligibility = checkEligibility(image);
    const key = registrationKey(image.id, eligibility.version);
    const row = rowsByKey.get(key);
    const deviceImage = eligibility.version === null ? undefined : chooseDeviceImage(deviceImagesByKey.get(key) ?? [], row);
    return { image, key, row, deviceImage, eligibility };
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
  /** Rows an action of this plan writes: observations leave them alone. */
  const acted = new Set<string>();
  const act = (action: PlanAction, key: string | null) => {
    actions.push(action);
    if (key !== null) acted.add(key);
  };

  for (const { image, key, row, deviceImage, eligibility } of judged) {
    const ledgerState = row?.state ?? null;
    const base = { sourceImageResourceId: image.id, ledgerState, reason: null, fix: null, cause: null };
    const named = { displayName: eligibility.displayName, version: eligibility.version };

    // The source's other rows: earlier versions (registrations of their own) and stale skips.
    for (const other of rowsBySource.get(sourceImageKey(image.id)) ?? []) {
      const otherKey = registrationKey(other.sourceImageResourceId, other.version);
      if (otherKey === key) continue;
      if (other.state === 'skipped') {
        // A superseded row stays: it is the record that this version was never uploaded.
        if (other.reason !== 'superseded') act({ kind: 'dropRow', row: other }, otherKey);
      } else if (isRegistered(other) && other.deviceImageId !== null && !deviceImageIds.has(other.deviceImageId.toLowerCase())) {
        act(
          {
            kind: 'retire',
            row: other,
            reason: `the device image was deleted outside the app; the source has been rebuilt as ${eligibility.version ?? 'another version'} since, so version ${other.version ?? '?'} cannot be uploaded again`,
          },
          otherKey,
        );
      } else if (other.state === 'pending' && isOverdue(other.nextCheckAt, now, staleAfterMs))
        act({ kind: 'resumeStatusCheck', row: other }, otherKey);
      else if (
        other.state === 'queued' &&
        other.attempts === 0 &&
        isOverdue(other.updatedAt, now, staleAfterMs) &&
        !sameContent(other.contentFingerprint, image.contentFingerprint)
      )
        // Its job was lost before any POST, and the source holds other content now: this version
        // can never be posted (DESIGN §15).
        act(
          {
            kind: 'skip',
            sourceImage: image,
            displayName: other.displayName,
            version: other.version,
            reason: 'superseded',
            fix: skipFix('superseded', image, { supersededBy: eligibility.version }),
          },
          otherKey,
        );
      else if (
        (other.state === 'queued' || other.state === 'creating') &&
        isOverdue(other.updatedAt, now, staleAfterMs) &&
        other.displayName !== null &&
        other.version !== null
      ) {
        // A create may have gone out: the job is sent so the handler looks Graph up first (and
        // adopts what it finds); it re-reads the source before any POST, so it never posts this
        // version with the content the source holds now.
        const job: RegisterJob = {
          v: 1,
          sourceImageResourceId: other.sourceImageResourceId,
          displayName: other.displayName,
          version: other.version,
          trigger,
          enqueuedAt: now.toISOString(),
          ...fingerprintOf(other.contentFingerprint),
        };
        act(
          {
            kind: 'register',
            sourceImage: image,
            job,
            cause: 'job-lost',
            needsSlot: false,
            firstCreate: false,
            contentFingerprint: other.contentFingerprint,
          },
          otherKey,
        );
      }
    }
    // Device images of the source at versions the ledger does not follow.
    for (const [graphKey, found] of deviceImagesByKey) {
      if (graphKey === key || !graphKey.startsWith(`${sourceImageKey(image.id)}|`)) continue;
      const chosen = chooseDeviceImage(found, rowsByKey.get(graphKey));
      if (chosen === undefined || tracks(rowsByKey.get(graphKey), chosen)) continue;
      const version = parseVersion(chosen.version) ?? chosen.version;
      act(
        {
          kind: 'adopt',
          sourceImage: image,
          deviceImage: chosen,
          displayName: chosen.displayName,
          version,
          contentFingerprint: null,
          origin: originFound(rowsByKey.get(graphKey)),
        },
        graphKey,
      );
    }

    if (deviceImage !== undefined && eligibility.version !== null) {
      const matched = { ...base, ...named, displayName: deviceImage.displayName, deviceImageId: deviceImage.id };
      if (!tracks(row, deviceImage)) {
        act(
          {
            kind: 'adopt',
            sourceImage: image,
            deviceImage,
            displayName: deviceImage.displayName,
            version: eligibility.version,
            contentFingerprint: image.contentFingerprint,
            origin: originFound(row),
          },
          key,
        );
        images.push({ ...matched, outcome: 'adopt' });
      } else if (row.state === 'pending' && isOverdue(row.nextCheckAt, now, staleAfterMs)) {
        act({ kind: 'resumeStatusCheck', row }, key);
        images.push({ ...matched, outcome: 'resumeStatusCheck' });
      } else {
        images.push({ ...matched, outcome: 'unchanged' });
      }
      continue;
    }

    const skip = (reason: SkipReason, fix: string) => {
      act({ kind: 'skip', sourceImage: image, ...named, reason, fix }, key);
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
    const { galleryCopy } = input;
    const copied = galleryCopy !== undefined && image.gallery !== undefined;
    const stagingRegion = galleryCopy?.stagingRegion ?? null;
    if (copied && stagingRegion !== null && !image.gallery.targetRegions.includes(stagingRegion)) {
      skip('gallery-region', skipFix('gallery-region', image, { stagingRegion, stagingResourceGroup: galleryCopy.stagingResourceGroup }));
      continue;
    }
    const neverPosted = row === undefined || row.attempts === 0;
    if (!copied && neverPosted && input.visibleToWindows365 !== null && !input.visibleToWindows365.has(sourceImageKey(image.id))) {
      skip('not-visible-to-windows365', skipFix('not-visible-to-windows365', image));
      continue;
    }
    const needsSlot = !occupied.holds(slotName(key));
    if (input.capacity !== null && needsSlot) {
      if (occupied.inUse >= input.capacity.limit) {
        skip(
          'tenant-image-limit',
          skipFix('tenant-image-limit', image, { tenantImageLimit: input.capacity.limit, imagesInUse: occupied.inUse }),
        );
        continue;
      }
      occupied.take(slotName(key));
    }
    const { displayName, version } = eligibility;
    const job: RegisterJob = {
      v: 1,
      sourceImageResourceId: image.id,
      displayName,
      version,
      trigger,
      enqueuedAt: now.toISOString(),
      ...fingerprintOf(image.contentFingerprint),
      ...(image.gallery === undefined ? {} : { sourceKind: 'galleryImageVersion' as const }),
    };
    act(
      {
        kind: 'register',
        sourceImage: image,
        job,
        cause,
        needsSlot,
        firstCreate: neverPosted,
        contentFingerprint: image.contentFingerprint,
      },
      key,
    );
    images.push({ ...base, displayName, version, deviceImageId: null, outcome: 'register', cause });
  }

  actions.push(...observeRegistrations({ ...input, inScope: judged, acted, deviceImages: input.deviceImages }));
  return { actions, images };
}

/** Why an eligible registration without a device image in Graph should be posted; null: leave it be. */
function registerCause(row: LedgerRow | undefined, trigger: RegisterTrigger, now: Date, staleAfterMs: number): RegisterCause | null {
  if (row === undefined) return 'new';
  // Retention began deleting its device image: it is retention's to finish (retired after a 404) or take back, never to post again.
  if (row.retiringAt !== null) return null;
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
    case 'retired':
      return null;
  }
}
