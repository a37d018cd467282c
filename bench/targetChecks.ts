// The issue's targets, each with the figure it is judged on and whether this run met it.
import type { Column } from '../src/cli/table';
import type { BenchResults } from './benchResults';
import { busy, fixed, megabytes, seconds } from './reportFormat';

export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  /** null: reported beside a target this run is not made to judge (see Scenario.judges). */
  readonly met: boolean | null;
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

export const TARGET_COLUMNS: readonly Column<TargetCheck>[] = [
  { header: 'target', value: (check) => check.target, max: 100 },
  { header: 'measured', value: (check) => check.measured, max: 70 },
  { header: 'met', value: (check) => (check.met === null ? 'reported' : check.met ? 'yes' : 'NO') },
];
