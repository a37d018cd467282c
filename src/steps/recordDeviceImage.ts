import { type DeviceImage, type DeviceImageOrigin, type LedgerRow, type StatusCheck, isUsable, registrationKey } from '../domain';
import { type ImageIdentity, adoptPending, markReady } from './ledgerTransitions';
import { deviceImageKey } from '../rules/plan';
import type { RegistrationRef, SyncDeps } from '../ports';
import { statusCheckFor } from '../rules/statusCheckMessage';
import { statusCheckDelaySeconds } from '../rules/statusCheckDelay';

/** The tenant's device image of a registration (its source, case-insensitively, and version); null when there is none. */
export async function findDeviceImage(deps: Pick<SyncDeps, 'deviceImages'>, ref: RegistrationRef): Promise<DeviceImage | null> {
  const key = registrationKey(ref.sourceImageResourceId, ref.version);
  const images = await deps.deviceImages.list();
  return images.find((image) => deviceImageKey(image) === key) ?? null;
}

/** A device image recorded as the registration's: ready, or pending with the first status check it needs. */
export interface RecordedDeviceImage {
  readonly row: LedgerRow;
  /** null when the image is ready already: nothing for the poller to follow. */
  readonly firstCheck: { readonly message: StatusCheck; readonly delaySeconds: number } | null;
}

/**
 * Makes the ledger follow a device image that exists in Graph: a ready one is recorded ready; any
 * other pending, its first check due now for a failed one (the poller owns retryUpload and failure).
 * `how`: `created` only when this registration's own POST made it (DESIGN §15); retention deletes
 * only those. Anything found otherwise is `adopted` (a device image the row recorded already keeps its origin).
 */
export async function recordDeviceImage(
  deps: SyncDeps,
  row: LedgerRow | null,
  identity: ImageIdentity,
  deviceImage: DeviceImage,
  how: DeviceImageOrigin = 'adopted',
): Promise<RecordedDeviceImage> {
  const now = deps.clock.now();
  if (isUsable(deviceImage.status)) return { row: await markReady(deps.ledger, row, identity, deviceImage, now, how), firstCheck: null };
  const delaySeconds = deviceImage.status === 'failed' ? 0 : statusCheckDelaySeconds(deps.config, 0);
  const nextCheckAt = new Date(now.getTime() + delaySeconds * 1000);
  const pending = await adoptPending(deps.ledger, row, identity, deviceImage, nextCheckAt, now, how);
  return {
    row: pending,
    firstCheck: {
      message: statusCheckFor({ ...identity, retryUploads: 0 }, deviceImage.id, { check: 0, since: now.toISOString() }),
      delaySeconds,
    },
  };
}

/** The hand-off to the status poller: from here on the poller follows the upload. */
export async function handOffToPoller(deps: SyncDeps, recorded: RecordedDeviceImage): Promise<void> {
  if (recorded.firstCheck !== null) await deps.queues.sendStatusCheck(recorded.firstCheck.message, recorded.firstCheck.delaySeconds);
}
