import { type DeviceImage, type LedgerRow, isUsable, registrationKey } from '../domain';
import { type ImageIdentity, adoptPending, markReady } from './ledgerTransitions';
import { deviceImageKey } from './plan';
import type { RegistrationRef, SyncDeps } from './ports';
import { statusCheckFor } from './statusCheckMessage';
import { statusCheckDelaySeconds } from './statusCheckDelay';

/** The tenant's device image of a registration (its source, case-insensitively, and version); null when there is none. */
export async function findDeviceImage(deps: Pick<SyncDeps, 'deviceImages'>, ref: RegistrationRef): Promise<DeviceImage | null> {
  const key = registrationKey(ref.sourceImageResourceId, ref.version);
  const images = await deps.deviceImages.list();
  return images.find((image) => deviceImageKey(image) === key) ?? null;
}

/**
 * Makes the ledger follow a device image that exists in Graph. A ready one is recorded ready; any
 * other goes through the status poller, which owns pending, retryUpload and failure (a failed one
 * is checked at once).
 */
export async function adoptDeviceImage(deps: SyncDeps, row: LedgerRow | null, identity: ImageIdentity, deviceImage: DeviceImage): Promise<LedgerRow> {
  const now = deps.clock.now();
  if (isUsable(deviceImage.status)) return markReady(deps.ledger, row, identity, deviceImage, now);
  const delaySeconds = deviceImage.status === 'failed' ? 0 : statusCheckDelaySeconds(deps.config, 0);
  const pending = await adoptPending(deps.ledger, row, identity, deviceImage, new Date(now.getTime() + delaySeconds * 1000), now);
  await deps.queues.sendStatusCheck(statusCheckFor({ ...identity, retryUploads: 0 }, deviceImage.id, { check: 0, since: now.toISOString() }), delaySeconds);
  return pending;
}
