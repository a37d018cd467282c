// The table of single measures beside the run tables: each run's reconcile against its latency
// floor, its CPU, when its requests went out, the plain client's figures, the throttled runs' use
// of the budget, event-to-POST latency and the function app's cold start.
import type { Column } from '../src/cli/table';
import type { BenchResults } from './benchResults';
import { busy, megabytes, seconds } from './reportFormat';
import { KINDS } from './requestFigures';

interface Line {
  readonly what: string;
  readonly figure: string;
}

export const LINE_COLUMNS: readonly Column<Line>[] = [
  { header: 'measure', value: (line) => line.what, max: 70 },
  { header: 'figure', value: (line) => line.figure, max: 90 },
];

export function measureLines(results: BenchResults): Line[] {
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
