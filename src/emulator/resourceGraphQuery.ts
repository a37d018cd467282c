// The Resource Graph queries the emulator answers: the shapes image-sync sends for its discovery
// (src/arm/resourceGraphQuery.ts), recognised stage by stage. This is not a KQL engine: a query of
// another shape is refused with a 400 that names the stage the emulator does not serve.
import { Refusal } from './replies';

/** A projected column: `name`, or `name = tostring(path)` / `array_length(path)` / `path`. */
export interface ProjectedColumn {
  readonly name: string;
  readonly apply: 'value' | 'tostring' | 'array_length';
  readonly path: readonly string[];
}

/** The resource types a query may ask for (lower-cased, as Resource Graph gives `type`). */
export const QUERYABLE_TYPES = [
  'microsoft.compute/images',
  'microsoft.compute/galleries/images',
  'microsoft.compute/galleries/images/versions',
] as const;
export type QueryableType = (typeof QUERYABLE_TYPES)[number];

export interface RecognisedQuery {
  readonly type: QueryableType;
  /** `where resourceGroup in~ (...)`; null: every group. */
  readonly resourceGroups: readonly string[] | null;
  /** The opt-in tag filter (name and value compared case-insensitively, the value trimmed); null: every image. */
  readonly tag: { readonly name: string; readonly value: string } | null;
  readonly columns: readonly ProjectedColumn[];
  /** `union (ResourceContainers | where type =~ 'microsoft.resources/subscriptions' | project id, subscriptionId)`. */
  readonly withSubscriptionRows: boolean;
  readonly orderedById: boolean;
}

const STRING = String.raw`'(?:[^'\\]|\\.)*'`;
const COLUMNS_OF_A_RESOURCE = new Set(['id', 'name', 'type', 'location', 'tags', 'subscriptionid', 'resourcegroup', 'properties']);
const SUBSCRIPTIONS_LEG = "resourcecontainers | where type =~ 'microsoft.resources/subscriptions' | project id, subscriptionid";

function refuse(detail: string): never {
  throw new Refusal(
    400,
    'BadRequest',
    `Please provide below info when asking for support: the emulator does not serve this query. ${detail} (it answers the shapes image-sync sends: see src/emulator/resourceGraphQuery.ts).`,
  );
}

/** Splits at `separator` outside quotes and parentheses. */
export function splitTopLevel(text: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let index = 0; index < text.length; index++) {
    const character = text[index];
    if (quoted) {
      if (character === '\\') index += 1;
      else if (character === "'") quoted = false;
    } else if (character === "'") quoted = true;
    else if (character === '(') depth += 1;
    else if (character === ')') depth -= 1;
    else if (character === separator && depth === 0) {
      parts.push(text.slice(start, index).trim());
      start = index + 1;
    }
  }
  if (quoted || depth !== 0) refuse('Its quotes or parentheses do not balance.');
  parts.push(text.slice(start).trim());
  return parts;
}

/** The value of a KQL single-quoted string literal. */
export function unquote(literal: string): string {
  return literal.slice(1, -1).replace(/\\(.)/g, '$1');
}

function column(text: string): ProjectedColumn {
  const match = /^(\w+)(?:\s*=\s*(?:(tostring|array_length)\(([\w.]+)\)|([\w.]+)))?$/i.exec(text);
  if (match === null) refuse(`The column "${text}" is not a name, a property path, tostring(path) or array_length(path).`);
  const [, name = '', fn, wrapped, bare] = match;
  const path = (wrapped ?? bare ?? name).split('.');
  if (!COLUMNS_OF_A_RESOURCE.has((path[0] ?? '').toLowerCase()))
    refuse(`The column "${text}" reads "${path[0] ?? ''}", which the emulator's resources do not have.`);
  const apply = fn === undefined ? 'value' : fn.toLowerCase() === 'tostring' ? 'tostring' : 'array_length';
  return { name, apply, path };
}

export function recogniseQuery(query: string): RecognisedQuery {
  const stages = splitTopLevel(query.trim(), '|');
  if ((stages.shift() ?? '').toLowerCase() !== 'resources') refuse('It does not start with the Resources table.');
  const typeStage = /^where\s+type\s*=~\s*('(?:[^'\\]|\\.)*')$/i.exec(stages.shift() ?? '');
  const type = QUERYABLE_TYPES.find((known) => typeStage?.[1] !== undefined && unquote(typeStage[1]).toLowerCase() === known);
  if (type === undefined)
    refuse(`Its second stage is not where type =~ one of ${QUERYABLE_TYPES.map((known) => `'${known}'`).join(', ')}.`);

  let resourceGroups: string[] | null = null;
  let tag: RecognisedQuery['tag'] = null;
  let columns: ProjectedColumn[] | null = null;
  let withSubscriptionRows = false;
  let orderedById = false;
  let expandedCopy: string | null = null;
  let expanded = false;
  for (const stage of stages) {
    const groups = /^where\s+resourceGroup\s+in~\s*\((.*)\)$/is.exec(stage);
    const copy = /^extend\s+(\w+)\s*=\s*tags$/i.exec(stage);
    const expand = /^mv-expand\s+bagexpansion\s*=\s*array\s+(\w+)$/i.exec(stage);
    const tagFilter = new RegExp(
      String.raw`^where\s+tostring\((\w+)\[0\]\)\s*=~\s*(${STRING})\s+and\s+trim\(@'\\s\+',\s*tostring\((\w+)\[1\]\)\)\s*=~\s*(${STRING})$`,
      'is',
    ).exec(stage);
    const project = /^project\s+(.+)$/is.exec(stage);
    const union = /^union\s*\((.*)\)$/is.exec(stage);
    if (groups?.[1] !== undefined && columns === null && tag === null) {
      resourceGroups = splitTopLevel(groups[1], ',').map((item) =>
        new RegExp(`^${STRING}$`).test(item) ? unquote(item) : refuse(`"${item}" is not a quoted resource group name.`),
      );
    } else if (copy?.[1] !== undefined && expandedCopy === null && columns === null) {
      expandedCopy = copy[1];
    } else if (expand?.[1] !== undefined && expand[1] === expandedCopy && !expanded) {
      expanded = true;
    } else if (
      tagFilter !== null &&
      expanded &&
      tag === null &&
      tagFilter[1] === expandedCopy &&
      tagFilter[3] === expandedCopy &&
      tagFilter[2] !== undefined &&
      tagFilter[4] !== undefined
    ) {
      tag = { name: unquote(tagFilter[2]), value: unquote(tagFilter[4]) };
    } else if (project?.[1] !== undefined && columns === null) {
      columns = splitTopLevel(project[1], ',').map(column);
    } else if (union?.[1] !== undefined && columns !== null && !withSubscriptionRows) {
      if (union[1].replace(/\s+/g, ' ').trim().toLowerCase() !== SUBSCRIPTIONS_LEG)
        refuse(`The union leg "${union[1].trim()}" is not ${SUBSCRIPTIONS_LEG}.`);
      withSubscriptionRows = true;
    } else if (/^order\s+by\s+id\s+asc$/i.test(stage) && !orderedById) {
      orderedById = true;
    } else {
      refuse(`The stage "${stage}" is not one it serves here.`);
    }
  }
  if (expandedCopy !== null && tag === null) refuse('It expands the tags without filtering on a tag name and value.');
  if (columns === null) refuse('It projects no columns.');
  if (!columns.some((projected) => projected.name.toLowerCase() === 'id')) refuse('It does not project id, which paging needs.');
  return { type, resourceGroups, tag, columns, withSubscriptionRows, orderedById };
}
