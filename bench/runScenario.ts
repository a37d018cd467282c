// One benchmark run: a fresh in-memory Azurite, the emulator serving the scenario's estate with its
// latency (and budget), `image-sync sync --json` in its own process, then the figures.
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { type FaultRule, type TlsCertificate, startEmulator } from '../src/emulator';
import { readHostQueueSettings } from '../src/local/hostQueueSettings';
import { packageRoot } from '../src/local/packageRoot';
import { startAzurite } from '../src/local/startAzurite';
import { type BenchEstate, benchEstate } from './benchEstate';
import { type CpuTimeline, type WindowCpu, startCpuTimeline, windowCpu } from './cpuTimeline';
import { processCpuMs } from './processCpu';
import type { PreviousRelease } from './previousRelease';
import { type BudgetFigures, type DiscoveryShape, type RequestFigures, budgetFigures, requestFigures } from './requestFigures';
import { type SyncSummary, runSyncProcess } from './runSyncProcess';
import type { Scenario } from './scenarios';
import { type BaselineResult, runSequentialBaseline } from './sequentialBaseline';

/** The runner's first status check comes this long after a create: when the bench's uploads settle. */
export const POLL_INTERVAL_SECONDS = 1;
/** IMAGE_SYNC_SUBSCRIPTION_CONCURRENCY when a run does not set it (DESIGN §3). */
const DEFAULT_SUBSCRIPTION_CONCURRENCY = 8;

export interface ScenarioResult {
  readonly name: string;
  readonly summary: string;
  readonly latencyMs: number;
  readonly subscriptions: number;
  readonly images: BenchEstate['counts'];
  readonly armPageSize: number;
  readonly graphPageSize: number;
  readonly settings: Readonly<Record<string, string>>;
  readonly exitCode: number | null;
  /** Every new and registered image ready, every ineligible one skipped, nothing failed. */
  readonly complete: boolean;
  readonly sync: SyncSummary | null;
  /** Process start to exit (Node start and module loading included). */
  readonly wallMs: number;
  /** The first ARM/Graph request to the process's exit: the sync's own work. */
  readonly workMs: number;
  /** 2 × (slowest subscription's pages × latency + POSTs ÷ concurrency × latency + one poll interval). */
  readonly workBoundMs: number;
  /** Handlers the register drain runs at once (host.json batchSize + newBatchThreshold). */
  readonly registerConcurrency: number;
  /** IMAGE_SYNC_SUBSCRIPTION_CONCURRENCY of the run. */
  readonly subscriptionConcurrency: number;
  /** The least a reconcile can take at this latency and concurrency: the ARM rounds or the Graph list, whichever is longer. */
  readonly reconcileFloorMs: number;
  /** A reconcile that listed one subscription after another, then Graph. */
  readonly reconcileSequentialMs: number;
  readonly requests: RequestFigures;
  readonly budget: BudgetFigures | null;
  readonly earlyRetries: number;
  readonly maxRssBytes: number | null;
  /** CPU time of the sync process (one core at most: Node runs the app on one thread). */
  readonly cpuMs: number | null;
  /** CPU time Azurite spent during the sync (Linux only). */
  readonly azuriteCpuMs: number | null;
  /** CPU time of the benchmark's own process during the sync: the emulator, mostly. */
  readonly emulatorCpuMs: number;
  /** The machine's 1-minute load average before and after the run (other work on it skews the figures). */
  readonly loadAverage: readonly [number, number];
  /** CPU use during the reconcile's listing and during the whole work. */
  readonly busy: { readonly reconcile: WindowCpu; readonly work: WindowCpu };
  readonly judges: NonNullable<Scenario['judges']>;
  readonly stderrTail: string;
  /** The run had fault rules beyond latency and budget: its requests include the faults' retries. */
  readonly faulted: boolean;
  /** The plain sequential client on the same estate and faults (runs with `baseline`). */
  readonly baseline: (BaselineResult & { readonly requests: number; readonly refused: number }) | null;
  readonly versusBaseline: NonNullable<Scenario['versusBaseline']>;
  readonly discovery: DiscoveryShape;
  /** The previous release's CLI on the same estate, faults and settings (`--against`). */
  readonly previous: PreviousRun | null;
}

export interface PreviousRun {
  readonly ref: string;
  readonly commit: string;
  readonly complete: boolean;
  readonly exitCode: number | null;
  readonly wallMs: number;
  readonly workMs: number;
  /** Requests served (not refused with 429). */
  readonly requests: number;
  readonly reconcileMs: number;
  readonly maxRssBytes: number | null;
  readonly cpuMs: number | null;
}

function discoveryOf(settings: Readonly<Record<string, string>>): DiscoveryShape {
  return {
    mode: settings.IMAGE_SYNC_DISCOVERY === 'resource-graph' ? 'resource-graph' : 'arm',
    listedSubscriptions: settings.IMAGE_SYNC_SUBSCRIPTION_IDS !== '*',
  };
}

export async function runScenario(
  scenario: Scenario,
  tls: TlsCertificate & { readonly certPath: string },
  previousRelease: PreviousRelease | null = null,
): Promise<ScenarioResult> {
  const bench = benchEstate(scenario.shape);
  const faults: FaultRule[] = [{ latencyMs: scenario.latencyMs }];
  if (scenario.budget !== undefined) faults.push({ budget: { perSecond: scenario.budget.perSecond, burst: scenario.budget.burst } });
  faults.push(...(scenario.faults ?? []));
  const hostSettings = await readHostQueueSettings(path.join(packageRoot(), 'host.json'));
  const registerConcurrency = hostSettings.batchSize + hostSettings.newBatchThreshold;
  const [azurite, emulator] = await Promise.all([startAzurite(), startEmulator({ estate: bench.estate, tls, faults })]);
  const loadBefore = loadavg()[0] ?? 0;
  try {
    // The generated estates register far more than a tenant's 20 images; the emulator makes room for all.
    const tenantImageLimit = String(bench.counts.new + bench.counts.registered + bench.counts.rebuilt * 2 + 1);
    const settings: Record<string, string> = {
      IMAGE_SYNC_POLL_INTERVAL_SECONDS: String(POLL_INTERVAL_SECONDS),
      IMAGE_SYNC_POLL_MAX_INTERVAL_SECONDS: '4',
      IMAGE_SYNC_TENANT_IMAGE_LIMIT: tenantImageLimit,
      ...scenario.settings,
    };
    const azuriteBefore = await processCpuMs(azurite.pid);
    const benchBefore = process.cpuUsage();
    const timelines: CpuTimeline[] = [];
    const run = await runSyncProcess(
      { AzureWebJobsStorage: azurite.connectionString, ...emulator.settings(), ...settings },
      scenario.timeoutSeconds,
      (pid) => {
        timelines.push(startCpuTimeline({ sync: pid, azurite: azurite.pid }));
      },
    );
    const samples = timelines.flatMap((timeline) => timeline.stop());
    const benchCpu = process.cpuUsage(benchBefore);
    const azuriteAfter = await processCpuMs(azurite.pid);
    const discovery = discoveryOf({ ...emulator.settings(), ...settings });
    const requests = requestFigures(emulator.requests, bench, scenario.latencyMs, discovery);
    const { counts } = bench;
    const sync = run.summary;
    const complete = isComplete(run.code, sync, counts);
    const slowestPages = Math.max(...bench.armPages);
    const subscriptionConcurrency = Number(settings.IMAGE_SYNC_SUBSCRIPTION_CONCURRENCY ?? DEFAULT_SUBSCRIPTION_CONCURRENCY);
    const rounds = Math.ceil(bench.armPages.length / subscriptionConcurrency);
    // Through Resource Graph the discovery is one query's pages, beside the Graph list.
    const discoveryRounds = discovery.mode === 'resource-graph' ? requests.resourceGraph.minimum : rounds * slowestPages;
    const reconcileFloorMs = Math.max(discoveryRounds, bench.graphPages) * scenario.latencyMs;
    const reconcileSequentialMs =
      ((discovery.mode === 'resource-graph' ? requests.resourceGraph.minimum : bench.armPages.reduce((sum, pages) => sum + pages, 0)) +
        bench.graphPages) *
      scenario.latencyMs;
    const workBoundMs =
      2 *
      (slowestPages * scenario.latencyMs +
        ((counts.new + counts.rebuilt) / registerConcurrency) * scenario.latencyMs +
        POLL_INTERVAL_SECONDS * 1000);
    return {
      name: scenario.name,
      summary: scenario.summary,
      latencyMs: scenario.latencyMs,
      subscriptions: scenario.shape.subscriptions,
      images: counts,
      armPageSize: bench.armPageSize,
      graphPageSize: bench.graphPageSize,
      settings,
      exitCode: run.code,
      complete,
      sync,
      wallMs: run.exitedAt - run.spawnedAt,
      workMs: requests.firstRequestAt === 0 ? 0 : run.exitedAt - requests.firstRequestAt,
      workBoundMs,
      registerConcurrency,
      subscriptionConcurrency,
      reconcileFloorMs,
      reconcileSequentialMs,
      requests,
      budget: scenario.budget === undefined ? null : budgetFigures(emulator.requests, scenario.budget),
      earlyRetries: emulator.earlyRetries().length,
      maxRssBytes: run.maxRssBytes,
      cpuMs: run.cpuMs,
      azuriteCpuMs: azuriteBefore === null || azuriteAfter === null ? null : azuriteAfter - azuriteBefore,
      emulatorCpuMs: (benchCpu.user + benchCpu.system) / 1000,
      loadAverage: [loadBefore, loadavg()[0] ?? 0],
      busy: {
        reconcile: windowCpu(samples, requests.firstRequestAt, requests.firstRequestAt + requests.reconcile.spanMs, cpus().length),
        work: windowCpu(samples, requests.firstRequestAt, run.exitedAt, cpus().length),
      },
      judges: scenario.judges ?? {},
      stderrTail: complete ? '' : run.stderrTail,
      faulted: (scenario.faults ?? []).length > 0,
      baseline: scenario.baseline === true ? await runBaselineOn(bench, tls, faults, settings) : null,
      versusBaseline: scenario.versusBaseline ?? {},
      discovery,
      previous: previousRelease === null ? null : await runPreviousOn(previousRelease, scenario, bench, tls, faults, settings),
    };
  } finally {
    await Promise.allSettled([emulator.stop(), azurite.stop()]);
  }
}

/** Every new and registered image ready, every ineligible one skipped, nothing failed. */
function isComplete(code: number | null, sync: SyncSummary | null, counts: BenchEstate['counts']): boolean {
  return (
    code === 0 &&
    sync !== null &&
    sync.ready === counts.new + counts.registered + 2 * counts.rebuilt &&
    sync.skipped === counts.ineligible &&
    sync.failed === 0
  );
}

/** The previous release's sync on a fresh Azurite and emulator with the same estate, faults and settings. */
async function runPreviousOn(
  release: PreviousRelease,
  scenario: Scenario,
  bench: BenchEstate,
  tls: TlsCertificate & { readonly certPath: string },
  faults: readonly FaultRule[],
  settings: Readonly<Record<string, string>>,
): Promise<PreviousRun> {
  const [azurite, emulator] = await Promise.all([startAzurite(), startEmulator({ estate: bench.estate, tls, faults: [...faults] })]);
  try {
    // A release without Resource Graph discovery lists through ARM: it is given the subscriptions by id.
    const run = await runSyncProcess(
      {
        AzureWebJobsStorage: azurite.connectionString,
        ...emulator.settings(),
        ...settings,
        ...(settings.IMAGE_SYNC_SUBSCRIPTION_IDS === '*' ? { IMAGE_SYNC_SUBSCRIPTION_IDS: bench.subscriptionIds.join(',') } : {}),
      },
      scenario.timeoutSeconds,
      undefined,
      release.cliPath,
    );
    const requests = requestFigures(emulator.requests, bench, scenario.latencyMs, discoveryOf({ ...emulator.settings(), ...settings }));
    return {
      ref: release.ref,
      commit: release.commit,
      complete: isComplete(run.code, run.summary, bench.counts),
      exitCode: run.code,
      wallMs: run.exitedAt - run.spawnedAt,
      workMs: requests.firstRequestAt === 0 ? 0 : run.exitedAt - requests.firstRequestAt,
      requests: requests.total.count,
      reconcileMs: requests.reconcile.spanMs,
      maxRssBytes: run.maxRssBytes,
      cpuMs: run.cpuMs,
    };
  } finally {
    await Promise.allSettled([emulator.stop(), azurite.stop()]);
  }
}

/** The plain sequential client against a fresh emulator with the same estate, faults and seed. */
async function runBaselineOn(
  bench: BenchEstate,
  tls: TlsCertificate & { readonly certPath: string },
  faults: readonly FaultRule[],
  settings: Readonly<Record<string, string>>,
): Promise<ScenarioResult['baseline']> {
  const emulator = await startEmulator({ estate: bench.estate, tls, faults: [...faults] });
  try {
    const { NODE_EXTRA_CA_CERTS: _trusted, ...endpoints } = emulator.settings();
    const result = await runSequentialBaseline(
      { AzureWebJobsStorage: 'UseDevelopmentStorage=true', ...endpoints, ...settings },
      bench.subscriptionIds,
    );
    const refused = emulator.requests.filter((request) => request.status === 429).length;
    return { ...result, requests: emulator.requests.length - refused, refused };
  } finally {
    await emulator.stop();
  }
}
