// Retention (DESIGN §13): which device images the app registered may go. Pure.
//
// Per display name, the newest `keep` ready versions the app registered stay. Older ready versions
// it registered go, and so do its failed device images of a version older than the newest ready one
// (a later version superseded them). Never a device image a provisioning policy uses, never one the
// app did not register (adopted from the tenant), never one Graph no longer lists (the planner
// records those). A row already marked retired whose device image is still listed (a deletion cut
// short) is finished whatever `keep` says.
import type { DeviceImage, LedgerRow, ProvisioningPolicy } from '../domain';
import { compareVersions } from './naming';
import { policiesByDeviceImage } from './observeRegistrations';

export type RetirementWhy = 'superseded' | 'failed-superseded' | 'unfinished';

export interface Retirement {
  readonly row: LedgerRow;
  readonly why: RetirementWhy;
  /** The newest ready version of the display name, which made this one go. */
  readonly newestReady: string | null;
}

export interface KeptInUse {
  readonly row: LedgerRow;
  /** Display names of the policies that use it. */
  readonly policies: readonly string[];
}

export interface RetentionPlan {
  readonly retire: readonly Retirement[];
  /** Would go, but a provisioning policy uses it. */
  readonly inUse: readonly KeptInUse[];
}

export interface RetentionInput {
  readonly ledger: readonly LedgerRow[];
  readonly deviceImages: readonly DeviceImage[];
  readonly policies: readonly ProvisioningPolicy[];
  /** Newest ready versions kept per display name; 0: retention is off (only unfinished retirements are finished). */
  readonly keep: number;
}

/**
 * Whether the app created this registration's device image: it claimed the row and posted (or looked
 * up its own post). Rows adopted from the tenant, and carried-over ones that never posted, have no attempts.
 */
export function registeredByApp(row: LedgerRow): boolean {
  return row.attempts > 0 && row.deviceImageId !== null;
}

function nameKey(displayName: string | null): string {
  return (displayName ?? '').trim().normalize('NFC').toLowerCase();
}

export function planRetention(input: RetentionInput): RetentionPlan {
  const listed = new Set(input.deviceImages.map((deviceImage) => deviceImage.id.toLowerCase()));
  const using = policiesByDeviceImage(input.policies);
  const isListed = (row: LedgerRow) => row.deviceImageId !== null && listed.has(row.deviceImageId.toLowerCase());
  const retire: Retirement[] = [];
  const inUse: KeptInUse[] = [];
  const consider = (row: LedgerRow, why: RetirementWhy, newestReady: string | null) => {
    const policies = row.deviceImageId === null ? undefined : using.get(row.deviceImageId.toLowerCase());
    if (policies !== undefined && policies.length > 0) inUse.push({ row, policies });
    else retire.push({ row, why, newestReady });
  };

  for (const row of input.ledger) {
    if (row.state === 'retired' && isListed(row)) consider(row, 'unfinished', null);
  }
  if (input.keep < 1) return { retire, inUse };

  const groups = new Map<string, LedgerRow[]>();
  for (const row of input.ledger) {
    if (!registeredByApp(row) || !isListed(row) || (row.state !== 'ready' && row.state !== 'failed')) continue;
    const key = nameKey(row.displayName);
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  for (const rows of groups.values()) {
    const ready = rows.filter((row) => row.state === 'ready').sort((a, b) => compareVersions(b.version, a.version));
    const newestReady = ready[0]?.version ?? null;
    if (newestReady === null) continue;
    for (const row of ready.slice(input.keep)) consider(row, 'superseded', newestReady);
    for (const row of rows) {
      if (row.state === 'failed' && compareVersions(row.version, newestReady) < 0) consider(row, 'failed-superseded', newestReady);
    }
  }
  return { retire, inUse };
}
