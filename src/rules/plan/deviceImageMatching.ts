// Which device image in Graph is a registration's, and whether its ledger row follows it already.
import { type DeviceImage, type DeviceImageOrigin, type DeviceImageStatus, type LedgerRow, registrationKey } from '../../domain';
import { parseVersion } from '../naming';

export function sameId(a: string | null, b: string): boolean {
  return a !== null && a.toLowerCase() === b.toLowerCase();
}

/** The registration key of a device image: its source and canonical version. */
export function deviceImageKey(deviceImage: DeviceImage): string {
  return registrationKey(deviceImage.sourceImageResourceId, parseVersion(deviceImage.version) ?? deviceImage.version);
}

const STATUS_RANK: Readonly<Record<DeviceImageStatus, number>> = { ready: 0, warning: 0, pending: 1, failed: 2, unknown: 2 };

/**
 * Of the device images Graph holds for one registration: the one the ledger row names, else the most
 * usable (ready, then pending, then others), then the most recently modified.
 */
export function chooseDeviceImage(candidates: readonly DeviceImage[], row: LedgerRow | undefined): DeviceImage | undefined {
  const known = candidates.find((deviceImage) => sameId(row?.deviceImageId ?? null, deviceImage.id));
  if (known !== undefined) return known;
  const rank = (deviceImage: DeviceImage) => STATUS_RANK[deviceImage.status];
  const modified = (deviceImage: DeviceImage) => Date.parse(deviceImage.lastModifiedDateTime ?? '') || 0;
  return [...candidates].sort((a, b) => rank(a) - rank(b) || modified(b) - modified(a) || a.id.localeCompare(b.id))[0];
}

/** How a device image found in Graph becomes a row's: its own POST's only while the row is still `creating` after one. */
export function originFound(row: LedgerRow | undefined): DeviceImageOrigin {
  return row !== undefined && row.state === 'creating' && row.attempts > 0 ? 'created' : 'adopted';
}
