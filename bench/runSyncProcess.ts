// Runs `image-sync sync --json` as a user does: the compiled CLI in its own process, settings in
// its environment (NODE_EXTRA_CA_CERTS included, read by Node at start), and its peak RSS and CPU
// time reported by a preloaded module at exit.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StatusSummary } from '../src/cli/statusReport';
import { packageRoot } from '../src/local/packageRoot';

/** The `summary` of `sync --json`. */
export type SyncSummary = StatusSummary;

export interface SyncProcessRun {
  readonly code: number | null;
  /** Date.now() at spawn and at exit. */
  readonly spawnedAt: number;
  readonly exitedAt: number;
  readonly summary: SyncSummary | null;
  readonly maxRssBytes: number | null;
  /** User and system CPU time of the sync process. */
  readonly cpuMs: number | null;
  /** The last lines of stderr (progress and warnings), for a run that went wrong. */
  readonly stderrTail: string;
}

/**
 * BENCH_SYNC_NODE_ARGS adds Node options to the sync process (e.g. "--cpu-prof --cpu-prof-dir=prof"
 * to profile it); `onSpawn` receives its pid, for sampling its CPU while it runs; `cliPath` runs
 * another build's CLI (the previous release's, bench/previousRelease.ts).
 */
export async function runSyncProcess(
  env: Readonly<Record<string, string>>,
  timeoutSeconds: number,
  onSpawn?: (pid: number | undefined) => void,
  cliPath?: string,
): Promise<SyncProcessRun> {
  const root = packageRoot();
  const scratch = await mkdtemp(path.join(tmpdir(), 'image-sync-bench-'));
  const usageFile = path.join(scratch, 'usage.json');
  try {
    const spawnedAt = Date.now();
    const child = spawn(
      process.execPath,
      [
        ...(process.env.BENCH_SYNC_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
        '-r',
        path.join(root, 'bench/reportUsage.cjs'),
        cliPath ?? path.join(root, 'dist/src/cli/main.js'),
        'sync',
        '--json',
        '--timeout',
        String(timeoutSeconds),
      ],
      { env: { PATH: process.env.PATH ?? '', ...env, BENCH_USAGE_FILE: usageFile }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    onSpawn?.(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4_000);
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (exitCode) => resolve(exitCode));
    });
    const exitedAt = Date.now();
    let summary: SyncSummary | null = null;
    try {
      summary = (JSON.parse(stdout) as { summary: SyncSummary }).summary;
    } catch {
      summary = null;
    }
    const usage = await readFile(usageFile, 'utf8').then(
      (text) => JSON.parse(text) as { maxRssBytes: number; cpuMs: number },
      () => null,
    );
    return {
      code,
      spawnedAt,
      exitedAt,
      summary,
      maxRssBytes: usage?.maxRssBytes ?? null,
      cpuMs: usage?.cpuMs ?? null,
      stderrTail: stderr.split('\n').slice(-8).join('\n'),
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
