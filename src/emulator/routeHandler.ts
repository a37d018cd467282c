// What every route handler is given and gives back: the route it matched (its kind and the values
// its path pattern named), the request, and the tenant to answer from. Handlers sit below the route
// table (routes.ts) and above the stores and records (tenant.ts and what it holds).
import type { Reply } from './replies';
import type { EmulatedTenant } from './tenant';

export interface IncomingRequest {
  readonly url: URL;
  readonly body: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export interface AnswerContext {
  readonly tenant: EmulatedTenant;
  /** `https://127.0.0.1:port`, for absolute nextLinks, Locations and operation URLs. */
  readonly origin: string;
  /** A device image list leaves out images created after this (the `listingLag` fault); null: none. */
  readonly listedBefore: Date | null;
}

/** Answers one route; throws a Refusal to answer with an error body. */
export type RouteHandler<Route> = (route: Route, request: IncomingRequest, context: AnswerContext) => Reply;
