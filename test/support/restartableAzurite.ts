// An Azurite of one test's own that it can stop and start again, as a storage outage does: its data
// on disk (a temporary folder), so queues and tables survive the restart, and fixed ports, so the
// app's connection string still points at it. The run's shared Azurite (azurite.globalSetup.ts) is
// never stopped: other test files use it at the same time.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type RunningAzurite, startAzurite } from '../../src/local/startAzurite';

export interface RestartableAzurite {
  /** The same for every start. */
  readonly connectionString: string;
  readonly queueEndpoint: string;
  readonly tableEndpoint: string;
  readonly ports: { readonly blob: number; readonly queue: number; readonly table: number };
  readonly running: boolean;
  start(): Promise<void>;
  /** SIGTERM, as `docker stop` or a service restart would (Azurite saves its data on the way out). */
  stop(): Promise<void>;
  /** Stops it and deletes its data. */
  remove(): Promise<void>;
}

/** A port nothing listens on now (the OS's pick, released at once). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function restartableAzurite(): Promise<RestartableAzurite> {
  const location = mkdtempSync(path.join(tmpdir(), 'image-sync-azurite-'));
  const ports = { blob: await freePort(), queue: await freePort(), table: await freePort() };
  let current: RunningAzurite | null = await startAzurite({ location, ports });
  const first = current;
  return {
    connectionString: first.connectionString,
    queueEndpoint: first.queueEndpoint,
    tableEndpoint: first.tableEndpoint,
    ports,
    get running() {
      return current !== null;
    },
    async start() {
      if (current !== null) return;
      current = await startAzurite({ location, ports });
      if (current.connectionString !== first.connectionString)
        throw new Error(`Azurite came back at other endpoints: ${current.connectionString}`);
    },
    async stop() {
      await current?.stop();
      current = null;
    },
    async remove() {
      await current?.stop();
      current = null;
      rmSync(location, { recursive: true, force: true });
    },
  };
}
