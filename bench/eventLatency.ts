// From an Event Grid image-written event to the device image's POST, in the local runner: the event
// handler (ARM get, Graph list, ledger, queue send) in this process, then the register queue's drain
// picking the job up. Events arrive at spread-out moments after the queues went quiet, so the
// drain's idle polling (up to host.json's maxPollingInterval) is sampled, not dodged.
import path from 'node:path';
import { loadConfig } from '../src/config';
import { type Emulator, managedImage, managedImageResourceId } from '../src/emulator';
import { startLocalHost } from '../src/local/localHost';
import { packageRoot } from '../src/local/packageRoot';
import { silentLogger } from '../src/log';
import { createSharedClients, createSyncDeps } from '../src/runtime/createSyncDeps';
import { handleImageEvent } from '../src/handlers/imageWritten';
import { KINDS } from './requestFigures';

export interface EventLatency {
  readonly events: number;
  /** Event to POST, per event (ms). */
  readonly samplesMs: readonly number[];
  readonly medianMs: number;
  readonly maxMs: number;
  /** Of which the handler (event to job queued), median. */
  readonly handlerMedianMs: number;
}

/** Pauses before each event: long enough for the drain to back off to its longest idle poll, spread over its cycle. */
const PAUSES_MS = [6_000, 2_300, 3_100, 4_400, 5_200, 2_700, 3_900];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export async function measureEventLatency(
  emulator: Emulator,
  settings: Readonly<Record<string, string>>,
  subscriptionId: string,
): Promise<EventLatency> {
  const config = loadConfig(settings);
  const clients = createSharedClients(config, silentLogger, {
    graphRetry: { delaySeconds: 1, maxRetries: 6 },
    armRetry: { maxRetries: 6, retryDelayInMs: 200 },
    secondPassDelayMs: 1_000,
  });
  const host = await startLocalHost({
    deps: createSyncDeps(config, clients, silentLogger),
    clients,
    hostJsonPath: path.join(packageRoot(), 'host.json'),
  });
  const samplesMs: number[] = [];
  const handlerMs: number[] = [];
  try {
    for (const [index, pause] of PAUSES_MS.entries()) {
      await sleep(pause);
      const name = `event-image-${index}-1.0.0`;
      emulator.putManagedImage(subscriptionId, 'rg-images', managedImage({ name }));
      const resourceId = managedImageResourceId(subscriptionId, 'rg-images', name);
      const event = {
        id: `bench-event-${index}`,
        eventType: 'Microsoft.Resources.ResourceWriteSuccess',
        subject: resourceId,
        eventTime: new Date().toISOString(),
        dataVersion: '2',
        metadataVersion: '1',
        data: { operationName: 'Microsoft.Compute/images/write', resourceUri: resourceId, status: 'Succeeded' },
      };
      const sentAt = Date.now();
      await handleImageEvent(host.deps, event);
      handlerMs.push(Date.now() - sentAt);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const post = emulator.requests.find((request) => request.kind === KINDS.create && request.body.includes(name));
        if (post !== undefined) {
          samplesMs.push(Date.parse(post.at) - sentAt);
          break;
        }
        if (Date.now() > deadline) throw new Error(`no POST for ${name} within 30 s of its event`);
        await sleep(5);
      }
    }
  } finally {
    await host.stop();
  }
  return {
    events: samplesMs.length,
    samplesMs,
    medianMs: median(samplesMs),
    maxMs: Math.max(...samplesMs),
    handlerMedianMs: median(handlerMs),
  };
}
