// Serves one request that got past the fault knobs: checks the bearer token, then answers it
// from the tenant as ARM or Graph would.
import { answerArm } from './armRoutes';
import { isArmRoute } from './armRouting';
import { answerCloudPcs } from './cloudPcRoutes';
import { answerDeviceImages } from './deviceImageRoutes';
import { answerOsImages } from './osImageRoutes';
import { answerProvisioningPolicies } from './provisioningPolicyRoutes';
import { answerResourceGraph } from './resourceGraphRoutes';
import { errorReply, Refusal, unknownSegment, type Reply } from './replies';
import { serviceOf, type Route } from './routes';
import type { EmulatedTenant } from './tenant';

export interface IncomingRequest {
  readonly url: URL;
  readonly body: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface AnswerContext {
  readonly tenant: EmulatedTenant;
  readonly origin: string;
  /** The token every request must carry; null: any. */
  readonly token: string | null;
  /** A device image list leaves out images created after this (the `listingLag` fault); null: none. */
  readonly listedBefore?: Date | null;
}

export function bearerTokenOf(headers: IncomingRequest['headers']): string | null {
  const authorization = headers['authorization'];
  const value = Array.isArray(authorization) ? authorization[0] : authorization;
  const match = /^Bearer\s+(\S.*)$/i.exec(value ?? '');
  return match?.[1]?.trim() ?? null;
}

export function answerRequest(route: Route, request: IncomingRequest, context: AnswerContext): Reply {
  const service = serviceOf(route);
  try {
    if (service === 'unknown')
      throw new Refusal(
        404,
        'NotFound',
        `The emulator serves ARM (/subscriptions/...) and Graph (/v1.0, /beta) paths only: ${request.url.pathname}`,
      );
    requireToken(service, bearerTokenOf(request.headers), context.token);
    return dispatch(route, request, context);
  } catch (error) {
    if (error instanceof Refusal) return errorReply(service, error);
    throw error;
  }
}

function requireToken(service: 'arm' | 'graph', token: string | null, expected: string | null): void {
  if (token === null) {
    throw service === 'arm'
      ? new Refusal(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.")
      : new Refusal(401, 'InvalidAuthenticationToken', 'Access token is empty.');
  }
  if (expected !== null && token !== expected) {
    throw new Refusal(
      401,
      'InvalidAuthenticationToken',
      service === 'arm' ? 'The access token is invalid.' : 'Access token validation failure. Invalid audience.',
    );
  }
}

function dispatch(route: Route, request: IncomingRequest, context: AnswerContext): Reply {
  const { tenant, origin } = context;
  // Operations whose time is up end first, whichever service is asked (an upload reads the image they made).
  tenant.operations.catchUp();
  if (isArmRoute(route)) return answerArm(route, request, { tenant, origin });
  switch (route.kind) {
    case 'resourceGraph.resources':
      return answerResourceGraph(request, { catalogue: tenant.catalogue, galleries: tenant.galleries });
    case 'graph.osImages.list':
    case 'graph.osImages.get':
    case 'graph.osImages.create':
      return answerOsImages(route, request, { catalogue: tenant.osImages, origin, pageSize: tenant.estate.graph.pageSize });
    case 'graph.provisioningPolicies.list':
    case 'graph.provisioningPolicies.get':
    case 'graph.provisioningPolicies.update':
      return answerProvisioningPolicies(route, request, {
        policies: tenant.provisioningPolicies,
        origin,
        pageSize: tenant.estate.graph.pageSize,
      });
    case 'graph.cloudPcs.list':
      return answerCloudPcs(route.version, request.url, { cloudPcs: tenant.cloudPcs, origin, pageSize: tenant.estate.graph.pageSize });
    case 'unknown':
      if (route.service === 'graph' && route.problem === 'method')
        throw new Refusal(405, 'MethodNotAllowed', `The method is not allowed on ${request.url.pathname}.`);
      if (route.service === 'graph') throw unknownSegment(route.graphSegment ?? request.url.pathname);
      throw new Refusal(404, 'NotFound', `Not served by the emulator (${route.reason}): ${request.url.pathname}`);
    default:
      return answerDeviceImages(route, request, {
        deviceImages: tenant.deviceImages,
        catalogue: tenant.catalogue,
        galleries: tenant.galleries,
        hiddenSourceImages: tenant.hiddenSourceImages,
        galleryDirect: tenant.estate.graph.galleryDirect,
        clock: tenant.clock,
        origin,
        pageSize: tenant.estate.graph.pageSize,
        failureField: tenant.estate.graph.failureField,
        updates: tenant.estate.graph.updates,
        listedBefore: context.listedBefore ?? null,
      });
  }
}
