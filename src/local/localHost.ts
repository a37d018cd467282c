// The Functions host's queue side, in this process: a drain per queue trigger (host.json's
// settings) calling the app's handlers. Messages this process sends wake the drain of their queue
// when they become visible (at once, or when a delayed status check is due), as the host's queue
// watcher does for messages its own functions add; the drains' idle polling stays for the rest.
import type { SharedClients } from '../runtime/createSyncDeps';
import { handlePoisonMessage } from '../handlers/poisonMessage';
import { handleStatusMessage } from '../handlers/pollImageStatus';
import type { JobQueues, SyncDeps } from '../ports';
import { handleRegisterMessage } from '../handlers/registerImage';
import { readHostQueueSettings } from './hostQueueSettings';
import { type QueueDrain, type QueueMessageHandler, startQueueDrain } from './queueDrain';

export interface LocalHostOptions {
  readonly deps: SyncDeps;
  readonly clients: SharedClients;
  readonly hostJsonPath: string;
}

export interface LocalHost {
  /** The app's dependencies, with queue sends that wake this host's drains. */
  readonly deps: SyncDeps;
  /** register, status, register-poison, status-poison. */
  readonly drains: readonly QueueDrain[];
  /** Stops receiving and waits for the running handlers. */
  stop(): Promise<void>;
}

/** Sends through `queues`, then wakes the queue's drain for when the message becomes visible. */
export function wakingJobQueues(queues: JobQueues, wake: { readonly register: QueueDrain; readonly status: QueueDrain }): JobQueues {
  return {
    async sendRegisterJob(job, delaySeconds) {
      await queues.sendRegisterJob(job, delaySeconds);
      wake.register.wake((delaySeconds ?? 0) * 1000);
    },
    async sendStatusCheck(check, delaySeconds) {
      await queues.sendStatusCheck(check, delaySeconds);
      wake.status.wake(delaySeconds * 1000);
    },
  };
}

export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  const { clients } = options;
  const { config, log } = options.deps;
  const settings = await readHostQueueSettings(options.hostJsonPath);
  // The handlers use `deps`, made once the drains it wakes exist (before any message can arrive).
  let deps: SyncDeps = options.deps;
  const handler =
    (handle: (hostDeps: SyncDeps, message: unknown, messageId: string) => Promise<void>): QueueMessageHandler =>
    (message, info) =>
      handle(deps, message, info.id);
  const drain = (queueName: string, handle: QueueMessageHandler, poisonDrain: () => QueueDrain | undefined): QueueDrain =>
    startQueueDrain({ clients: clients.storage, queueName, settings, handler: handle, log, onPoisoned: () => poisonDrain()?.wake() });

  const registerPoison = `${config.registerQueue}-poison`;
  const statusPoison = `${config.statusQueue}-poison`;
  const poisonDrains: QueueDrain[] = [];
  const register = drain(
    config.registerQueue,
    handler((hostDeps, message, messageId) => handleRegisterMessage(hostDeps, message, { messageId })),
    () => poisonDrains[0],
  );
  const status = drain(
    config.statusQueue,
    handler((hostDeps, message, messageId) => handleStatusMessage(hostDeps, message, { messageId })),
    () => poisonDrains[1],
  );
  poisonDrains.push(
    drain(
      registerPoison,
      handler((hostDeps, message, messageId) => handlePoisonMessage(hostDeps, registerPoison, message, { messageId })),
      () => undefined,
    ),
    drain(
      statusPoison,
      handler((hostDeps, message, messageId) => handlePoisonMessage(hostDeps, statusPoison, message, { messageId })),
      () => undefined,
    ),
  );
  deps = { ...options.deps, queues: wakingJobQueues(options.deps.queues, { register, status }) };
  const drains = [register, status, ...poisonDrains];
  return {
    deps,
    drains,
    stop: async () => {
      await Promise.all(drains.map((running) => running.stop()));
    },
  };
}
