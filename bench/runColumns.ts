// The tables with one row per run: what each run did, its requests against the minimum, and the
// comparisons with the plain sequential client and with the previous release.
import type { Column } from '../src/cli/table';
import type { BenchResults } from './benchResults';
import { fixed, megabytes, ratio, ratioWithRefused, seconds, versus } from './reportFormat';
import type { ScenarioResult } from './runScenario';

export const RUN_COLUMNS: readonly Column<ScenarioResult>[] = [
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

export const REQUEST_COLUMNS: readonly Column<ScenarioResult>[] = [
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

/** The figures against the plain sequential client, in the same run. */
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

/** The app against the plain client, and each run against the previous release, where the run has them. */
export function comparisonTables(
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
