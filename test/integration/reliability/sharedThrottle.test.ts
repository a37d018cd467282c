// One throttle for every instance (DESIGN §8): several instances of the app, each a process with its
// own deps built from the same settings, call Graph in a loop against one emulator that enforces a
// request budget. No request from any of them arrives before a Retry-After that any of them was
// given has passed, beyond those already on their way when it was given. The share of requests
// refused is printed beside the same load with a Retry-After gate per process only.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deviceImage,
  estate,
  managedImage,
  managedImageResourceId,
  resourceGroup,
  subscription,
  type RecordedRequest,
} from '../../../src/emulator';
import { testAppSettings } from '../../support/appDeps';
import { useEmulator } from '../../support/emulator';
import { testStorageClients } from '../../support/storage';
import { REPO_ROOT } from '../../support/functionApp';
import type { ThrottleWorkerInput, ThrottleWorkerResult } from '../../support/throttleWorker';

const SUB = '45555555-5555-4555-8555-555555555555';
const IMAGE_ID = 'd0000000-0000-4000-8000-0000000000a1';
const WORKERS = 3;
const CONCURRENCY = 4;
const DURATION_MS = 7_000;
/** Each call is followed by up to this long of other work (at random), so the instances are not in step. */
const THINK_MS = 100;
const BUDGET = { perSecond: 10, burst: 10 };
/** How often each instance reads the shared row, at most (production: 1 s). */
const REFRESH_MS = 100;
/**
 * Requests on their way when a 429 was answered: sent by an instance that had not yet learnt of it
 * (the row is written after the answer, and read at most every REFRESH_MS), or sent before it and
 * answered after it. Generous for a loaded 2-core machine, where every process's event loop lags.
 */
const IN_FLIGHT_MS = REFRESH_MS + 400;
/** Timers against the emulator's clock (another process's). */
const TIMER_SLACK_MS = 25;

const fixture = useEmulator(() =>
  estate({
    subscriptions: [subscription({ id: SUB, resourceGroups: [resourceGroup('rg-images', [managedImage({ name: 'win11-1.0.0' })])] })],
    deviceImages: [
      deviceImage({
        id: IMAGE_ID,
        displayName: 'win11',
        version: '1.0.0',
        sourceImageResourceId: managedImageResourceId(SUB, 'rg-images', 'win11-1.0.0'),
      }),
    ],
  }),
);

let bundleDir = '';
let workerScript = '';

beforeAll(async () => {
  bundleDir = await mkdtemp(path.join(tmpdir(), 'image-sync-throttle-worker-'));
  workerScript = path.join(bundleDir, 'throttleWorker.js');
  await build({
    entryPoints: [path.join(REPO_ROOT, 'test/support/throttleWorker.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    outfile: workerScript,
    logLevel: 'silent',
  });
});

afterAll(async () => {
  if (bundleDir !== '') await rm(bundleDir, { recursive: true, force: true });
});

interface Worker {
  readonly child: ChildProcessWithoutNullStreams;
  readonly ready: Promise<void>;
  readonly done: Promise<ThrottleWorkerResult>;
}

function startWorker(input: ThrottleWorkerInput): Worker {
  const child = spawn(process.execPath, [workerScript], {
    // The bundle leaves packages out: they come from the repository's node_modules.
    env: {
      PATH: process.env.PATH ?? '',
      NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS ?? '',
      NODE_PATH: path.join(REPO_ROOT, 'node_modules'),
      THROTTLE_WORKER_INPUT: JSON.stringify(input),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    if (stdout.startsWith('ready\n')) markReady();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  // A worker that died cannot take "go"; its exit fails the phase.
  child.stdin.on('error', () => undefined);
  const killer = setTimeout(() => child.kill('SIGKILL'), 45_000);
  const done = new Promise<ThrottleWorkerResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) reject(new Error(`throttle worker exited ${code}: ${stderr || stdout}`));
      else resolve(JSON.parse(last) as ThrottleWorkerResult);
    });
  });
  done.catch(() => undefined);
  // A worker that dies before it is ready fails the phase instead of leaving it waiting.
  return { child, ready: Promise.race([ready, done.then(() => undefined)]), done };
}

interface Phase {
  readonly requests: readonly RecordedRequest[];
  readonly refused: number;
  readonly calls: number;
}

/**
 * WORKERS instances of the app, started (they wait for "go"), with a table of their own so that
 * nothing is shared with another group. The table exists, as the ledger's does once the app has run.
 */
async function startInstances(throttle: ThrottleWorkerInput['throttle']): Promise<Worker[]> {
  const settings = testAppSettings(fixture.emulator);
  await testStorageClients()
    .table(settings['IMAGE_SYNC_TABLE'] ?? '')
    .createTable();
  return Array.from({ length: WORKERS }, () =>
    startWorker({
      settings,
      throttle,
      refreshMs: REFRESH_MS,
      durationMs: DURATION_MS,
      concurrency: CONCURRENCY,
      thinkMs: THINK_MS,
      deviceImageId: IMAGE_ID,
    }),
  );
}

/** The instances under one request budget for DURATION_MS; the Graph requests the emulator saw meanwhile. */
async function runPhase(workers: readonly Worker[]): Promise<Phase> {
  try {
    await Promise.all(workers.map((worker) => worker.ready));
    const first = fixture.emulator.requests.length;
    fixture.emulator.setFaults({ service: 'graph', budget: BUDGET });
    for (const worker of workers) worker.child.stdin.write('go\n');
    const results = await Promise.all(workers.map((worker) => worker.done));
    const requests = fixture.emulator.requests.slice(first).filter((request) => request.service === 'graph');
    return {
      requests,
      refused: requests.filter((request) => request.status === 429).length,
      calls: results.reduce((total, result) => total + result.calls, 0),
    };
  } finally {
    fixture.emulator.clearFaults();
  }
}

interface EarlyRequest {
  readonly request: RecordedRequest;
  /** The 429 it came too soon after, and how long after that answer it arrived. */
  readonly after: RecordedRequest;
  readonly afterMs: number;
}

/** Requests, from any instance, arriving after a 429's in-flight allowance but before its Retry-After had passed. */
function sentBeforeAnyRetryAfter(requests: readonly RecordedRequest[]): EarlyRequest[] {
  const early: EarlyRequest[] = [];
  for (const answered of requests) {
    if (answered.status !== 429 || answered.retryAfterSeconds === null) continue;
    const from = answered.answeredAtMs + IN_FLIGHT_MS;
    const to = answered.answeredAtMs + answered.retryAfterSeconds * 1000 - TIMER_SLACK_MS;
    for (const request of requests) {
      if (request.receivedAtMs > from && request.receivedAtMs < to)
        early.push({ request, after: answered, afterMs: Math.round(request.receivedAtMs - answered.answeredAtMs) });
    }
  }
  return early;
}

const share = (phase: Phase): string =>
  `${((100 * phase.refused) / Math.max(1, phase.requests.length)).toFixed(1)} % (${phase.refused} of ${phase.requests.length} requests, ${phase.calls} calls)`;

describe('one Graph throttle for every instance', () => {
  it(`holds ${WORKERS} instances under one request budget until any Retry-After has passed`, async () => {
    // Both groups start at once (starting takes seconds); the second waits, idle, for its turn.
    const groups = { perProcess: await startInstances('process'), shared: await startInstances('shared') };
    let perProcess: Phase;
    let shared: Phase;
    try {
      perProcess = await runPhase(groups.perProcess);
      shared = await runPhase(groups.shared);
    } finally {
      for (const worker of [...groups.perProcess, ...groups.shared]) if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    }
    console.log(
      [
        `Graph requests refused (429) under a budget of ${BUDGET.perSecond}/s, burst ${BUDGET.burst}, ${WORKERS} instances × ${CONCURRENCY} calls at once, ${DURATION_MS / 1000} s:`,
        `  shared throttle:        ${share(shared)}, ${sentBeforeAnyRetryAfter(shared.requests).length} requests inside a Retry-After any instance was given`,
        `  gate per process only:  ${share(perProcess)}, ${sentBeforeAnyRetryAfter(perProcess.requests).length} requests inside a Retry-After any instance was given`,
      ].join('\n'),
    );
    expect(shared.refused).toBeGreaterThan(0);
    expect(
      sentBeforeAnyRetryAfter(shared.requests).map(
        (early) => `${early.request.kind} #${early.request.sequence} ${early.afterMs} ms after 429 #${early.after.sequence}`,
      ),
    ).toEqual([]);
  }, 60_000);
});
