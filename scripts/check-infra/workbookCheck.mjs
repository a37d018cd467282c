// The Azure Monitor workbook.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { descendants, propertyValue, stringValue, typeOf, where } from './bicep.mjs';
import { readRepoFile } from './findings.mjs';
import { survivesEmptyWorkspace } from './kql.mjs';
import { resourceOf, trace } from './trace.mjs';

/** The workbook's sections (item names) and what each must query. */
export const WORKBOOK_SECTIONS = {
  'registrations-by-state': [
    'RegisterJobQueued',
    'DeviceImageCreated',
    'DeviceImageReady',
    'ImageSyncFailure',
    'ImageSkipped',
    'DeviceImageRetired',
  ],
  'failures-and-warnings': ['ImageSyncFailure', 'ImageSyncWarning'],
  throttling: ['RetryAfterHeld', 'TransientRetryScheduled', 'GraphThrottleNotShared', 'AppDependencies', '429'],
  'latest-problems': ['ImageSyncProblem', 'ImageSyncFailure', 'detail', 'remediation'],
};

/** The file a Bicep expression loads (loadJsonContent / loadTextContent), resolved from the Bicep file. */
function loadedFile(node, info) {
  for (const call of [node, ...descendants(node)].filter((candidate) => candidate.type === 'call_expression')) {
    if (!/^load(Json|Text)Content$/.test(call.namedChildren[0]?.text ?? '')) continue;
    const relative = stringValue(call.namedChildren[1]?.namedChildren[0]);
    if (relative) return path.resolve(path.dirname(info.file), relative);
  }
  return undefined;
}

/** Every item of a workbook, those in groups included. */
function* workbookItems(items) {
  for (const item of Array.isArray(items) ? items : []) {
    yield item;
    yield* workbookItems(item?.content?.items);
  }
}

/** The event names a query selects: `event in ("A", "B")`, `event == "A"`, `Message startswith "A"`. */
function queriedEvents(query) {
  const names = new Set();
  for (const match of query.matchAll(/\bevent\s+in\s*\(([^)]*)\)/g))
    for (const name of match[1].matchAll(/"([A-Za-z]+)"/g)) names.add(name[1]);
  for (const match of query.matchAll(/\bevent\s*==\s*"([A-Za-z]+)"/g)) names.add(match[1]);
  for (const match of query.matchAll(/Message\s+startswith\s+"([A-Za-z]+)/g)) names.add(match[1]);
  return names;
}

/** The app's source text (src/**.ts), to check that a query selects events the app logs. */
function sourceText(root) {
  const dir = path.join(root, 'src');
  if (!existsSync(dir)) return undefined;
  const texts = [];
  const walk = (current) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) texts.push(readFileSync(full, 'utf8'));
    }
  };
  walk(dir);
  return texts.join('\n');
}

/**
 * The workbook: deployed (Microsoft.Insights/workbooks) and linked to the workspace, its
 * serializedData valid workbook JSON with the sections of WORKBOOK_SECTIONS, each a query of the
 * events it is about; every query runs on an empty workspace and selects only events the app logs
 * (src/); docs/monitoring.md describes each section.
 */
export function checkWorkbook({ root, parsed, problem }) {
  const workbooks = [...parsed.values()].flatMap((info) =>
    info.resources
      .filter((resource) => typeOf(resource, 'Microsoft.Insights/workbooks') && !resource.existing)
      .map((resource) => ({ resource, info })),
  );
  if (workbooks.length === 0) return problem('infra: no Azure Monitor workbook (Microsoft.Insights/workbooks)');
  const source = sourceText(root);
  const docs = readRepoFile(root, 'docs/monitoring.md') ?? '';
  for (const { resource, info } of workbooks) {
    const at = `${where(info.file, resource.node, root)}: workbook ${resource.name}`;
    const props = propertyValue(resource.body, 'properties');
    const sourceIds = trace(propertyValue(props, 'sourceId'), info, parsed);
    if (
      sourceIds.length === 0 ||
      !sourceIds.every(
        (leaf) => resourceOf(leaf)?.members === 'id' && typeOf(resourceOf(leaf)?.resource, 'Microsoft.OperationalInsights/workspaces'),
      )
    ) {
      problem(`${at}: sourceId must be the Log Analytics workspace's id (the workbook is linked to the workspace its queries read)`);
    }
    const serialized = propertyValue(props, 'serializedData');
    const file = serialized && loadedFile(serialized, info);
    if (!file) {
      problem(`${at}: serializedData must load the workbook from its JSON file (loadJsonContent or loadTextContent)`);
      continue;
    }
    const relative = path.relative(root, file).split(path.sep).join('/');
    if (!existsSync(file)) {
      problem(`${at}: ${relative} does not exist`);
      continue;
    }
    let workbook;
    try {
      workbook = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      problem(`${relative}: not valid JSON (${error.message})`);
      continue;
    }
    if (workbook?.version !== 'Notebook/1.0' || !Array.isArray(workbook.items))
      problem(`${relative}: not a workbook (version Notebook/1.0 with items)`);
    const items = [...workbookItems(workbook?.items)];
    for (const [name, terms] of Object.entries(WORKBOOK_SECTIONS)) {
      const item = items.find((candidate) => candidate?.name === name);
      const query = item?.type === 3 ? String(item.content?.query ?? '') : undefined;
      if (query === undefined) {
        problem(`${relative}: no query section "${name}"`);
        continue;
      }
      for (const term of terms.filter((wanted) => !query.includes(wanted)))
        problem(`${relative}: section "${name}" does not query ${term}`);
      const title = String(item.content?.title ?? '');
      if (!title || !docs.includes(title)) problem(`docs/monitoring.md: does not describe the workbook section "${title || name}"`);
    }
    for (const item of items.filter((candidate) => candidate?.type === 3)) {
      const query = String(item.content?.query ?? '');
      if (/\bAppTraces\b/.test(query) && !survivesEmptyWorkspace(query))
        problem(
          `${relative}: query "${item.name}" must read AppTraces as \`union isfuzzy=true (datatable(...)[]), AppTraces\` (a new workspace has no AppTraces table)`,
        );
      if (/\bAppDependencies\b/.test(query) && !survivesEmptyWorkspace(query, 'AppDependencies'))
        problem(
          `${relative}: query "${item.name}" must read AppDependencies through a fuzzy union (the table exists only when dependencies are collected)`,
        );
      for (const event of source === undefined ? [] : queriedEvents(query)) {
        if (!source?.includes(`'${event}'`)) problem(`${relative}: query "${item.name}" selects ${event}, which the app (src/) never logs`);
      }
    }
  }
}
