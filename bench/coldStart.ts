// Cold start of the function app: how long the Functions Node worker takes to import the entry
// files (package.json `main`) before it can index them, measured in a fresh `node` each time with
// the worker's `@azure/functions-core` stood in. Also the deployment package: `scripts/package.mjs`
// into a scratch folder (the esbuild bundle), its size and the bundle's import time.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../src/local/packageRoot';

const run = promisify(execFile);
const SAMPLES = 7;

export interface ImportTime {
  readonly what: string;
  /** Median of the samples, milliseconds from the first require to the last one returning. */
  readonly medianMs: number;
  readonly samplesMs: readonly number[];
}

export interface ColdStart {
  /** Each compiled entry file alone, then all of them (what the worker loads). */
  readonly imports: readonly ImportTime[];
  /** The entries, then the modules a first invocation loads (settings, SDK clients, handlers). */
  readonly firstInvocationModules: ImportTime;
  readonly bundle: {
    readonly import: ImportTime;
    readonly zipBytes: number;
    readonly bundleBytes: number;
    readonly unpackedBytes: number;
  } | null;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

async function timeImport(what: string, files: readonly string[], cwd: string): Promise<ImportTime> {
  const script = [
    `const files = ${JSON.stringify(files)};`,
    'const started = process.hrtime.bigint();',
    'for (const file of files) require(file);',
    'process.stdout.write(String(Number(process.hrtime.bigint() - started) / 1e6));',
  ].join('\n');
  const samplesMs: number[] = [];
  for (let sample = 0; sample < SAMPLES; sample++) {
    const { stdout } = await run(process.execPath, ['-r', path.join(packageRoot(), 'test/support/functionsWorkerStub.cjs'), '-e', script], {
      cwd,
      env: { PATH: process.env.PATH ?? '' },
    });
    samplesMs.push(Number(stdout.trim()));
  }
  return { what, medianMs: median(samplesMs), samplesMs };
}

interface PackageResult {
  readonly staging: string;
  readonly zipBytes: number;
  readonly unpackedBytes: number;
  readonly bundleBytes: number;
}

export async function measureColdStart(): Promise<ColdStart> {
  const root = packageRoot();
  const entryDir = path.join(root, 'dist/functions');
  const entries = (await readdir(entryDir))
    .filter((name) => name.endsWith('.js'))
    .sort()
    .map((name) => path.join(entryDir, name));
  const imports: ImportTime[] = [];
  for (const entry of entries) imports.push(await timeImport(`dist/functions/${path.basename(entry)}`, [entry], root));
  imports.push(await timeImport('dist/functions/*.js (all)', entries, root));
  const deferred = [
    'dist/src/runtime/createSyncDeps.js',
    'dist/src/handlers/reconcile.js',
    'dist/src/handlers/imageWritten.js',
    'dist/src/handlers/registerImage.js',
    'dist/src/handlers/pollImageStatus.js',
    'dist/src/handlers/poisonMessage.js',
  ].map((file) => path.join(root, file));
  const firstInvocationModules = await timeImport('entries + first invocation modules', [...entries, ...deferred], root);

  const scratch = await mkdtemp(path.join(tmpdir(), 'image-sync-bench-package-'));
  try {
    const { stdout } = await run(
      process.execPath,
      [path.join(root, 'scripts/package.mjs'), '--root', root, '--out', path.join(scratch, 'cloudpc-image-sync.zip'), '--json'],
      { cwd: root, maxBuffer: 16 * 1024 * 1024 },
    );
    const packaged = JSON.parse(stdout) as PackageResult;
    const bundleImport = await timeImport('package bundle dist/main.js', [path.join(packaged.staging, 'dist/main.js')], packaged.staging);
    return {
      imports,
      firstInvocationModules,
      bundle: {
        import: bundleImport,
        zipBytes: packaged.zipBytes,
        bundleBytes: packaged.bundleBytes,
        unpackedBytes: packaged.unpackedBytes,
      },
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
