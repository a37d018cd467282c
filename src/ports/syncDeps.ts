// Everything a handler is given: the configuration, the clock, the log and one implementation of each port.
import type { Config } from '../config';
import type { Clock } from '../domain';
import type { Logger } from '../log';
import type { Alerter } from './alerts';
import type { Ledger } from './ledger';
import type { JobQueues } from './queues';
import type { PolicyRollouts, RingRollouts } from './rollouts';
import type { ImageSlots, TenantSlotCounts } from './slots';
import type { GalleryCopies, SourceImageReader } from './sourceImages';
import type { DeviceImageApi, WindowsReleaseCatalogue } from './windows365';

export interface SyncDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly log: Logger;
  readonly sourceImages: SourceImageReader;
  readonly deviceImages: DeviceImageApi;
  readonly ledger: Ledger;
  readonly queues: JobQueues;
  readonly alerts: Alerter;
  readonly slots: ImageSlots;
  readonly rollouts: PolicyRollouts;
  readonly windowsReleases: WindowsReleaseCatalogue;
  readonly slotCounts: TenantSlotCounts;
  readonly rings: RingRollouts;
  /** Set exactly when IMAGE_SYNC_GALLERY_SOURCES is `copy`. */
  readonly galleryCopies: GalleryCopies | null;
}
