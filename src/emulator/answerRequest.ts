// Serves one request that got past the fault knobs: checks the bearer token, then answers it with
// its route's handler, or refuses a route the emulator does not serve as ARM or Graph would.
import { errorReply, Refusal, unknownSegment, type Reply } from './replies';
import type { AnswerContext, IncomingRequest } from './routeHandler';
import { serviceOf, type Route } from './routeMatch';
import type { EmulatedTenant } from './tenant';

export interface RequestContext {
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

export function answerRequest(route: Route, request: IncomingRequest, context: RequestContext): Reply {
  const service = serviceOf(route);
  try {
    if (service === 'unknown')
      throw new Refusal(
        404,
        'NotFound',
        `The emulator serves ARM (/subscriptions/...) and Graph (/v1.0, /beta) paths only: ${request.url.pathname}`,
      );
    requireToken(service, bearerTokenOf(request.headers), context.token);
    const answerContext: AnswerContext = { tenant: context.tenant, origin: context.origin, listedBefore: context.listedBefore ?? null };
    // Operations whose time is up end first, whichever service is asked (an upload reads the image they made).
    context.tenant.operations.catchUp();
    if (route.served) return route.answer(route.values, request, answerContext);
    if (route.service === 'graph' && route.problem === 'method')
      throw new Refusal(405, 'MethodNotAllowed', `The method is not allowed on ${request.url.pathname}.`);
    if (route.service === 'graph') throw unknownSegment(route.graphSegment ?? request.url.pathname);
    throw new Refusal(404, 'NotFound', `Not served by the emulator (${route.reason}): ${request.url.pathname}`);
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
