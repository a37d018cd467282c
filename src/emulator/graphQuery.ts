// The OData query options the emulated Graph collections support: `$select`, a small `$filter`
// (`property eq 'value'`, joined with `and`), and server-side paging with `@odata.nextLink`. Where
// the type's properties are given, `$select` of another property is refused, as Graph refuses it.
import { pageOf, queryParameter } from './paging';
import { Refusal } from './replies';

export type GraphEntity = Record<string, unknown>;

export interface CollectionQuery {
  readonly url: URL;
  readonly origin: string;
  readonly pageSize: number;
  /** Properties `$filter` may name. */
  readonly filterable: readonly string[];
  /** Whether `$top` and `$skip` are supported (deviceImages: no). */
  readonly topAndSkip: boolean;
  /** The entity type and the properties it has in the version asked for; absent: `$select` is not checked. */
  readonly selectable?: SelectableType;
}

export interface SelectableType {
  /** Such as `microsoft.graph.cloudPcDeviceImage`. */
  readonly type: string;
  readonly properties: readonly string[];
}

export function graphCollection(entities: readonly GraphEntity[], query: CollectionQuery): Record<string, unknown> {
  if (query.selectable !== undefined) requireSelectable(queryParameter(query.url, '$select'), query.selectable);
  const filtered = applyFilter(entities, queryParameter(query.url, '$filter'), query.filterable);
  const skip = integerOption(query, '$skip') ?? 0;
  const top = integerOption(query, '$top');
  const window = filtered.slice(skip, top === null ? undefined : skip + top);
  const page = pageOf(window, queryParameter(query.url, '$skiptoken'), query.pageSize);
  const select = queryParameter(query.url, '$select');
  const body: Record<string, unknown> = {
    '@odata.context': `${query.origin}${query.url.pathname.split('/').slice(0, 2).join('/')}/$metadata#${query.url.pathname.split('/').slice(2).join('/')}`,
    value: page.items.map((entity) => selectProperties(entity, select)),
  };
  if (page.nextSkipToken !== null) {
    const next = new URLSearchParams();
    for (const [key, value] of query.url.searchParams) if (key.toLowerCase() !== '$skiptoken') next.append(key, value);
    next.append('$skiptoken', page.nextSkipToken);
    body['@odata.nextLink'] = `${query.origin}${query.url.pathname}?${next.toString().replace(/%24/g, '$')}`;
  }
  return body;
}

/** Refuses a `$select` that names a property the type does not have (in the version asked for). */
export function requireSelectable(select: string | null, selectable: SelectableType): void {
  if (select === null || select.trim() === '') return;
  const known = new Set(selectable.properties.map((name) => name.toLowerCase()));
  const unknown = select
    .split(',')
    .map((name) => name.trim())
    .find((name) => name !== '' && !known.has(name.toLowerCase()));
  if (unknown !== undefined)
    throw new Refusal(400, 'BadRequest', `Could not find a property named '${unknown}' on type '${selectable.type}'.`);
}

export function selectProperties(entity: GraphEntity, select: string | null): GraphEntity {
  if (select === null || select.trim() === '') return entity;
  const wanted = new Set(['id', ...select.split(',').map((name) => name.trim())]);
  const selected: GraphEntity = {};
  for (const [name, value] of Object.entries(entity)) if (wanted.has(name)) selected[name] = value;
  return selected;
}

function applyFilter(entities: readonly GraphEntity[], filter: string | null, filterable: readonly string[]): readonly GraphEntity[] {
  if (filter === null || filter.trim() === '') return entities;
  const clauses = filter.split(/\s+and\s+/i).map((clause) => {
    const match = /^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(clause);
    const property = match?.[1];
    const value = match?.[2];
    if (property === undefined || value === undefined) {
      throw new Refusal(
        400,
        'BadRequest',
        `Invalid filter clause: '${clause.trim()}'. The emulator supports property eq 'value' joined with and.`,
      );
    }
    if (!filterable.includes(property)) {
      throw new Refusal(400, 'BadRequest', `Filtering on the property '${property}' is not supported.`);
    }
    return { property, value: value.replace(/''/g, "'").toLowerCase() };
  });
  return entities.filter((entity) =>
    clauses.every(({ property, value }) => {
      const actual = entity[property];
      return typeof actual === 'string' && actual.toLowerCase() === value;
    }),
  );
}

function integerOption(query: CollectionQuery, name: string): number | null {
  const raw = queryParameter(query.url, name);
  if (raw === null) return null;
  if (!query.topAndSkip) throw new Refusal(400, 'BadRequest', `The query option ${name} is not supported on this collection.`);
  if (!/^\d{1,6}$/.test(raw)) throw new Refusal(400, 'BadRequest', `Invalid value '${raw}' for the query option ${name}.`);
  return Number(raw);
}
