// Azurite for the local runner and the tests: the `azurite` package's own entry (not a global
// binary), in memory, loopback only, on ports the OS picks, quiet, and gone when we are.
import { spawn, type ChildProcess } from 'node:child_process';
import { Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';

/** The emulator's well-known development account (public, documented, not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
type Service = 'Blob' | 'Queue' | 'Table';
const LISTENING = /Azurite (Blob|Queue|Table) service is successfully listening at (http:\/\/[^\s]+)/g;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

export interface RunningAzurite {
  /** An explicit connection string for devstoreaccount1 with the three endpoints. */
  readonly connectionString: string;
  readonly blobEndpoint: string;
  readonly queueEndpoint: string;
  readonly tableEndpoint: string;
  /** The process id of the Azurite child (for measuring it, as the benchmark does). */
  readonly pid: number | undefined;
  /** Stops the emulator (its data is in memory and goes with it, unless `location` was given); safe to call more than once. */
  stop(): Promise<void>;
}

export interface AzuriteOptions {
  /** How long to wait for the three services; 30 s by default. */
  readonly startTimeoutMs?: number;
  /**
   * For tests that stop storage and start it again: a folder to keep the data in (on disk, so it
   * survives a restart) instead of memory. Default: in memory.
   */
  readonly location?: string;
  /** For the same tests: fixed ports, so that a restart answers at the same endpoints. Default: ports the OS picks. */
  readonly ports?: { readonly blob: number; readonly queue: number; readonly table: number };
}

// Runs inside the child: Azurite reads its flags from process.argv when it is loaded, and exits with
// us because the IPC channel closes even when we are killed outright. The channel itself must not
// keep the child alive once Azurite has closed its servers on SIGTERM.
const LAUNCHER = [
  "process.on('disconnect', () => process.exit(0));",
  'process.channel?.unref();',
  'const entry = process.argv[1];',
  'process.argv = [process.execPath, entry, ...process.argv.slice(2)];',
  'require(entry);',
].join('\n');

function azuriteEntry(): string {
  return require.resolve('azurite/dist/src/azurite.js');
}

/** True when something accepts TCP connections at the endpoint's host and port. */
export function acceptsConnections(endpoint: string): Promise<boolean> {
  const url = new URL(endpoint);
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function listeningEndpoints(child: ChildProcess, timeoutMs: number): Promise<Record<Service, string>> {
  return new Promise((resolve, reject) => {
    const found: Partial<Record<Service, string>> = {};
    let output = '';
    const fail = (reason: string): void => {
      cleanup();
      reject(
        new Error(
          `Azurite did not start: ${reason}${output.trim() === '' ? '' : ` (output: ${output.trim().split('\n').slice(-3).join(' | ')})`}`,
        ),
      );
    };
    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      for (const match of output.matchAll(LISTENING)) {
        const [, service, endpoint] = match;
        if (service !== undefined && endpoint !== undefined) found[service as Service] = endpoint.replace(/\/+$/, '');
      }
      const { Blob, Queue, Table } = found;
      if (Blob !== undefined && Queue !== undefined && Table !== undefined) {
        cleanup();
        resolve({ Blob, Queue, Table });
      }
    };
    const onExit = (code: number | null, signal: string | null): void => fail(`it exited (${signal ?? `code ${code ?? '?'}`})`);
    const onError = (error: Error): void => fail(error.message);
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<RunningAzurite> {
  const flags = [
    ...(options.location === undefined ? ['--inMemoryPersistence'] : ['--location', options.location]),
    '--silent',
    '--skipApiVersionCheck',
    '--disableTelemetry',
  ];
  for (const service of ['blob', 'queue', 'table'] as const)
    flags.push(`--${service}Host`, '127.0.0.1', `--${service}Port`, String(options.ports?.[service] ?? 0));
  const child = spawn(process.execPath, ['-e', LAUNCHER, azuriteEntry(), ...flags], {
    // In memory Azurite writes nothing; it only checks that its location (the working folder) exists.
    cwd: options.location ?? tmpdir(),
    // Azurite loads the Application Insights SDK even with --disableTelemetry, and the SDK then
    // hooks winston, through which Azurite logs every request: about a tenth of its CPU time.
    env: { ...process.env, APPLICATION_INSIGHTS_NO_DIAGNOSTIC_CHANNEL: 'true' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    windowsHide: true,
  });
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      process.off('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        if (!(await waitForExit(child, STOP_TIMEOUT_MS))) {
          child.kill('SIGKILL');
          await waitForExit(child, STOP_TIMEOUT_MS);
        }
      }
    })();
    return stopped;
  };

  let endpoints: Record<Service, string>;
  try {
    endpoints = await listeningEndpoints(child, options.startTimeoutMs ?? START_TIMEOUT_MS);
    for (const endpoint of Object.values(endpoints)) {
      if (!(await acceptsConnections(endpoint))) throw new Error(`Azurite did not start: ${endpoint} does not accept connections`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  // Keep draining its output (a full pipe would block it) without keeping our process alive.
  child.stdout?.resume();
  child.stderr?.resume();
  child.unref();
  child.channel?.unref();
  for (const stream of [child.stdout, child.stderr]) if (stream instanceof Socket) stream.unref();

  const account = (service: Service): string => `${endpoints[service]}/${AZURITE_ACCOUNT}`;
  const connectionString = [
    'DefaultEndpointsProtocol=http',
    `AccountName=${AZURITE_ACCOUNT}`,
    `AccountKey=${AZURITE_KEY}`,
    `BlobEndpoint=${account('Blob')}`,
    `QueueEndpoint=${account('Queue')}`,
    `TableEndpoint=${account('Table')}`,
  ].join(';');
  return {
    connectionString,
    blobEndpoint: account('Blob'),
    queueEndpoint: account('Queue'),
    tableEndpoint: account('Table'),
    pid: child.pid,
    stop,
  };
}
