// Crashes (issue 12): the real `image-sync sync` killed outright (SIGKILL) at seeded random moments
// of a realistic run — registering, polling, retrying an upload, retiring a superseded version —
// and started again each time, then left to finish. Whatever a kill interrupts, the end must be what
// an uninterrupted run leaves: no duplicate device image (per source and version), no lost
// registration, no row left `creating` or `queued`, every image ready (or failed, the one that fails
// on purpose; or retired, the superseded versions), and no request sent before its Retry-After.
//
// The CLI runs from a package root of its own whose host.json hides a failed message for 1 s, not the
// deployed 30 s (test/support/fastPackageRoot.ts). A kill between a claim and its create leaves a
// `creating` row whose lease (CLAIM_LEASE_MS, 90 s) the last run waits out before it looks Graph up:
// most of this test's time. The figures are printed, never asserted on.
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerRow } from '../../src/domain';
import {
  type Emulator,
  estate,
  managedImage,
  managedImageResourceId,
  resourceGroup,
  subscription,
  type ManagedImageInput,
} from '../../src/emulator';
import { isReleasedClaim } from '../../src/steps/ledgerTransitions';
import { CLAIM_LEASE_MS } from '../../src/rules/times';
import { queueLength, testApp, testAppSettings } from '../support/appDeps';
import { seededRandom, startCli } from '../support/cliChild';
import { startTestEmulator } from '../support/emulator';
import { type FastPackageRoot, fastPackageRoot } from '../support/fastPackageRoot';

const SUB = '5c5c5c5c-0000-4000-8000-00000000005c';
const GROUP = 'rg-images';
const SEED = Number(process.env.CRASH_SEED ?? 12);
const KILLS = Number(process.env.CRASH_KILLS ?? 7);
/** Long enough for a claim lease left by the first kills (90 s) and the work after it. */
const FINAL_TIMEOUT_SECONDS = Number(process.env.CRASH_FINAL_TIMEOUT_SECONDS ?? 120);
const CREATE = 'graph.deviceImages.create';
const idOf = (name: string) => managedImageResourceId(SUB, GROUP, name);
const versionTags = (version: string) => ({ 'cloudpc-sync': 'true', 'cloudpc-version': version });

/** Registered at 1.0.0 by a first, clean sync, then rebuilt in place as 2.0.0: the killed runs retire 1.0.0 (IMAGE_SYNC_KEEP_VERSIONS=1). */
const RETAINED = ['win11-kept-a', 'win11-kept-b'];
const READY = Array.from({ length: 7 }, (_, n) => `win11-app${n + 1}-1.${n + 1}.0`);
/** Fail once with internalServerError, then ready on retryUpload. */
const FLAKY = ['win11-flaky1-2.1.0', 'win11-flaky2-2.2.0'];
/** Fails for good. */
const BROKEN = 'win11-notsysprepped-3.0.0';

/** Uploads of 1-4 s, so that the kills find uploads pending, failing and being retried. */
function newImages(): ManagedImageInput[] {
  return [
    ...READY.map((name, n) => managedImage({ name, upload: { outcome: 'ready', seconds: 1 + (n % 4) } })),
    ...FLAKY.map((name, n) =>
      managedImage({
        name,
        upload: { outcome: 'failed', errorCode: 'internalServerError', seconds: 1.5 + n, retryOutcome: 'ready', retrySeconds: 2 },
      }),
    ),
    managedImage({ name: BROKEN, upload: { outcome: 'failed', errorCode: 'sourceImageNotGeneralized', seconds: 2 } }),
  ];
}

let emulator: Emulator;
let pkg: FastPackageRoot;
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startTestEmulator(
    estate({
      uploadSeconds: 2.5,
      subscriptions: [
        subscription({
          id: SUB,
          displayName: 'Imaging',
          resourceGroups: [
            resourceGroup(
              GROUP,
              RETAINED.map((name) => managedImage({ name, build: 'b1', tags: versionTags('1.0.0') })),
            ),
          ],
        }),
      ],
    }),
    { seed: SEED },
  );
  pkg = fastPackageRoot();
  env = testAppSettings(emulator, {
    IMAGE_SYNC_SUBSCRIPTION_IDS: SUB,
    IMAGE_SYNC_POLL_INTERVAL_SECONDS: '1',
    IMAGE_SYNC_POLL_MAX_INTERVAL_SECONDS: '2',
    IMAGE_SYNC_KEEP_VERSIONS: '1',
  });
});

afterAll(async () => {
  await emulator?.stop();
  pkg?.remove();
});

interface Kill {
  readonly run: number;
  /** ms after the run's first request to the tenant; null: the run ended by itself first. */
  readonly atMs: number | null;
  /** Killed right after Graph answered a request of this phase; null: at the drawn moment. */
  readonly target: Phase | null;
  readonly requests: number;
  /** The kinds of the requests it sent in its last half second: what the kill interrupted. */
  readonly interrupted: readonly Phase[];
  /** Its last progress line. */
  readonly progress: string;
  /** What it left behind: ledger states, messages in the queues (hidden ones included). */
  readonly left: string;
}

interface StatusDocument {
  readonly problems: ReadonlyArray<{ kind: string; detail: string }>;
}

type Phase = 'register' | 'poll' | 'retryUpload' | 'retention' | 'reconcile';

/** The phase a request belongs to. */
function phaseOf(kind: string): Phase {
  if (kind === CREATE) return 'register';
  if (kind === 'graph.deviceImages.get') return 'poll';
  if (kind === 'graph.deviceImages.retryUpload') return 'retryUpload';
  if (kind === 'graph.deviceImages.delete') return 'retention';
  return 'reconcile';
}

function lastProgress(stderr: string): string {
  return (
    stderr
      .split('\n')
      .filter((line) => line.startsWith('sync:'))
      .at(-1)
      ?.replace(/^sync: /, '') ?? '(none yet)'
  );
}

function countStates(rows: readonly LedgerRow[]): string {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.state, (counts.get(row.state) ?? 0) + 1);
  return [...counts].map(([state, count]) => `${state} ${count}`).join(', ') || 'no rows';
}

async function leftBehind(): Promise<string> {
  const app = testApp(env);
  const [rows, register, status] = await Promise.all([
    app.deps.ledger.list(),
    queueLength(app, app.config.registerQueue),
    queueLength(app, app.config.statusQueue),
  ]);
  return `${countStates(rows)}; messages: register ${register}, status ${status}`;
}

/** Resolves when the emulator has received more than `count` requests (false after 30 s). */
async function requestAfter(count: number): Promise<boolean> {
  const deadline = Date.now() + 30_000;
  while (emulator.requests.length <= count) {
    if (Date.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

function versionOf(name: string): string {
  return /-(\d+\.\d+\.\d+)$/.exec(name)?.[1] ?? '';
}

describe('image-sync sync killed and restarted', () => {
  it(
    'ends as an uninterrupted run would: one device image per registration, nothing lost, nothing left creating',
    { timeout: (FINAL_TIMEOUT_SECONDS + 90) * 1_000 },
    async () => {
      const started = Date.now();
      // A clean first sync registers 1.0.0 of the two images retention will act on.
      const first = await startCli(pkg.cli, ['sync', '--json', '--timeout', '60'], env).done;
      expect(first.code, first.stderr.slice(-2_000)).toBe(0);
      expect(emulator.deviceImages().map((image) => image.version)).toEqual(['1.0.0', '1.0.0']);
      const firstSyncMs = Date.now() - started;

      // Then the estate grows by ten images and both are rebuilt in place as 2.0.0.
      for (const image of newImages()) emulator.putManagedImage(SUB, GROUP, image);
      for (const name of RETAINED) emulator.rebuildManagedImage(idOf(name), { build: 'b2', tags: versionTags('2.0.0') });
      emulator.clearRequests();

      const random = seededRandom(SEED);
      const kills: Kill[] = [];
      const uninterrupted = new Set<Phase>(['register', 'poll', 'retryUpload', 'retention']);
      for (let run = 1; run <= KILLS; run++) {
        const atMs = Math.round(300 + random() * 2_700);
        const requestsBefore = emulator.requests.length;
        const child = startCli(pkg.cli, ['sync', '--json', '--timeout', '120'], env);
        // Counted from the run's first request to the tenant (its reconcile's listing): the second or
        // so Node takes to load the CLI is not worth killing. The kill comes at the drawn moment, or
        // sooner, right after Graph answered the first request of a phase no kill has interrupted yet
        // (the moment its outcome is known to Graph and not yet to the ledger).
        const ended = await Promise.race([child.done.then(() => true), requestAfter(requestsBefore).then(() => false)]);
        const runStarted = Date.now();
        let target: Phase | null = null;
        for (let seen = emulator.requests.length; !ended && child.running(); await sleep(2)) {
          const elapsed = Date.now() - runStarted;
          if (elapsed >= atMs) break;
          const answered = emulator.requests
            .slice(seen)
            .find((request) => typeof request.status === 'number' && request.status < 300 && uninterrupted.has(phaseOf(request.kind)));
          seen = emulator.requests.length;
          if (elapsed >= 300 && answered !== undefined) {
            target = phaseOf(answered.kind);
            break;
          }
        }
        const killedAt = Date.now();
        await child.kill();
        const during = emulator.requests.slice(requestsBefore);
        const interrupted = [
          ...new Set(during.filter((request) => Date.parse(request.at) >= killedAt - 500).map((request) => phaseOf(request.kind))),
        ];
        for (const phase of interrupted) uninterrupted.delete(phase);
        kills.push({
          run,
          atMs: ended ? null : killedAt - runStarted,
          target,
          requests: during.length,
          interrupted,
          progress: lastProgress(child.stderr()),
          left: await leftBehind(),
        });
      }

      // The claims the kills left: the last run waits their leases out before it looks Graph up.
      const app = testApp(env);
      const finalStarted = Date.now();
      const claims = (await app.deps.ledger.list()).filter((row) => row.state === 'creating' && !isReleasedClaim(row));
      const leaseLeftMs = Math.max(0, ...claims.map((row) => CLAIM_LEASE_MS - (finalStarted - Date.parse(row.updatedAt))));
      const final = await startCli(
        pkg.cli,
        ['sync', '--json', '--timeout', String(FINAL_TIMEOUT_SECONDS)],
        env,
        (FINAL_TIMEOUT_SECONDS + 30) * 1_000,
      ).done;
      const finalMs = Date.now() - finalStarted;
      const wallMs = Date.now() - started;

      const ledger = await app.deps.ledger.list();
      const creates = emulator.requests.filter((request) => request.kind === CREATE);
      const leaseBackoffs = final.stderr
        .split('\n')
        .filter((line) => line.includes('TransientRetryScheduled') && line.includes('another worker is creating')).length;
      const phasesHit = new Map<Phase, number>();
      for (const kill of kills) for (const phase of kill.interrupted) phasesHit.set(phase, (phasesHit.get(phase) ?? 0) + 1);
      console.log(
        [
          `crash/restart (seed ${SEED}): ${kills.length} kills, then a run to the end; ${(wallMs / 1000).toFixed(1)} s wall time (first clean sync ${(firstSyncMs / 1000).toFixed(1)} s, last run ${(finalMs / 1000).toFixed(1)} s, exit ${final.code ?? final.signal})`,
          ...kills.map(
            (kill) =>
              `  kill ${kill.run}: ${kill.atMs === null ? 'the run ended before its kill' : `${(kill.atMs / 1000).toFixed(2)} s into the run${kill.target === null ? '' : `, right after a ${kill.target} answer`}`}, ${kill.requests} requests, interrupting ${kill.interrupted.join('+') || 'nothing (no request in its last 0.5 s)'}; progress: ${kill.progress}; left: ${kill.left}`,
          ),
          `  phases a kill interrupted: ${[...phasesHit].map(([phase, count]) => `${phase} ${count}`).join(', ') || 'none'}`,
          `  claim leases at the last run's start: ${claims.length} creating rows, up to ${(leaseLeftMs / 1000).toFixed(1)} s of CLAIM_LEASE_MS (${CLAIM_LEASE_MS / 1000} s) left; register deliveries backed off by a lease in the last run: ${leaseBackoffs}`,
          `  requests after the first sync: ${emulator.requests.length} (${Object.entries(emulator.counts())
            .map(([kind, count]) => `${kind} ${count}`)
            .join(', ')})`,
          `  creates sent: ${creates.length} (${creates.filter((request) => request.status === 201).length} answered 201); device images: ${emulator.deviceImages({ includeDeleted: true }).length} (deleted ${emulator.deviceImages({ includeDeleted: true }).filter((image) => image.deleted).length}); duplicates: ${emulator.duplicateDeviceImages().length}; early retries: ${emulator.earlyRetries().length}`,
          `  ledger at the end: ${countStates(ledger)}`,
        ].join('\n'),
      );

      // No duplicate device image, per source and version, deleted ones included; no early retry.
      expect(emulator.duplicateDeviceImages()).toEqual([]);
      expect(emulator.earlyRetries()).toEqual([]);

      // Every registration in the ledger, settled as an uninterrupted run leaves it.
      const rowOf = (name: string, version: string): LedgerRow | undefined =>
        ledger.find((row) => row.sourceImageResourceId.toLowerCase() === idOf(name).toLowerCase() && row.version === version);
      const expected: Array<readonly [string, string, string]> = [
        ...[...READY, ...FLAKY].map((name) => [name, versionOf(name), 'ready'] as const),
        [BROKEN, versionOf(BROKEN), 'failed sourceImageNotGeneralized'],
        ...RETAINED.flatMap((name) => [[name, '2.0.0', 'ready'] as const, [name, '1.0.0', 'retired'] as const]),
      ];
      const stateOf = (name: string, version: string): string => {
        const row = rowOf(name, version);
        if (row === undefined) return 'missing';
        return row.state === 'failed' ? `failed ${row.errorCode ?? '?'}` : row.state;
      };
      expect(Object.fromEntries(expected.map(([name, version]) => [`${name} ${version}`, stateOf(name, version)]))).toEqual(
        Object.fromEntries(expected.map(([name, version, state]) => [`${name} ${version}`, state])),
      );
      expect(ledger.filter((row) => row.state === 'creating' || row.state === 'queued' || row.state === 'pending')).toEqual([]);
      expect(ledger).toHaveLength(expected.length);

      // Each registration's device image is the one the ledger names; the retired versions are gone from Graph.
      const inGraph = new Map(
        emulator.deviceImages().map((image) => [`${image.sourceImageResourceId.toLowerCase()} ${image.version}`, image]),
      );
      for (const [name, version, state] of expected) {
        const image = inGraph.get(`${idOf(name).toLowerCase()} ${version}`);
        if (state === 'retired') expect(image, `${name} ${version}`).toBeUndefined();
        else expect(image?.id, `${name} ${version}`).toBe(rowOf(name, version)?.deviceImageId);
      }
      for (const name of FLAKY)
        expect(inGraph.get(`${idOf(name).toLowerCase()} ${versionOf(name)}`), name).toMatchObject({ status: 'ready', uploads: 2 });

      // The last run reports it so: exit 2 for the image that failed on purpose, and no problem.
      expect(final.code, final.stderr.slice(-3_000)).toBe(2);
      expect((JSON.parse(final.stdout) as StatusDocument).problems).toEqual([]);
    },
  );
});
