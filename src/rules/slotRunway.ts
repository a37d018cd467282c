// When the tenant runs out of custom-image slots (DESIGN §16): at the last 90 days' pace of
// registrations, with the retention in force. Pure: the ledger's rows and the last slot count in.
//
// With IMAGE_SYNC_KEEP_VERSIONS=0 every registration takes a slot for good. With N > 0, retention
// deletes an older version once a newer one is ready, so a display name holds at most N: only a
// registration among the first N of its display name takes a new slot; later ones replace one.
import type { LedgerRow } from '../domain';
import type { TenantSlotCount } from '../ports';
import { isRegistration, registeredAt } from './uploadHistory';

export const PACE_DAYS = 90;
const DAY_MS = 24 * 3600 * 1000;

export interface SlotRunway {
  readonly inUse: number;
  readonly limit: number;
  readonly keepVersions: number;
  /** The reconcile that counted them. */
  readonly asOf: string;
  /** Registrations in the last 90 days, and how many of them took a slot that retention does not give back. */
  readonly registrationsInPace: number;
  readonly newSlotsInPace: number;
  /** New slots a day at that pace. */
  readonly slotsPerDay: number;
  /** `YYYY-MM-DD` when the slots in use reach the limit at that pace; `never` when retention keeps up; the count's date when full already. */
  readonly runsOutOn: string;
}

function displayNameKey(row: LedgerRow): string {
  return (row.displayName ?? row.sourceImageResourceId).toLowerCase();
}

/** The registrations that take a new slot under retention `keep` (0: all of them). */
function slotTaking(rows: readonly LedgerRow[], keep: number): Set<LedgerRow> {
  const registrations = rows.filter(isRegistration);
  if (keep === 0) return new Set(registrations);
  const byName = new Map<string, LedgerRow[]>();
  for (const row of registrations) {
    const versions = byName.get(displayNameKey(row));
    if (versions === undefined) byName.set(displayNameKey(row), [row]);
    else versions.push(row);
  }
  const taking = new Set<LedgerRow>();
  for (const versions of byName.values()) {
    versions.sort((a, b) => registeredAt(a).localeCompare(registeredAt(b)));
    for (const row of versions.slice(0, keep)) taking.add(row);
  }
  return taking;
}

export function slotRunway(rows: readonly LedgerRow[], count: TenantSlotCount, now: Date): SlotRunway {
  const since = now.getTime() - PACE_DAYS * DAY_MS;
  const inPace = rows.filter((row) => isRegistration(row) && Date.parse(registeredAt(row)) >= since);
  const taking = slotTaking(rows, count.keepVersions);
  const newSlots = inPace.filter((row) => taking.has(row)).length;
  const slotsPerDay = newSlots / PACE_DAYS;
  const asOf = new Date(count.at);
  const free = count.limit - count.inUse;
  let runsOutOn: string;
  if (free <= 0) runsOutOn = count.at.slice(0, 10);
  else if (slotsPerDay === 0) runsOutOn = 'never';
  else runsOutOn = new Date(asOf.getTime() + Math.ceil(free / slotsPerDay) * DAY_MS).toISOString().slice(0, 10);
  return {
    inUse: count.inUse,
    limit: count.limit,
    keepVersions: count.keepVersions,
    asOf: count.at,
    registrationsInPace: inPace.length,
    newSlotsInPace: newSlots,
    slotsPerDay: Math.round(slotsPerDay * 1000) / 1000,
    runsOutOn,
  };
}
