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
//
// Each source is planned in three steps, each an ordered chain of small decisions (src/rules/plan/):
// its earlier versions' rows (earlierVersions.ts), the device images of other versions the ledger
// does not follow (untrackedDeviceImages.ts), then its current version (currentVersion.ts). The
// observations of what Graph says of registered images come last (observeRegistrations).
import type { ImageScope } from '../config';
import { type DeviceImage, type LedgerRow, registrationKey, type SourceImage, sourceImageKey } from '../domain';
import { checkEligibility } from './eligibility';
import { collectNameVersionClaims, resolveNameVersionClaims } from './nameVersionClaims';
import { observeRegistrations } from './observeRegistrations';
import { occupancyOf } from './occupancy';
import { type CurrentVersion, decideCurrentVersion } from './plan/currentVersion';
import { chooseDeviceImage, deviceImageKey } from './plan/deviceImageMatching';
import { decideEarlierVersion } from './plan/earlierVersions';
import type { Plan, PlanAction, PlanInput, PlannedImage } from './plan/inputAndOutput';
import { adoptUntrackedDeviceImages } from './plan/untrackedDeviceImages';
import { isInScope } from './scope';
import { slotName } from './slotName';

export { deviceImageKey } from './plan/deviceImageMatching';
export type {
  AdoptAction,
  DropRowAction,
  Plan,
  PlanAction,
  PlanInput,
  PlannedImage,
  PlanOutcome,
  RegisterAction,
  RegisterCause,
  ResumeStatusCheckAction,
  RetireAction,
  SkipAction,
} from './plan/inputAndOutput';

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

/** The ledger's rows by registration key (the first of duplicates wins). */
function rowsByRegistration(ledger: readonly LedgerRow[]): Map<string, LedgerRow> {
  const rowsByKey = new Map<string, LedgerRow>();
  for (const row of ledger) {
    const key = registrationKey(row.sourceImageResourceId, row.version);
    if (!rowsByKey.has(key)) rowsByKey.set(key, row);
  }
  return rowsByKey;
}

/** Sources (`sourceImageKey`) that lose their display name and version to another, and to which. */
function namesTaken(input: PlanInput, current: readonly CurrentVersion[]): Map<string, readonly string[]> {
  const candidates = current.flatMap(({ image, row, deviceImage, eligibility }) =>
    deviceImage === undefined && eligibility.eligible
      ? [{ sourceImageResourceId: image.id, displayName: eligibility.displayName, version: eligibility.version, row }]
      : [],
  );
  const listed = new Set(current.map(({ image }) => sourceImageKey(image.id)));
  return resolveNameVersionClaims(collectNameVersionClaims({ deviceImages: input.deviceImages, ledger: input.ledger, listed, candidates }));
}

/** What to do with each in-scope source image and its registrations. */
export function plan(input: PlanInput): Plan {
  const { now, staleAfterMs, trigger } = input;
  const rowsByKey = rowsByRegistration(input.ledger);
  const rowsBySource = groupBy([...rowsByKey.values()], (row) => sourceImageKey(row.sourceImageResourceId));
  const deviceImagesByKey = groupBy<DeviceImage>(input.deviceImages, deviceImageKey);
  const deviceImageIds = new Set(input.deviceImages.map((deviceImage) => deviceImage.id.toLowerCase()));

  const current: CurrentVersion[] = uniqueInScope(input.sourceImages, input.scope).map((image) => {
    const eligibility = checkEligibility(image);
    const key = registrationKey(image.id, eligibility.version);
    const row = rowsByKey.get(key);
    const deviceImage = eligibility.version === null ? undefined : chooseDeviceImage(deviceImagesByKey.get(key) ?? [], row);
    return { image, key, row, deviceImage, eligibility };
  });
  const currentContext = {
    trigger,
    now,
    staleAfterMs,
    capacity: input.capacity,
    visibleToWindows365: input.visibleToWindows365,
    galleryCopy: input.galleryCopy,
    takenBy: namesTaken(input, current),
    // Each listed image counts, and each create in flight whose registration Graph does not list yet.
    occupied: occupancyOf(input.deviceImages.length, new Set([...deviceImagesByKey.keys()].map(slotName)), input.capacity?.reserved ?? []),
  };

  const actions: PlanAction[] = [];
  const images: PlannedImage[] = [];
  /** Rows an action of this plan writes: observations leave them alone. */
  const acted = new Set<string>();
  const act = (action: PlanAction, key: string) => {
    actions.push(action);
    acted.add(key);
  };

  for (const version of current) {
    const { image, key, eligibility } = version;
    for (const row of rowsBySource.get(sourceImageKey(image.id)) ?? []) {
      const rowKey = registrationKey(row.sourceImageResourceId, row.version);
      if (rowKey === key) continue;
      const action = decideEarlierVersion({ row, image, versionNow: eligibility.version }, { trigger, now, staleAfterMs, deviceImageIds });
      if (action !== null) act(action, rowKey);
    }
    for (const adoption of adoptUntrackedDeviceImages(image, key, deviceImagesByKey, rowsByKey)) act(adoption.action, adoption.key);
    const decision = decideCurrentVersion(version, currentContext);
    if (decision.action !== null) act(decision.action, key);
    images.push(decision.planned);
  }

  actions.push(...observeRegistrations({ ...input, inScope: current, acted, deviceImages: input.deviceImages }));
  return { actions, images };
}
