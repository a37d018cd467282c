// The benchmark's tables (plain text for the terminal, Markdown for docs/performance.md and the
// README) and the issue's targets, each with the figure it is judged on.
import { type Column, renderTable } from '../src/cli/table';
import type { ColdStart } from './coldStart';
import type { EventLatency } from './eventLatency';
import type { WindowCpu } from './cpuTimeline';
import { KINDS, type KindFigure } from './requestFigures';
import type { ScenarioResult } from './runScenario';

export interface BenchResults {
  readonly at: string;
  readonly node: string;
  readonly platform: string;
  readonly cpus: number;
  readonly scenarios: readonly ScenarioResult[];
  readonly eventLatency: EventLatency | null;
  readonly coldStart: ColdStart | null;
}

export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  /** null: reported beside a target this run is not made to judge (see Scenario.judges). */
  readonly met: boolean | null;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const fixed = (value: number): string => value.toFixed(2);
const megabytes = (bytes: number | null): string => (bytes === null ? '?' : `${(bytes / 1024 / 1024).toFixed(0)} MB`);
const ratio = (figure: KindFigure): string =>
  figure.minimum === 0 ? (figure.count === 0 ? '-' : '∞') : (figure.count / figure.minimum).toFixed(3);
const versus = (figure: KindFigure): string =>
  `${figure.count}/${figure.minimum}${figure.refused === 0 ? '' : ` +${figure.refused} refused`}`;
const ratioWithRefused = (figure: KindFigure): string =>
  figure.minimum === 0 ? '-' : ((figure.count + figure.refused) / figure.minimum).toFixed(3);

const percent = (share: number | null): string => (share === null ? '?' : `${(100 * share).toFixed(0)}%`);
const busy = (window: WindowCpu): string => `sync ${percent(window.sync)} of a core, machine ${percent(window.machine)}`;

const RUN_COLUMNS: readonly Column<ScenarioResult>[] = [
  { header: 'run', value: (run) => run.name },
  { header: 'estate', value: (run) => run.summary, max: 60 },
  {
    header: 'new/rebuilt/reg/inel/untag',
    value: (run) => `${run.images.new}/${run.images.rebuilt}/${run.images.registered}/${run.images.ineligible}/${run.images.untagged}`,
  },
  { header: 'latency', value: (run) => `${run.latencyMs} ms` },
  { header: 'wall', value: (run) => seconds(run.wallMs) },
  { header: 'work (bound)', value: (run) => `${seconds(run.workMs)} (${seconds(run.workBoundMs)})` },
  {
    header: 'reconcile (1.5x bound)',
    value: (run) => `${seconds(run.requests.reconcile.spanMs)} (${seconds(1.5 * run.requests.reconcile.latencyBoundMs)})`,
  },
  { header: 'sync CPU', value: (run) => (run.cpuMs === null ? '?' : seconds(run.cpuMs)) },
  { header: 'peak RSS', value: (run) => megabytes(run.maxRssBytes) },
  {
    header: 'checks/new image',
    value: (run) => `${run.requests.statusChecksPerImage.mean.toFixed(2)} (max ${run.requests.statusChecksPerImage.max})`,
  },
  { header: 'early retries', value: (run) => String(run.earlyRetries) },
  { header: 'all settled', value: (run) => (run.complete ? 'yes' : `NO (exit ${run.exitCode ?? '?'})`) },
  { header: 'load', value: (run) => `${run.loadAverage[0].toFixed(1)}-${run.loadAverage[1].toFixed(1)}` },
];

const REQUEST_COLUMNS: readonly Column<ScenarioResult>[] = [
  { header: 'run', value: (run) => run.name },
  { header: 'ARM list pages', value: (run) => versus(run.requests.armList) },
  { header: 'Resource Graph pages', value: (run) => versus(run.requests.resourceGraph) },
  { header: 'Graph list pages', value: (run) => versus(run.requests.graphList) },
  { header: 'policies', value: (run) => versus(run.requests.policies) },
  { header: 'getSourceImages', value: (run) => versus(run.requests.preflight) },
  { header: 'catalogue', value: (run) => versus(run.requests.catalogue) },
  { header: 'POST', value: (run) => versus(run.requests.creates) },
  { header: 'source GET', value: (run) => versus(run.requests.sourceReads) },
  { header: 'status GET', value: (run) => versus(run.requests.statusChecks) },
  { header: 'other', value: (run) => String(run.requests.other) },
  { header: 'reconcile ratio', value: (run) => ratio(run.requests.reconcile) },
  { header: 'total ratio', value: (run) => ratio(run.requests.total) },
  { header: 'with 429s', value: (run) => ratioWithRefused(run.requests.total) },
];

/** The issue's figures against the plain sequential client, in the same run. */
const BASELINE_COLUMNS: readonly Column<ScenarioResult>[] = [
  { header: 'run', value: (run) => run.name },
  {
    header: 'discovery',
    value: (run) => (run.discovery.mode === 'arm' ? 'ARM' : `Resource Graph${run.discovery.listedSubscriptions ? '' : ' (*)'}`),
  },
  {
    header: 'app requests / client',
    value: (run) =>
      run.baseline === null
        ? '-'
        : `${fixed(run.requests.total.count / Math.max(1, run.baseline.requests))} (${run.requests.total.count}/${run.baseline.requests})`,
  },
  {
    header: 'app wall / client',
    value: (run) =>
      run.baseline === null
        ? '-'
        : `${fixed(run.wallMs / Math.max(1, run.baseline.wallMs))} (${seconds(run.wallMs)}/${seconds(run.baseline.wallMs)})`,
  },
  {
    header: 'app reconcile / client listing',
    value: (run) =>
      run.baseline === null
        ? '-'
        : `${fixed(run.requests.reconcile.spanMs / Math.max(1, run.baseline.phasesMs.listing))} (${seconds(run.requests.reconcile.spanMs)}/${seconds(run.baseline.phasesMs.listing)})`,
  },
  {
    header: 'reconcile requests / minimum',
    value: (run) => `${ratio(run.requests.reconcile)} (${run.requests.reconcile.count}/${run.requests.reconcile.minimum})`,
  },
  { header: 'peak RSS', value: (run) => megabytes(run.maxRssBytes) },
  {
    header: 'client: listing, posting, following',
    value: (run) =>
      run.baseline === null
        ? '-'
        : `${seconds(run.baseline.phasesMs.listing)}, ${seconds(run.baseline.phasesMs.creates)}, ${seconds(run.baseline.phasesMs.polls)}; ${run.baseline.ready} ready, ${run.baseline.failed} failed`,
  },
];

/** Each run against the previous release's CLI on the same estate, faults and settings (`--against`). */
const PREVIOUS_COLUMNS: readonly Column<ScenarioResult>[] = [
  { header: 'run', value: (run) => run.name },
  { header: 'against', value: (run) => (run.previous === null ? '-' : run.previous.commit.slice(0, 7)) },
  {
    header: 'wall now / then',
    value: (run) =>
      run.previous === null
        ? '-'
        : `${fixed(run.wallMs / Math.max(1, run.previous.wallMs))} (${seconds(run.wallMs)}/${seconds(run.previous.wallMs)})`,
  },
  { header: 'work now / then', value: (run) => (run.previous === null ? '-' : `${fixed(run.workMs / Math.max(1, run.previous.workMs))}`) },
  {
    header: 'reconcile now / then',
    value: (run) =>
      run.previous === null
        ? '-'
        : `${fixed(run.requests.reconcile.spanMs / Math.max(1, run.previous.reconcileMs))} (${seconds(run.requests.reconcile.spanMs)}/${seconds(run.previous.reconcileMs)})`,
  },
  {
    header: 'requests now / then',
    value: (run) =>
      run.previous === null
        ? '-'
        : `${fixed(run.requests.total.count / Math.max(1, run.previous.requests))} (${run.requests.total.count}/${run.previous.requests})`,
  },
  {
    header: 'sync CPU now / then',
    value: (run) =>
      run.previous === null || run.previous.cpuMs === null || run.cpuMs === null ? '-' : fixed(run.cpuMs / Math.max(1, run.previous.cpuMs)),
  },
  {
    header: 'peak RSS now / then',
    value: (run) => (run.previous === null ? '-' : `${megabytes(run.maxRssBytes)} / ${megabytes(run.previous.maxRssBytes)}`),
  },
  {
    header: 'then all settled',
    value: (run) => (run.previous === null ? '-' : run.previous.complete ? 'yes' : `NO (exit ${run.previous.exitCode ?? '?'})`),
  },
];

function markdownTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  return [
    `| ${columns.map((column) => escape(column.header)).join(' | ')} |`,
    `|${columns.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${columns.map((column) => escape(column.value(row))).join(' | ')} |`),
  ].join('\n');
}

interface Line {
  readonly what: string;
  readonly figure: string;
}

const LINE_COLUMNS: readonly Column<Line>[] = [
  { header: 'measure', value: (line) => line.what, max: 70 },
  { header: 'figure', value: (line) => line.figure, max: 90 },
];

function otherLines(results: BenchResults): Line[] {
  const lines: Line[] = [];
  for (const run of results.scenarios) {
    lines.push({
      what: `${run.name}: reconcile, against its latency floor`,
      figure:
        run.discovery.mode === 'resource-graph'
          ? `${seconds(run.requests.reconcile.spanMs)}; floor ${seconds(run.reconcileFloorMs)}: ${run.requests.resourceGraph.minimum} Resource Graph page(s) beside the Graph list`
          : `${seconds(run.requests.reconcile.spanMs)}; floor ${seconds(run.reconcileFloorMs)} at ${run.subscriptionConcurrency} subscriptions at once; one subscription after another ${seconds(run.reconcileSequentialMs)}`,
    });
  }
  for (const run of results.scenarios) {
    if (run.cpuMs === null || run.workMs === 0) continue;
    const share = (ms: number) => `${seconds(ms)} (${((100 * ms) / run.wallMs).toFixed(0)}%)`;
    lines.push({
      what: `${run.name}: CPU during the ${seconds(run.wallMs)} of the sync (share of one core)`,
      figure: `sync ${share(run.cpuMs)}, Azurite ${run.azuriteCpuMs === null ? '?' : share(run.azuriteCpuMs)}, emulator ${share(run.emulatorCpuMs)}`,
    });
    lines.push({ what: `${run.name}: CPU while listing / while working`, figure: `${busy(run.busy.reconcile)} / ${busy(run.busy.work)}` });
    const phase = (kind: string, what: string) => {
      const span = run.requests.phases[kind];
      return span === undefined ? [] : [`${what} ${seconds(span.firstMs)}-${seconds(span.lastMs)}`];
    };
    lines.push({
      what: `${run.name}: when requests went out, after the first`,
      figure: [...phase(KINDS.armList, 'ARM lists'), ...phase(KINDS.create, 'POSTs'), ...phase(KINDS.statusCheck, 'status checks')].join(
        ', ',
      ),
    });
    const { baseline } = run;
    if (baseline !== null) {
      lines.push({
        what: `${run.name}: plain sequential client, same estate and faults`,
        figure: `${baseline.requests} requests (+${baseline.refused} refused), ${seconds(baseline.wallMs)} (listing ${seconds(baseline.phasesMs.listing)}, posting ${seconds(baseline.phasesMs.creates)}, following uploads ${seconds(baseline.phasesMs.polls)}), ${baseline.ready} ready, ${baseline.failed} failed`,
      });
      lines.push({
        what: `${run.name}: app / plain client`,
        figure: `requests ${(run.requests.total.count / Math.max(1, baseline.requests)).toFixed(2)} (${run.requests.total.count}/${baseline.requests}); wall ${(run.wallMs / Math.max(1, baseline.wallMs)).toFixed(2)} (${seconds(run.wallMs)}/${seconds(baseline.wallMs)})`,
      });
    }
  }
  for (const run of results.scenarios) {
    if (run.budget === null) continue;
    const { budget } = run;
    lines.push({
      what: `${run.name}: requests granted vs the budget (${budget.perSecond}/s, burst ${budget.burst})`,
      figure: `${budget.grantedPerSecond.toFixed(1)}/s over ${seconds(budget.saturatedMs)}: ${budget.granted} of ${budget.allowed.toFixed(0)} allowed (${((100 * budget.granted) / Math.max(1, budget.allowed)).toFixed(1)}%), ${budget.refused} refused`,
    });
  }
  const event = results.eventLatency;
  if (event !== null) {
    lines.push({
      what: 'Event Grid event to POST, local runner',
      figure: `median ${seconds(event.medianMs)}, max ${seconds(event.maxMs)} over ${event.events} events (handler median ${seconds(event.handlerMedianMs)})`,
    });
  }
  const cold = results.coldStart;
  if (cold !== null) {
    for (const entry of cold.imports)
      lines.push({ what: `import ${entry.what}`, figure: `${entry.medianMs.toFixed(0)} ms (median of ${entry.samplesMs.length})` });
    lines.push({ what: `import ${cold.firstInvocationModules.what}`, figure: `${cold.firstInvocationModules.medianMs.toFixed(0)} ms` });
    if (cold.bundle !== null) {
      lines.push({ what: `import ${cold.bundle.import.what}`, figure: `${cold.bundle.import.medianMs.toFixed(0)} ms` });
      lines.push({
        what: 'deployment package (npm run package)',
        figure: `${megabytes(cold.bundle.zipBytes)} zipped (${(cold.bundle.zipBytes / 1024).toFixed(0)} KB), ${megabytes(cold.bundle.unpackedBytes)} unpacked, bundle ${megabytes(cold.bundle.bundleBytes)}`,
      });
    }
  }
  return lines;
}

export function targetChecks(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const byName = new Map(results.scenarios.map((run) => [run.name, run]));
  const runs = results.scenarios;
  if (runs.length > 0) {
    // A faulty run's reconcile pays for the faults' retries: it is judged against the plain client instead.
    const worst = Math.max(
      0,
      ...runs
        .filter((run) => run.faulted !== true)
        .map((run) => run.requests.reconcile.count / Math.max(1, run.requests.reconcile.minimum)),
    );
    checks.push({
      target: 'requests served per reconcile <= 1.05 x minimum (every run without faults)',
      measured: `worst ${worst.toFixed(3)}`,
      met: worst <= 1.05,
    });
    for (const run of runs) {
      const { baseline, versusBaseline: wanted } = run;
      if (baseline === null || baseline === undefined) continue;
      const against = (figure: number, of: number) => figure / Math.max(1, of);
      if (wanted.requests !== undefined) {
        const measured = against(run.requests.total.count, baseline.requests);
        checks.push({
          target: `${run.name}: requests <= ${wanted.requests} x the plain sequential client's`,
          measured: fixed(measured),
          met: measured <= wanted.requests,
        });
      }
      if (wanted.wall !== undefined) {
        const measured = against(run.wallMs, baseline.wallMs);
        checks.push({
          target: `${run.name}: wall time until every image is settled <= ${wanted.wall} x the plain sequential client's`,
          measured: `${fixed(measured)} (${seconds(run.wallMs)} vs ${seconds(baseline.wallMs)})`,
          met: measured <= wanted.wall && run.complete,
        });
      }
      if (wanted.reconcileVsListing !== undefined) {
        const measured = against(run.requests.reconcile.spanMs, baseline.phasesMs.listing);
        checks.push({
          target: `${run.name}: reconcile <= ${wanted.reconcileVsListing} x the plain client's listing`,
          measured: `${fixed(measured)} (${seconds(run.requests.reconcile.spanMs)} vs ${seconds(baseline.phasesMs.listing)})`,
          met: measured <= wanted.reconcileVsListing,
        });
      }
    }
    for (const run of runs.filter((candidate) => candidate.judges.exactReconcile === true)) {
      const measured = run.requests.reconcile.count / Math.max(1, run.requests.reconcile.minimum);
      checks.push({
        target: `${run.name}: reconcile requests = the minimum`,
        measured: `${measured.toFixed(3)} (${run.requests.reconcile.count}/${run.requests.reconcile.minimum})`,
        met: run.requests.reconcile.count === run.requests.reconcile.minimum,
      });
    }
    const early = runs.reduce((sum, run) => sum + run.earlyRetries, 0);
    checks.push({ target: 'zero early retries (every run)', measured: String(early), met: early === 0 });
    const incomplete = runs.filter((run) => !run.complete).map((run) => run.name);
    checks.push({
      target: 'every run ends with every image ready or skipped',
      measured: incomplete.length === 0 ? 'all' : `not: ${incomplete.join(', ')}`,
      met: incomplete.length === 0,
    });
  }
  // The large estate's runs: the one made for it judges the bound; the others report against it.
  for (const run of runs.filter((candidate) => candidate.judges.largeReconcile === true || candidate.judges.largeMemory === true)) {
    const bound = 1.5 * run.requests.reconcile.latencyBoundMs;
    const judged = run.judges.largeReconcile === true;
    checks.push({
      target: `${run.name}: reconcile <= 1.5 x (slowest subscription pages + Graph list) x latency`,
      measured: `${seconds(run.requests.reconcile.spanMs)} vs ${seconds(bound)}${judged ? '' : `; while listing ${busy(run.busy.reconcile)}`}`,
      met: judged ? run.requests.reconcile.spanMs <= bound : null,
    });
  }
  for (const run of runs.filter((candidate) => candidate.judges.largeMemory === true)) {
    checks.push({
      target: `${run.name}: peak RSS < 200 MB`,
      measured: megabytes(run.maxRssBytes),
      met: run.maxRssBytes !== null && run.maxRssBytes < 200 * 1024 * 1024,
    });
  }
  for (const run of runs.filter((candidate) => candidate.judges.scaleMemory === true)) {
    checks.push({
      target: `${run.name}: peak RSS < 250 MB`,
      measured: megabytes(run.maxRssBytes),
      met: run.maxRssBytes !== null && run.maxRssBytes < 250 * 1024 * 1024,
    });
  }
  for (const run of runs) {
    if (run.budget === null) continue;
    const share = run.budget.granted / Math.max(1, run.budget.allowed);
    checks.push({ target: `${run.name}: >= 90% of the budget used`, measured: `${(100 * share).toFixed(1)}%`, met: share >= 0.9 });
  }
  if (results.eventLatency !== null) {
    checks.push({
      target: 'event to POST < 3 s (local runner)',
      measured: `max ${seconds(results.eventLatency.maxMs)}`,
      met: results.eventLatency.maxMs < 3_000,
    });
  }
  for (const run of runs) {
    if (run.budget !== null) continue;
    const judged = run.judges.syncBound === true;
    checks.push({
      target: `${run.name}: sync work within 2 x (pages x latency + POSTs / ${run.registerConcurrency} x latency + poll interval)`,
      measured: `${seconds(run.workMs)} vs ${seconds(run.workBoundMs)}${judged ? '' : `; ${busy(run.busy.work)}`}`,
      met: judged ? run.workMs <= run.workBoundMs : null,
    });
  }
  const acceptance = byName.get('acceptance');
  if (acceptance !== undefined) {
    const share = (acceptance.requests.total.count + acceptance.requests.total.refused) / Math.max(1, acceptance.requests.total.minimum);
    checks.push({
      target: 'acceptance: every image ready within 1.3 x the minimum requests',
      measured: `${share.toFixed(3)} x, ${acceptance.complete ? 'all ready' : 'NOT all ready'}`,
      met: share <= 1.3 && acceptance.complete,
    });
  }
  const cold = results.coldStart;
  if (cold !== null) {
    const all = cold.imports[cold.imports.length - 1];
    if (all !== undefined)
      checks.push({
        target: 'import of the function app entry < 300 ms (dist)',
        measured: `${all.medianMs.toFixed(0)} ms`,
        met: all.medianMs < 300,
      });
    if (cold.bundle !== null)
      checks.push({
        target: 'import of the deployment bundle < 300 ms',
        measured: `${cold.bundle.import.medianMs.toFixed(0)} ms`,
        met: cold.bundle.import.medianMs < 300,
      });
  }
  return checks;
}

const TARGET_COLUMNS: readonly Column<TargetCheck>[] = [
  { header: 'target', value: (check) => check.target, max: 100 },
  { header: 'measured', value: (check) => check.measured, max: 70 },
  { header: 'met', value: (check) => (check.met === null ? 'reported' : check.met ? 'yes' : 'NO') },
];

/** The app against the plain client, and each run against the previous release, where the run has them. */
function comparisonTables(
  results: BenchResults,
  render: (runs: readonly ScenarioResult[], columns: readonly Column<ScenarioResult>[]) => string,
): string[] {
  const lines: string[] = [];
  const withBaseline = results.scenarios.filter((run) => run.baseline !== null);
  if (withBaseline.length > 0)
    lines.push(
      'The app against a plain sequential client (bench/sequentialBaseline.ts) on the same estate and faults, in the same run:',
      '',
      render(withBaseline, BASELINE_COLUMNS),
      '',
    );
  const withPrevious = results.scenarios.filter((run) => run.previous !== null);
  if (withPrevious.length > 0)
    lines.push(
      'Each run against the previous release on the same machine, same estate, faults and settings:',
      '',
      render(withPrevious, PREVIOUS_COLUMNS),
      '',
    );
  return lines;
}

export function renderText(results: BenchResults): string {
  return [
    `Benchmark ${results.at} (Node ${results.node}, ${results.platform}, ${results.cpus} CPUs)`,
    '',
    renderTable(results.scenarios, RUN_COLUMNS),
    '',
    'Requests served / the minimum the APIs allow (+ refused with 429)',
    renderTable(results.scenarios, REQUEST_COLUMNS),
    '',
    ...comparisonTables(results, (runs, columns) => renderTable(runs, columns)),
    renderTable(otherLines(results), LINE_COLUMNS),
    '',
    renderTable(targetChecks(results), TARGET_COLUMNS),
  ].join('\n');
}

export function renderMarkdown(results: BenchResults): string {
  return [
    `Measured ${results.at.slice(0, 10)} on Node ${results.node}, ${results.platform}, ${results.cpus} CPUs.`,
    '',
    markdownTable(results.scenarios, RUN_COLUMNS),
    '',
    'Requests served / the minimum the APIs allow (+ refused with 429):',
    '',
    markdownTable(results.scenarios, REQUEST_COLUMNS),
    '',
    ...comparisonTables(results, (runs, columns) => markdownTable(runs, columns)),
    markdownTable(otherLines(results), LINE_COLUMNS),
    '',
    markdownTable(targetChecks(results), TARGET_COLUMNS),
  ].join('\n');
}
