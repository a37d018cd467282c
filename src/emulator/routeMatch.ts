// How a request finds its row of the route table (routes.ts): each row's path pattern is matched
// segment by segment, literals case-insensitively (as ARM and Graph compare paths), `{name}` taking
// any one segment and `{version}` Graph's `v1.0` or `beta`. A request no row takes becomes an
// unknown route that says which service refuses it and how.
import type { GraphVersion } from './graphVersion';
import type { RouteHandler } from './routeHandler';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
export type ServiceName = 'arm' | 'graph';

type ParamNames<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}` ? Name | ParamNames<Rest> : never;

/** The values a path pattern names, as its handler receives them. */
export type ParamsOf<Path extends string> = { readonly [Name in ParamNames<Path>]: Name extends 'version' ? GraphVersion : string };

type Segment = { readonly literal: string } | { readonly param: string };

export interface RouteRow<Kind extends string = string> {
  readonly method: Method;
  readonly path: string;
  /** What the request log counts the request under. */
  readonly kind: Kind;
  readonly service: ServiceName;
  /** A Graph action: any other method on its path is answered as a segment Graph does not have. */
  readonly action: boolean;
  readonly segments: readonly Segment[];
  readonly answer: RouteHandler<MatchedValues>;
}

/** The route's kind and the values its pattern named: what the handler receives as its route. */
type MatchedValues = Readonly<Record<string, string>> & { readonly kind: string };

/** One row of the route table; the handler is checked against the kind and what the pattern names. */
export function route<const Kind extends string, const Path extends string>(
  method: Method,
  path: Path,
  kind: Kind,
  handler: RouteHandler<NoInfer<{ readonly kind: Kind } & ParamsOf<Path>>>,
  options: { readonly action?: boolean } = {},
): RouteRow<Kind> {
  return {
    method,
    path,
    kind,
    service: kind.startsWith('graph.') ? 'graph' : 'arm',
    action: options.action ?? false,
    segments: parsePattern(path),
    // The matcher hands the handler exactly the values this pattern names, with the kind.
    answer: handler as unknown as RouteHandler<MatchedValues>,
  };
}

export interface ServedRoute {
  readonly served: true;
  readonly kind: string;
  readonly service: ServiceName;
  readonly graphVersion: GraphVersion | null;
  readonly values: MatchedValues;
  readonly answer: RouteHandler<MatchedValues>;
}

export interface UnknownRoute {
  readonly served: false;
  readonly kind: 'unknown';
  readonly service: ServiceName | 'unknown';
  /** A path the service does not have, or a method the path does not allow. */
  readonly problem: 'path' | 'method';
  readonly reason: string;
  /** For Graph: the segment it would name as not found. */
  readonly graphSegment: string | null;
}

export type Route = ServedRoute | UnknownRoute;

/** How a path no row takes is refused, by its first segment. */
export interface Unserved {
  /** ARM paths (`subscriptions`, `providers`): 404 with this reason. */
  readonly arm: Readonly<Record<string, string>>;
  /** Graph paths below a route that Graph answers other than by naming the first segment no row has. */
  readonly graph: readonly GraphMiss[];
}

export interface GraphMiss {
  /** A pattern ending in `{...}`: one or more further segments. */
  readonly path: string;
  /** `method`: 405; `path`: 400 naming the first segment `{...}` takes. */
  readonly problem: 'path' | 'method';
}

export function serviceOf(route: Route): ServiceName | 'unknown' {
  return route.service;
}

export function graphVersionOf(route: Route): GraphVersion | null {
  return route.served ? route.graphVersion : null;
}

export function matchRoute(table: readonly RouteRow[], unserved: Unserved, method: string, pathname: string): Route {
  const segments = pathSegments(pathname);
  if (segments === null) return unknown('unknown', 'path', 'the path is not valid URL encoding', null);
  const first = segments[0]?.toLowerCase() ?? '';
  const service: ServiceName | null = isGraphVersion(first) ? 'graph' : Object.hasOwn(unserved.arm, first) ? 'arm' : null;
  if (service === null) return unknown('unknown', 'path', 'neither an ARM nor a Graph path', null);
  const rows = table.filter((row) => row.service === service);
  const resource = rows.find((row) => matchedLength(row.segments, segments) === segments.length && row.segments.length === segments.length);
  const served =
    resource === undefined
      ? undefined
      : rows.find((row) => row.method === method && row.path.toLowerCase() === resource.path.toLowerCase());
  if (served !== undefined) {
    const values = valuesOf(served, segments);
    const version = values['version'];
    return {
      served: true,
      kind: served.kind,
      service,
      graphVersion: isGraphVersion(version) ? version : null,
      values,
      answer: served.answer,
    };
  }
  if (service === 'arm') return unknown('arm', 'path', unserved.arm[first] ?? '', null);
  const unknownAt = (index: number, problem: 'path' | 'method' = 'path'): UnknownRoute =>
    unknown(
      'graph',
      problem,
      problem === 'method' ? `${method} is not allowed here` : 'not served by the emulator',
      segments[index] ?? segments[segments.length - 1] ?? first,
    );
  if (resource !== undefined) return resource.action ? unknownAt(segments.length - 1) : unknownAt(0, 'method');
  for (const miss of unserved.graph) {
    const pattern = parsePattern(miss.path.replace(/\/\{\.\.\.\}$/, ''));
    if (segments.length > pattern.length && matchedLength(pattern, segments) === pattern.length)
      return unknownAt(pattern.length, miss.problem);
  }
  return unknownAt(Math.max(0, ...rows.map((row) => matchedLength(row.segments, segments))));
}

function unknown(service: UnknownRoute['service'], problem: 'path' | 'method', reason: string, graphSegment: string | null): UnknownRoute {
  return { served: false, kind: 'unknown', service, problem, reason, graphSegment };
}

function isGraphVersion(value: string | undefined): value is GraphVersion {
  return value === 'v1.0' || value === 'beta';
}

function parsePattern(path: string): Segment[] {
  return path
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment)?.[1];
      return param === undefined ? { literal: segment.toLowerCase() } : { param };
    });
}

function pathSegments(pathname: string): string[] | null {
  try {
    return pathname
      .split('/')
      .filter((segment) => segment !== '')
      .map((segment) => decodeURIComponent(segment));
  } catch {
    return null;
  }
}

/** How many leading segments of the path the pattern takes. */
function matchedLength(pattern: readonly Segment[], segments: readonly string[]): number {
  let index = 0;
  while (index < pattern.length && index < segments.length && takes(pattern[index], segments[index] ?? '')) index++;
  return index;
}

function takes(segment: Segment | undefined, value: string): boolean {
  if (segment === undefined) return false;
  if ('literal' in segment) return segment.literal === value.toLowerCase();
  return segment.param !== 'version' || isGraphVersion(value.toLowerCase());
}

function valuesOf(row: RouteRow, segments: readonly string[]): MatchedValues {
  const values: Record<string, string> = { kind: row.kind };
  row.segments.forEach((segment, index) => {
    if ('param' in segment)
      values[segment.param] = segment.param === 'version' ? (segments[index] ?? '').toLowerCase() : (segments[index] ?? '');
  });
  return values as MatchedValues;
}
