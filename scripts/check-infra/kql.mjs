// Reading the KQL queries of the alert rule and the workbook: the columns a query keeps, and whether
// it runs on a workspace whose tables do not exist yet.
import { literals } from './trace.mjs';

/** The query string an expression comes down to (a variable holding a multi-line string). */
export function queryText(node, info, parsed) {
  const values = literals(node, info, parsed);
  return values?.length === 1 ? values[0].trim() : undefined;
}

/** The columns a query's last `project` keeps. */
export function projectedColumns(query) {
  const line =
    query
      .split('\n')
      .filter((candidate) => /^\s*\|\s*project\s/.test(candidate))
      .pop() ?? '';
  return new Set(
    line
      .replace(/^\s*\|\s*project\s+/, '')
      .split(',')
      .map((column) => column.split('=')[0].trim()),
  );
}

/** A KQL query that reads a table through `union isfuzzy=true (datatable(...)[]), Table`: it runs while the table does not exist yet. */
export const survivesEmptyWorkspace = (query, table = 'AppTraces') =>
  new RegExp(`union\\s+isfuzzy\\s*=\\s*true\\s*\\(\\s*datatable\\([^)]*\\)\\s*\\[\\s*\\]\\s*\\)\\s*,\\s*${table}\\b`).test(query);
