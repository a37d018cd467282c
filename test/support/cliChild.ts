// The compiled `image-sync` as a child process the test can kill, at a moment of its choosing, the
// way a crash or a scale-in ends a worker: SIGKILL, no chance to settle a message or write a row.
import { type SpawnOptions, spawn } from 'node:child_process';
import type { CliRun } from './cliProcess';

export interface CliChild {
  readonly pid: number | undefined;
  /** Output so far (live). */
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Not exited yet. */
  running(): boolean;
  /** Settles when the process has exited, however it ended. */
  readonly done: Promise<CliRun & { readonly signal: NodeJS.Signals | null; readonly wallMs: number }>;
  /** SIGKILL now (no-op once it has exited); resolves when it is gone. */
  kill(): Promise<void>;
}

/** Any command as a child process with no stdin, its output collected, killed after timeoutMs. */
export function startChild(
  command: string,
  args: readonly string[],
  options: Pick<SpawnOptions, 'env' | 'shell'>,
  timeoutMs: number,
): CliChild {
  const started = Date.now();
  const child = spawn(command, [...args], { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<CliRun & { signal: NodeJS.Signals | null; wallMs: number }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, wallMs: Date.now() - started });
    });
  });
  return {
    pid: child.pid,
    stdout: () => stdout,
    stderr: () => stderr,
    done,
    running: () => child.exitCode === null && child.signalCode === null,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await done;
    },
  };
}

/** The compiled `image-sync` (path `cli`) run by this Node, with this process's trust in the emulator's certificate. */
export function startCli(cli: string, args: readonly string[], env: Readonly<Record<string, string>>, timeoutMs = 180_000): CliChild {
  return startChild(
    process.execPath,
    [cli, ...args],
    { env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '', ...env } },
    timeoutMs,
  );
}

/** A small seeded generator (mulberry32): the same seed, the same kill moments. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
