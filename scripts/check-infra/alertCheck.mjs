// The alert rule (DESIGN §9).
import { literal, propertyValue, typeOf, where } from './bicep.mjs';
import { readRepoFile } from './findings.mjs';
import { projectedColumns, queryText, survivesEmptyWorkspace } from './kql.mjs';
import { resourceOf, trace } from './trace.mjs';

/** The alert: the event it matches, and the dimensions it must split by (columns its query projects). */
const FAILURE_EVENT = 'ImageSyncFailure';
const ALERT_DIMENSIONS = ['image', 'errorCode'];

/**
 * The alert rule (DESIGN §9): it must deploy on a brand-new workspace (skipQueryValidation, and a
 * query that runs before AppTraces exists), read the workspace's own table, fire per image and
 * error code (dimensions that the query projects, the image named by its display name and version),
 * and docs/monitoring.md must show its query.
 */
export function checkAlert({ root, parsed, problem }) {
  const rules = [...parsed.values()].flatMap((info) =>
    info.resources
      .filter((resource) => typeOf(resource, 'Microsoft.Insights/scheduledQueryRules') && !resource.existing)
      .map((resource) => ({ resource, info })),
  );
  if (rules.length === 0) return problem(`infra: no log alert rule (Microsoft.Insights/scheduledQueryRules) on ${FAILURE_EVENT}`);
  const docs = readRepoFile(root, 'docs/monitoring.md');
  for (const { resource, info } of rules) {
    const at = `${where(info.file, resource.node, root)}: alert rule ${resource.name}`;
    const props = propertyValue(resource.body, 'properties');
    if (literal(propertyValue(props, 'skipQueryValidation')) !== 'true') {
      problem(
        `${at} must set skipQueryValidation: true: a new workspace has no AppTraces table until the app's first log line, and validating the query against it fails the deployment`,
      );
    }
    const scopes = propertyValue(props, 'scopes')?.namedChildren.flatMap((element) => trace(element, info, parsed)) ?? [];
    if (
      scopes.length === 0 ||
      !scopes.every(
        (leaf) => resourceOf(leaf)?.members === 'id' && typeOf(resourceOf(leaf)?.resource, 'Microsoft.OperationalInsights/workspaces'),
      )
    ) {
      problem(`${at} must be scoped to the Log Analytics workspace, whose AppTraces table its query reads`);
    }
    for (const condition of propertyValue(propertyValue(props, 'criteria'), 'allOf')?.namedChildren ?? []) {
      const query = queryText(propertyValue(condition, 'query'), info, parsed);
      if (!query) {
        problem(`${at}: its query does not come down to a string`);
        continue;
      }
      if (!query.includes(FAILURE_EVENT)) problem(`${at}: its query does not match the app's ${FAILURE_EVENT} log lines`);
      if (!survivesEmptyWorkspace(query))
        problem(
          `${at}: its query must read AppTraces as \`union isfuzzy=true (datatable(...)[]), AppTraces\`, so that it runs on a workspace that has no AppTraces table yet`,
        );
      const columns = projectedColumns(query);
      const dimensions = (propertyValue(condition, 'dimensions')?.namedChildren ?? []).map((dimension) =>
        literal(propertyValue(dimension, 'name')),
      );
      for (const name of ALERT_DIMENSIONS.filter((wanted) => !dimensions.includes(wanted))) {
        problem(
          `${at} does not split by the dimension ${name}: it must fire once per image and error code (${ALERT_DIMENSIONS.join(', ')})`,
        );
      }
      for (const name of dimensions.filter((dimension) => !columns.has(dimension)))
        problem(`${at}: dimension ${name} is not a column its query projects`);
      if (!/\|\s*extend\s+image\s*=.*displayName.*version/.test(query))
        problem(`${at}: the image dimension must name the image (its displayName and version)`);
      if (docs === undefined) problem('docs/monitoring.md is missing');
      else if (!docs.includes(query))
        problem("docs/monitoring.md: does not show the alert rule's query as infra/modules/monitoring.bicep has it");
    }
  }
}
