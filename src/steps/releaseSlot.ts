// Every path that ends a create without a device image gives its tenant slot back at once (DESIGN
// §15), so a tenant one image short of its limit is not blocked until the reservation expires.
import { registrationKey } from '../domain';
import type { RegistrationRef, SyncDeps } from '../ports';
import { describeError } from './reportFailure';

/** Best effort: a slot left reserved ends by itself (RESERVATION_TTL_MS); until then it counts against the limit. */
export async function releaseSlot(deps: Pick<SyncDeps, 'slots' | 'log'>, ref: RegistrationRef): Promise<void> {
  try {
    await deps.slots.release(registrationKey(ref.sourceImageResourceId, ref.version));
  } catch (error) {
    deps.log.warn('ImageSlotNotReleased', {
      sourceImageResourceId: ref.sourceImageResourceId,
      version: ref.version,
      detail: describeError(error),
    });
  }
}
