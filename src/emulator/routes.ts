// Which request is this? Maps method and path (case-insensitively, as ARM and Graph do) to a kind
// name and its parameters. The kind names are what the request log counts.
import { armRoute, type ArmRoute } from './armRouting';
import { type ResourceGraphRoute, resourceGraphRoute } from './resourceGraphRoutes';

export type GraphVersion = 'v1.0' | 'beta';

export type Route =
  | ArmRoute
  | ResourceGraphRoute
  | {
      readonly kind: 'graph.deviceImages.list' | 'graph.deviceImages.create' | 'graph.deviceImages.getSourceImages';
      readonly version: GraphVersion;
    }
  | {
      readonly kind:
        | 'graph.deviceImages.get'
        | 'graph.deviceImages.update'
        | 'graph.deviceImages.delete'
        | 'graph.deviceImages.retryUpload'
        | 'graph.deviceImages.reupload';
      readonly version: GraphVersion;
      readonly id: string;
    }
  | { readonly kind: 'graph.provisioningPolicies.list'; readonly version: GraphVersion }
  | {
      readonly kind: 'graph.provisioningPolicies.get' | 'graph.provisioningPolicies.update';
      readonly version: GraphVersion;
      readonly id: string;
    }
  | { readonly kind: 'graph.cloudPcs.list'; readonly version: GraphVersion }
  | { readonly kind: 'graph.osImages.list' | 'graph.osImages.create'; readonly version: GraphVersion }
  | { readonly kind: 'graph.osImages.get'; readonly version: GraphVersion; readonly id: string }
  | {
      readonly kind: 'unknown';
      readonly service: 'arm' | 'graph' | 'unknown';
      /** A path the service does not have, or a method the path does not allow. */
      readonly problem: 'path' | 'method';
      readonly reason: string;
      /** For Graph: the segment it would name as not found. */
      readonly graphSegment: string | null;
    };

export type RequestKind = Route['kind'];

export function serviceOf(route: Route): 'arm' | 'graph' | 'unknown' {
  if (route.kind === 'unknown') return route.service;
  return route.kind.startsWith('arm.') || route.kind.startsWith('resourceGraph.') ? 'arm' : 'graph';
}

export function graphVersionOf(route: Route): GraphVersion | null {
  return 'version' in route ? route.version : null;
}

export function routeRequest(method: string, pathname: string): Route {
  const segments = pathSegments(pathname);
  if (segments === null)
    return { kind: 'unknown', service: 'unknown', problem: 'path', reason: 'the path is not valid URL encoding', graphSegment: null };
  const lower = segments.map((segment) => segment.toLowerCase());
  if (lower[0] === 'subscriptions')
    return (
      armRoute(method, segments, lower) ?? {
        kind: 'unknown',
        service: 'arm',
        problem: 'path',
        reason: 'the emulator serves Microsoft.Compute images, disks and galleries, resource groups and operations',
        graphSegment: null,
      }
    );
  if (lower[0] === 'providers')
    return (
      resourceGraphRoute(method, lower) ?? {
        kind: 'unknown',
        service: 'arm',
        problem: 'path',
        reason: 'the emulator serves only POST of Microsoft.ResourceGraph/resources',
        graphSegment: null,
      }
    );
  if (lower[0] === 'v1.0' || lower[0] === 'beta') return graphRoute(method, lower[0], segments, lower);
  return { kind: 'unknown', service: 'unknown', problem: 'path', reason: 'neither an ARM nor a Graph path', graphSegment: null };
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

function graphRoute(method: string, version: GraphVersion, segments: readonly string[], lower: readonly string[]): Route {
  const unknownAt = (index: number, problem: 'path' | 'method' = 'path'): Route => ({
    kind: 'unknown',
    service: 'graph',
    problem,
    reason: problem === 'method' ? `${method} is not allowed here` : 'not served by the emulator',
    graphSegment: segments[index] ?? segments[segments.length - 1] ?? version,
  });
  if (lower[1] !== 'devicemanagement') return unknownAt(1);
  if (lower[2] === 'manageddevicewindowsosimages') return osImageRoute(method, version, segments.slice(3), () => unknownAt(3, 'method'));
  if (lower[2] !== 'virtualendpoint') return unknownAt(2);
  if (lower[3] === 'provisioningpolicies') return provisioningPolicyRoute(method, version, segments.slice(4), unknownAt);
  if (lower[3] === 'cloudpcs') {
    if (segments.length > 4) return unknownAt(4);
    return method === 'GET' ? { kind: 'graph.cloudPcs.list', version } : unknownAt(3, 'method');
  }
  if (lower[3] !== 'deviceimages') return unknownAt(3);
  const rest = segments.slice(4);
  const [first, action, ...extra] = rest;
  if (first === undefined) {
    if (method === 'GET') return { kind: 'graph.deviceImages.list', version };
    if (method === 'POST') return { kind: 'graph.deviceImages.create', version };
    return unknownAt(3, 'method');
  }
  if (extra.length > 0) return unknownAt(6);
  if (action === undefined) {
    if (first.toLowerCase() === 'getsourceimages') {
      return method === 'GET' ? { kind: 'graph.deviceImages.getSourceImages', version } : unknownAt(4, 'method');
    }
    const id = first;
    if (method === 'GET') return { kind: 'graph.deviceImages.get', version, id };
    if (method === 'PATCH') return { kind: 'graph.deviceImages.update', version, id };
    if (method === 'DELETE') return { kind: 'graph.deviceImages.delete', version, id };
    return unknownAt(4, 'method');
  }
  const id = first;
  const actionName = action.toLowerCase();
  if (actionName === 'retryupload' && method === 'POST') return { kind: 'graph.deviceImages.retryUpload', version, id };
  if (actionName === 'reupload' && method === 'POST') return { kind: 'graph.deviceImages.reupload', version, id };
  return unknownAt(5);
}

function provisioningPolicyRoute(
  method: string,
  version: GraphVersion,
  rest: readonly string[],
  unknownAt: (index: number, problem?: 'path' | 'method') => Route,
): Route {
  const [id, ...extra] = rest;
  if (id === undefined) return method === 'GET' ? { kind: 'graph.provisioningPolicies.list', version } : unknownAt(3, 'method');
  if (extra.length > 0) return unknownAt(5);
  if (method === 'GET') return { kind: 'graph.provisioningPolicies.get', version, id };
  if (method === 'PATCH') return { kind: 'graph.provisioningPolicies.update', version, id };
  return unknownAt(4, 'method');
}

function osImageRoute(method: string, version: GraphVersion, rest: readonly string[], notAllowed: () => Route): Route {
  const [first, ...extra] = rest;
  if (first === undefined) {
    if (method === 'GET') return { kind: 'graph.osImages.list', version };
    if (method === 'POST') return { kind: 'graph.osImages.create', version };
    return notAllowed();
  }
  if (extra.length > 0 || method !== 'GET') return notAllowed();
  return { kind: 'graph.osImages.get', version, id: first };
}
