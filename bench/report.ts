// The benchmark's report: plain text for the terminal, Markdown for docs/performance.md and the
// README. The run tables are in runColumns.ts, the single measures in measureLines.ts, the issue's
// targets in targetChecks.ts.
import { renderTable } from '../src/cli/table';
import type { BenchResults } from './benchResults';
import { LINE_COLUMNS, measureLines } from './measureLines';
import { markdownTable } from './reportFormat';
import { REQUEST_COLUMNS, RUN_COLUMNS, comparisonTables } from './runColumns';
import { TARGET_COLUMNS, targetChecks } from './targetChecks';

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
    renderTable(measureLines(results), LINE_COLUMNS),
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
    markdownTable(measureLines(results), LINE_COLUMNS),
    '',
    markdownTable(targetChecks(results), TARGET_COLUMNS),
  ].join('\n');
}
