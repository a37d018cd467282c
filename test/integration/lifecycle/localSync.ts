// The local runner (`image-sync sync` without the CLI around it), on a host.json with short polling,
// for lifecycle tests that follow registrations to ready through the real queues and table.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type LocalSyncResult, type SyncProgress, runLocalSync } from '../../../src/local/runLocalSync';
import type { TestApp } from '../../support/appDeps';

let hostJsonPath: string | null = null;

/** The deployed host.json's queue settings, polling every 200 ms and redelivering after 1 s. */
function fastHostJson(): string {
  if (hostJsonPath !== null) return hostJsonPath;
  const directory = mkdtempSync(path.join(tmpdir(), 'image-sync-lifecycle-'));
  hostJsonPath = path.join(directory, 'host.json');
  writeFileSync(
    hostJsonPath,
    JSON.stringify({
      version: '2.0',
      extensions: {
        queues: {
          maxPollingInterval: '00:00:00.200',
          visibilityTimeout: '00:00:01',
          batchSize: 16,
          newBatchThreshold: 8,
          maxDequeueCount: 5,
          messageEncoding: 'base64',
        },
      },
    }),
  );
  return hostJsonPath;
}

export function syncLocally(app: TestApp, timeoutMs = 20_000, onProgress?: (progress: SyncProgress) => void): Promise<LocalSyncResult> {
  return runLocalSync({
    deps: app.deps,
    clients: app.clients,
    hostJsonPath: fastHostJson(),
    timeoutMs,
    ...(onProgress === undefined ? {} : { onProgress }),
  });
}
