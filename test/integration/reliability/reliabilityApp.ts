// The app's real dependencies for the reliability tests: testApp's, with the Graph client's timeout
// and retries chosen by the test, and "another instance" (its own clients, the same queues and table).
import type { Clock } from '../../../src/domain';
import type { Emulator, RecordedRequest } from '../../../src/emulator';
import { createGraphClient, type GraphRetrySettings } from '../../../src/graph/createGraphClient';
import { createDeviceImageApi } from '../../../src/graph/deviceImageApi';
import { createRetryAfterGate } from '../../../src/graph/retryAfterGate';
import { decodeMessageText } from '../../../src/queue/messageEncoding';
import type { SyncDeps } from '../../../src/ports';
import { type TestApp, testApp, testAppSettings } from '../../support/appDeps';

export interface GraphClientChoice {
  /** Per Graph call, retries included. */
  readonly timeoutMs?: number;
  readonly retry?: GraphRetrySettings;
}

/** testApp with its own Graph client: a test states the timeout and retries it is about. */
export function appWithGraph(settings: Record<string, string>, choice: GraphClientChoice, clock?: Clock): TestApp {
  const app = testApp(settings, clock);
  const retry = choice.retry ?? { delaySeconds: 1, maxRetries: 3 };
  const gate = createRetryAfterGate();
  const deviceImages = createDeviceImageApi({
    client: createGraphClient(app.clients.credential, app.config, gate, retry),
    gate,
    ...(choice.timeoutMs === undefined ? {} : { timeoutMs: choice.timeoutMs }),
  });
  const deps: SyncDeps = { ...app.deps, deviceImages };
  return { ...app, clients: { ...app.clients, deviceImages }, deps };
}

/** A second instance of the app: its own clients (and Graph client state), the same queues and table. */
export function sameStorageSettings(emulator: Emulator, app: TestApp): Record<string, string> {
  return {
    ...testAppSettings(emulator),
    IMAGE_SYNC_TABLE: app.config.table,
    IMAGE_SYNC_REGISTER_QUEUE: app.config.registerQueue,
    IMAGE_SYNC_STATUS_QUEUE: app.config.statusQueue,
  };
}

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The next `count` messages of one of the test's queues (delayed ones as they become visible), decoded; fewer if `timeoutMs` passes first. */
export async function nextMessages(app: TestApp, queueName: string, count: number, timeoutMs = 5_000): Promise<unknown[]> {
  const queue = app.clients.storage.queue(queueName);
  await queue.createIfNotExists();
  const bodies: unknown[] = [];
  const deadline = Date.now() + timeoutMs;
  while (bodies.length < count && Date.now() < deadline) {
    const { receivedMessageItems } = await queue.receiveMessages({
      numberOfMessages: Math.min(32, count - bodies.length),
      visibilityTimeout: 60,
    });
    for (const item of receivedMessageItems) {
      bodies.push(JSON.parse(decodeMessageText(item.messageText)));
      await queue.deleteMessage(item.messageId, item.popReceipt);
    }
    if (receivedMessageItems.length === 0) await pause(100);
  }
  return bodies;
}

/**
 * Stricter than the emulator's earlyRetries (which pairs requests by client request id): a request
 * identical in method, path and body to one answered with Retry-After, arriving before that had
 * passed, whatever its id. A new SDK operation (a second listing pass, a redelivered message) sends
 * the same request under a new id; it must wait all the same.
 */
export function sentBeforeRetryAfter(requests: readonly RecordedRequest[], toleranceMs = 25): RecordedRequest[] {
  const early: RecordedRequest[] = [];
  for (const answered of requests) {
    if (answered.retryAfterSeconds === null || (answered.status !== 429 && answered.status !== 503)) continue;
    const allowedAt = answered.answeredAtMs + answered.retryAfterSeconds * 1000;
    const next = requests.find(
      (request) =>
        request.receivedAtMs >= answered.answeredAtMs &&
        request.sequence !== answered.sequence &&
        request.method === answered.method &&
        request.path === answered.path &&
        request.body === answered.body,
    );
    if (next !== undefined && next.receivedAtMs + toleranceMs < allowedAt) early.push(next);
  }
  return early;
}
