import type { DeviceImage, LedgerRow } from '../domain';
import { sourceImageKey } from '../domain';
import { type ImageIdentity, adoptPending, markReady } from './ledgerTransitions';
import type { SyncDeps } from './ports';
import { statusCheckDelaySeconds } from './statusCheckDelay';

/** The tenant's device image for a source image, matched case-insensitively; null when there is none. */
export async function findDeviceImage(deps: Pick<SyncDeps, 'deviceImages'>, sourceImageResourceId: string): Promise<DeviceImage | null> {
  const key = sourceImageKey(sourceImageResourceId);
  const images = await deps.deviceImages.list();
  return images.find((image) => sourceImageKey(image.sourceImageResourceId) === key) ?? null;
}

/**
 * Makes the ledger follow a device image that exists in Graph. A ready one is recorded ready; any
 * other goes through the status poller, which owns pending, retryUpload and failure (a failed one
 * is checked at once).
 */
export async function adoptDeviceImage(deps: SyncDeps, row: LedgerRow | null, identity: ImageIdentity, deviceImage: DeviceImage): Promise<LedgerRow> {
  const now = deps.clock.now();
  const status = deviceImage.status.toLowerCase();
  if (status === 'ready' || status === 'warning') return markReady(deps.ledger, row, identity, deviceImage, now);
  const delaySeconds = status === 'failed' ? 0 : statusCheckDelaySeconds(deps.config, 0);
  const pending = await adoptPending(deps.ledger, row, identity, deviceImage, new Date(now.getTime() + delaySeconds * 1000), now);
  await deps.queues.sendStatusCheck(
    { v: 1, sourceImageResourceId: identity.sourceImageResourceId, deviceImageId: deviceImage.id, check: 0, since: now.toISOString(), retryUploads: 0 },
    delaySeconds,
  );
  return pending;
}
