// Fresh evidence that a registration's device image is gone (DESIGN §15): a GET that answers 404.
// A listing is no such evidence: it is read at the same time as the ledger, so an image created
// while it was read is missing from it. The image, or an error, leaves the row as it is (logged);
// the next run looks again.
import type { LedgerRow } from '../domain';
import type { SyncDeps } from '../ports';
import { describeError } from './reportFailure';

export async function confirmedGone(deps: Pick<SyncDeps, 'deviceImages' | 'log'>, row: LedgerRow): Promise<boolean> {
  if (row.deviceImageId === null) return false;
  const subject = { sourceImageResourceId: row.sourceImageResourceId, version: row.version, deviceImageId: row.deviceImageId };
  try {
    if ((await deps.deviceImages.get(row.deviceImageId)) === null) return true;
    deps.log.info('DeviceImageStillThere', subject);
  } catch (error) {
    deps.log.warn('DeviceImageGoneUnconfirmed', { ...subject, detail: describeError(error) });
  }
  return false;
}
