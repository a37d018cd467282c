// Retention (DESIGN §13, §15): which device images the app created may go. Pure.
//
// Per display name, the newest `keep` ready versions the app created stay. Older ready versions it
// created go, and so do its failed device images of a version older than the newest ready one (a
// later version superseded them). Graph's status decides what is ready or failed, not the ledger's
// state (a row failed by the app whose upload then finished is ready). Only rows whose own POST made
// the device image (origin `created`) count or go; adopted ones and rows of earlier releases (no
// origin) neither count toward `keep` nor are deleted. Never a device image a provisioning policy
// uses, never one Graph no longer lists (the planner records those).
//
// An unfinished retirement (a row marked before its DELETE, or a `retired` row an earlier release
// wrote, whose device image Graph still lists) is finished only when these rules allow its deletion
// now; otherwise it is kept (its row goes back to what Graph says). A marked row whose device image
// Graph no longer lists is `gone`: its DELETE probably went through, which a GET confirms.
import { type DeviceImage, type LedgerRow, type ProvisioningPolicy, isUsable } from '../domain';
import { compareVersions } from './naming';
import { policiesByDeviceImage } from './observeRegistrations';

export type RetirementWhy = 'superseded' | 'failed-superseded';

export interface Retirement {
  readonly row: LedgerRow;
  /** Its device image as Graph lists it. */
  readonly deviceImage: DeviceImage;
  readonly why: RetirementWhy;
  /** The newest ready version of the display name, which made this one go. */
  readonly newestReady: string | null;
  /** The row was marked (or retired by an earlier release) before: this finishes that retirement. */
  readonly unfinished: boolean;
}

export interface KeptInUse {
  readonly row: LedgerRow;
  /** Display names of the policies that use it. */
  readonly policies: readonly string[];
}

/** An unfinished retirement the rules no longer allow: the mark goes and the row follows Graph again. */
export interface KeptUnfinished {
  readonly row: LedgerRow;
  readonly deviceImage: DeviceImage;
  readonly why: string;
}

export interface RetentionPlan {
  readonly retire: readonly Retirement[];
  /** Would go, but a provisioning policy uses it. */
  readonly inUse: readonly KeptInUse[];
  readonly keep: readonly KeptUnfinished[];
  /** Marked rows whose device image Graph no longer lists. */
  readonly gone: readonly LedgerRow[];
}

export interface RetentionInput {
  readonly ledger: readonly LedgerRow[];
  readonly deviceImages: readonly DeviceImage[];
  readonly policies: readonly ProvisioningPolicy[];
  /** Newest ready versions kept per display name; 0: retention is off (nothing is deleted). */
  readonly keep: number;
}

/** Whether this registration's own POST created its device image (DESIGN §15): only those count or go. */
export function createdByApp(row: LedgerRow): boolean {
  return row.origin === 'created' && row.deviceImageId !== null;
}

/** A retirement begun and not finished: marked before its DELETE, or retired by an earlier release. */
export function isRetirementMarked(row: LedgerRow): boolean {
  return row.retiringAt !== null || row.state === 'retired';
}

/** Ready or failed as Graph lists the device image; null while it uploads (or Graph's status is unknown). */
function graphState(deviceImage: DeviceImage): 'ready' | 'failed' | null {
  if (isUsable(deviceImage.status)) return 'ready';
  return deviceImage.status === 'failed' ? 'failed' : null;
}

/** Rows retention may delete: settled ones (a row still registering belongs to its worker or poller). */
function mayDelete(row: LedgerRow): boolean {
  return row.state === 'ready' || row.state === 'failed' || row.state === 'retired';
}

function nameKey(displayName: string | null): string {
  return (displayName ?? '').trim().normalize('NFC').toLowerCase();
}

interface Judged {
  readonly row: LedgerRow;
  readonly deviceImage: DeviceImage;
  readonly state: 'ready' | 'failed';
}

/** The retirements the rules allow now, per display name (with keep < 1: none). */
function licensed(judged: readonly Judged[], keep: number): Retirement[] {
  if (keep < 1) return [];
  const groups = new Map<string, Judged[]>();
  for (const entry of judged) {
    const key = nameKey(entry.row.displayName);
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  const retire: Retirement[] = [];
  for (const entries of groups.values()) {
    const ready = entries.filter((entry) => entry.state === 'ready').sort((a, b) => compareVersions(b.row.version, a.row.version));
    const newestReady = ready[0]?.row.version ?? null;
    if (newestReady === null) continue;
    const go = (entry: Judged, why: RetirementWhy) => {
      if (mayDelete(entry.row))
        retire.push({ row: entry.row, deviceImage: entry.deviceImage, why, newestReady, unfinished: isRetirementMarked(entry.row) });
    };
    for (const entry of ready.slice(keep)) go(entry, 'superseded');
    for (const entry of entries) {
      if (entry.state === 'failed' && compareVersions(entry.row.version, newestReady) < 0) go(entry, 'failed-superseded');
    }
  }
  return retire;
}

function whyKept(row: LedgerRow, keep: number): string {
  if (keep < 1) return 'retention is off (IMAGE_SYNC_KEEP_VERSIONS is 0), so the retirement begun earlier is not finished';
  if (!createdByApp(row))
    return 'the app did not create this device image (adopted, or registered by an earlier release), so retention never deletes it';
  return `it is among the newest ${keep} ready version(s) of its display name (or nothing newer is ready), so the retirement begun earlier is not finished`;
}

export function planRetention(input: RetentionInput): RetentionPlan {
  const listed = new Map(input.deviceImages.map((deviceImage) => [deviceImage.id.toLowerCase(), deviceImage]));
  const imageOf = (row: LedgerRow) => (row.deviceImageId === null ? undefined : listed.get(row.deviceImageId.toLowerCase()));
  const using = policiesByDeviceImage(input.policies);

  const judged: Judged[] = [];
  for (const row of input.ledger) {
    const deviceImage = imageOf(row);
    if (!createdByApp(row) || deviceImage === undefined) continue;
    const state = graphState(deviceImage);
    if (state !== null && row.state !== 'queued' && row.state !== 'skipped') judged.push({ row, deviceImage, state });
  }

  const retire: Retirement[] = [];
  const inUse: KeptInUse[] = [];
  for (const retirement of licensed(judged, input.keep)) {
    const policies = retirement.row.deviceImageId === null ? undefined : using.get(retirement.row.deviceImageId.toLowerCase());
    if (policies !== undefined && policies.length > 0) inUse.push({ row: retirement.row, policies });
    else retire.push(retirement);
  }

  const retiring = new Set(retire.map((retirement) => retirement.row));
  const keep: KeptUnfinished[] = [];
  const gone: LedgerRow[] = [];
  for (const row of input.ledger) {
    if (!isRetirementMarked(row) || retiring.has(row) || row.deviceImageId === null) continue;
    const deviceImage = imageOf(row);
    if (deviceImage !== undefined) {
      const policies = using.get(deviceImage.id.toLowerCase()) ?? [];
      const why =
        policies.length > 0 ? `used by provisioning policy ${policies.map((name) => `"${name}"`).join(', ')}` : whyKept(row, input.keep);
      keep.push({ row, deviceImage, why });
    } else if (row.state !== 'retired') gone.push(row);
  }
  return { retire, inUse, keep, gone };
}
