// Whether several drained queues are idle together: no handler running and no visible message, with
// no activity while they were being looked at (a handler on one queue may send to another). Hidden
// messages (delayed or released) are reported, not waited for: when they reappear is not knowable
// from Azure, so the caller weighs them against the ledger.
import type { QueueDrain, QueueDrainProbe } from './queueDrain';

export interface QueuesSnapshot {
  /** Nothing running, nothing visible, nothing happened during the look. */
  readonly idle: boolean;
  readonly inFlight: number;
  /** Hidden plus visible messages across the queues, as Azure estimates it. */
  readonly approximateMessagesCount: number;
  readonly probes: readonly QueueDrainProbe[];
}

export async function probeQueues(drains: readonly QueueDrain[]): Promise<QueuesSnapshot> {
  const inFlightBefore = drains.reduce((sum, drain) => sum + drain.inFlight(), 0);
  const activityBefore = drains.map((drain) => drain.activity());
  const probes = await Promise.all(drains.map((drain) => drain.probe()));
  const quiet = drains.every((drain, index) => drain.activity() === activityBefore[index]);
  const inFlight = drains.reduce((sum, drain) => sum + drain.inFlight(), 0);
  return {
    idle: quiet && inFlightBefore === 0 && inFlight === 0 && probes.every((probe) => !probe.hasVisibleMessages),
    inFlight,
    approximateMessagesCount: probes.reduce((sum, probe) => sum + probe.approximateMessagesCount, 0),
    probes,
  };
}
