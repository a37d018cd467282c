// One instance of the app for the shared-throttle test (test/integration/reliability/sharedThrottle.test.ts),
// run as a process of its own: its deps built from the app settings it is given, then Graph list and
// get calls in a loop, a few at once, from "go" on stdin until its time is up. The test bundles it
// with esbuild; its input comes in THROTTLE_WORKER_INPUT (JSON), its result is its last stdout line.
import { createInterface } from 'node:readline';
import { loadConfig } from '../../src/config';
import { TransientError } from '../../src/errors';
import { createGraphClient } from '../../src/graph/createGraphClient';
import { createDeviceImageApi } from '../../src/graph/deviceImageApi';
import { createRetryAfterGate } from '../../src/graph/retryAfterGate';
import { createLogger } from '../../src/log';
import { createSharedClients } from '../../src/runtime/createSyncDeps';
import type { DeviceImageApi } from '../../src/ports';

export interface ThrottleWorkerInput {
  readonly settings: Record<string, string>;
  /** shared: the Graph client as the app builds it; process: with a Retry-After gate of its own process only. */
  readonly throttle: 'shared' | 'process';
  readonly refreshMs: number;
  readonly durationMs: number;
  /** Calls in flight at once. */
  readonly concurrency: number;
  /** Each loop pauses up to this long (at random) between calls, as the app does other work between them. */
  readonly thinkMs: number;
  readonly deviceImageId: string;
}

export interface ThrottleWorkerResult {
  readonly calls: number;
  /** Calls that failed after the client's retries (throttled throughout). */
  readonly failed: number;
}

const GRAPH_RETRY = { delaySeconds: 1, maxRetries: 3 };

function deviceImages(input: ThrottleWorkerInput): DeviceImageApi {
  const config = loadConfig(input.settings);
  const log = createLogger((level, line) => process.stderr.write(`${level}: ${line}\n`), 'warn');
  const clients = createSharedClients(config, log, { graphRetry: GRAPH_RETRY, graphThrottleRefreshMs: input.refreshMs });
  if (input.throttle === 'shared') return clients.deviceImages;
  const gate = createRetryAfterGate();
  return createDeviceImageApi({ client: createGraphClient(clients.credential, config, gate, GRAPH_RETRY), gate });
}

async function main(): Promise<void> {
  const input = JSON.parse(process.env['THROTTLE_WORKER_INPUT'] ?? '') as ThrottleWorkerInput;
  const api = deviceImages(input);
  const lines = createInterface({ input: process.stdin });
  process.stdout.write('ready\n');
  for await (const line of lines) if (line.trim() === 'go') break;

  let calls = 0;
  let failed = 0;
  const loop = async (index: number): Promise<never> => {
    for (let turn = index; ; turn++) {
      calls += 1;
      try {
        if (turn % 2 === 0) await api.list();
        else await api.get(input.deviceImageId);
      } catch (error) {
        if (!(error instanceof TransientError)) throw error;
        failed += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * input.thinkMs));
    }
  };
  // Calls still in flight at the end are cut off with the process: its time is the test's bound.
  for (let index = 0; index < input.concurrency; index++) {
    loop(index).catch((error: unknown) => {
      process.stderr.write(`error: ${String(error)}\n`);
      process.exit(2);
    });
  }
  setTimeout(() => {
    const result: ThrottleWorkerResult = { calls, failed };
    process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
  }, input.durationMs);
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${String(error)}\n`);
  process.exit(1);
});
