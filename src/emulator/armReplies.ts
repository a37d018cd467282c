// What every ARM route shares: the checks each request passes before its handler (an api-version,
// a subscription the caller may read), ARM's list pages and its not-found refusals.
import type { ManagedImageCatalogue } from './managedImageCatalogue';
import { pageOf, queryParameter } from './paging';
import { jsonReply, Refusal, type Reply } from './replies';
import type { IncomingRequest, RouteHandler } from './routeHandler';
import type { EmulatedTenant } from './tenant';

export interface ArmContext {
  readonly tenant: EmulatedTenant;
  /** `https://127.0.0.1:port`, for absolute nextLinks and operation URLs. */
  readonly origin: string;
}

/** An ARM route's handler: called once the checks passed, with the request's api-version. */
export type ArmHandler<Route> = (route: Route, request: IncomingRequest, apiVersion: string, context: ArmContext) => Reply;

export const ARM_HEADERS = { 'x-ms-ratelimit-remaining-subscription-reads': '249' };

/** The handler of an ARM route, behind the checks ARM makes of every request. */
export function armChecked<Route extends { readonly subscriptionId: string }>(handler: ArmHandler<Route>): RouteHandler<Route> {
  return (route, request, { tenant, origin }) => {
    const apiVersion = queryParameter(request.url, 'api-version');
    if (apiVersion === null || apiVersion === '') {
      throw new Refusal(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
    }
    requireReadable(tenant.catalogue, route.subscriptionId);
    return handler(route, request, apiVersion, { tenant, origin });
  };
}

/** A page of an ARM list: `{ value, nextLink? }`, the nextLink absolute with api-version and `$skiptoken`. */
export function listReply(items: readonly unknown[], url: URL, apiVersion: string, context: Pick<ArmContext, 'tenant' | 'origin'>): Reply {
  const page = pageOf(items, queryParameter(url, '$skiptoken'), context.tenant.estate.arm.pageSize);
  const body: Record<string, unknown> = { value: page.items };
  if (page.nextSkipToken !== null) {
    const next = new URLSearchParams({ 'api-version': apiVersion, $skiptoken: page.nextSkipToken });
    body['nextLink'] = `${context.origin}${url.pathname}?${next.toString()}`;
  }
  return jsonReply(200, body, ARM_HEADERS);
}

export function resourceNotFound(type: string, name: string, resourceGroup: string): Refusal {
  return new Refusal(
    404,
    'ResourceNotFound',
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
  );
}

function requireReadable(catalogue: ManagedImageCatalogue, subscriptionId: string): void {
  const subscription = catalogue.subscription(subscriptionId);
  if (subscription === undefined || subscription.access === 'notFound') {
    throw new Refusal(404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found.`);
  }
  if (subscription.access === 'forbidden') {
    throw new Refusal(
      403,
      'AuthorizationFailed',
      `The client does not have authorization to perform action 'Microsoft.Compute/images/read' over scope '/subscriptions/${subscriptionId}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
  }
}

export function requireResourceGroup(catalogue: ManagedImageCatalogue, subscriptionId: string, resourceGroup: string): void {
  if (!catalogue.hasResourceGroup(subscriptionId, resourceGroup)) {
    throw new Refusal(404, 'ResourceGroupNotFound', `Resource group '${resourceGroup}' could not be found.`);
  }
}
