// The app's real dependencies for a test: settings pointing at the run's Azurite (queues and a
// table of the test's own) and at an emulator, loaded through the real config and factories.
import { type Config, loadConfig } from '../../src/config';
import type { Clock } from '../../src/domain';
import type { Emulator } from '../../src/emulator';
import { createLogger, type Logger } from '../../src/log';
import { decodeMessageText } from '../../src/queue/messageEncoding';
import { type SharedClients, createSharedClients, createSyncDeps } from '../../src/runtime/createSyncDeps';
import type { SyncDeps } from '../../src/ports';
import { testConnectionString, uniqueQueueName, uniqueTableName } from './storage';

/** App settings for one test: its own queues and table, the emulator's endpoints, fast polling. */
export function testAppSettings(emulator: Emulator, overrides: Record<string, string> = {}): Record<string, string> {
  const { NODE_EXTRA_CA_CERTS: _trustedByWorkers, ...endpoints } = emulator.settings();
  return {
    AzureWebJobsStorage: testConnectionString(),
    ...endpoints,
    IMAGE_SYNC_REGISTER_QUEUE: uniqueQueueName('register'),
    IMAGE_SYNC_STATUS_QUEUE: uniqueQueueName('status'),
    IMAGE_SYNC_TABLE: uniqueTableName('ledger'),
    IMAGE_SYNC_POLL_INTERVAL_SECONDS: '1',
    IMAGE_SYNC_POLL_MAX_INTERVAL_SECONDS: '4',
    ...overrides,
  };
}

export interface CapturedLog {
  readonly log: Logger;
  readonly lines: string[];
}

export function capturedLog(): CapturedLog {
  const lines: string[] = [];
  return { log: createLogger((level, line) => lines.push(`${level}: ${line}`)), lines };
}

export interface TestApp extends CapturedLog {
  readonly config: Config;
  readonly clients: SharedClients;
  readonly deps: SyncDeps;
}

/** The real clients with quick retries (the emulator answers in milliseconds). */
export function testApp(settings: Record<string, string>, clock?: Clock): TestApp {
  const config = loadConfig(settings);
  const captured = capturedLog();
  const clients = createSharedClients(config, captured.log, {
    graphRetry: { delaySeconds: 1, maxRetries: 3 },
    armRetry: { maxRetries: 3, retryDelayInMs: 100 },
    secondPassDelayMs: 200,
  });
  return { ...captured, config, clients, deps: createSyncDeps(config, clients, captured.log, clock) };
}

/** Every message on a queue, visible or delayed, decoded (the test's own queue; it is emptied). */
export async function drainQueueForTest(app: TestApp, queueName: string, waitForDelayedMs = 0): Promise<unknown[]> {
  const queue = app.clients.storage.queue(queueName);
  await queue.createIfNotExists();
  const bodies: unknown[] = [];
  const deadline = Date.now() + waitForDelayedMs;
  for (;;) {
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32, visibilityTimeout: 60 });
    for (const item of receivedMessageItems) {
      bodies.push(JSON.parse(decodeMessageText(item.messageText)));
      await queue.deleteMessage(item.messageId, item.popReceipt);
    }
    if (receivedMessageItems.length > 0) continue;
    if (Date.now() >= deadline) return bodies;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** How many messages a queue holds, delayed ones included. */
export async function queueLength(app: TestApp, queueName: string): Promise<number> {
  const queue = app.clients.storage.queue(queueName);
  await queue.createIfNotExists();
  return (await queue.getProperties()).approximateMessagesCount ?? 0;
}
