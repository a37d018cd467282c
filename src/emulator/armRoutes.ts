// ARM answers for managed images: list per subscription, list per resource group, get.
import type { ManagedImageCatalogue } from './managedImageCatalogue';
import { pageOf, queryParameter } from './paging';
import { jsonReply, Refusal, type Reply } from './replies';
import type { Route } from './routes';

export interface ArmContext {
  readonly catalogue: ManagedImageCatalogue;
  readonly pageSize: number;
  /** `https://127.0.0.1:port`, for absolute nextLinks. */
  readonly origin: string;
}

type ArmRoute = Extract<Route, { kind: `arm.${string}` }>;

const ARM_HEADERS = { 'x-ms-ratelimit-remaining-subscription-reads': '249' };

export function answerArm(route: ArmRoute, url: URL, context: ArmContext): Reply {
  const apiVersion = queryParameter(url, 'api-version');
  if (apiVersion === null || apiVersion === '') {
    throw new Refusal(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
  }
  requireReadable(context.catalogue, route.subscriptionId);
  if (route.kind === 'arm.images.get') {
    const image = context.catalogue.image(route.subscriptionId, route.resourceGroup, route.name);
    if (image === undefined) {
      requireResourceGroup(context.catalogue, route.subscriptionId, route.resourceGroup);
      throw new Refusal(
        404,
        'ResourceNotFound',
        `The Resource 'Microsoft.Compute/images/${route.name}' under resource group '${route.resourceGroup}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
      );
    }
    return jsonReply(200, image.json, ARM_HEADERS);
  }
  const resourceGroup = route.kind === 'arm.images.listByResourceGroup' ? route.resourceGroup : undefined;
  if (resourceGroup !== undefined) requireResourceGroup(context.catalogue, route.subscriptionId, resourceGroup);
  const images = context.catalogue.images(route.subscriptionId, resourceGroup).map((image) => image.json);
  const page = pageOf(images, queryParameter(url, '$skiptoken'), context.pageSize);
  const body: Record<string, unknown> = { value: page.items };
  if (page.nextSkipToken !== null) {
    const next = new URLSearchParams({ 'api-version': apiVersion, $skiptoken: page.nextSkipToken });
    body['nextLink'] = `${context.origin}${url.pathname}?${next.toString()}`;
  }
  return jsonReply(200, body, ARM_HEADERS);
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

function requireResourceGroup(catalogue: ManagedImageCatalogue, subscriptionId: string, resourceGroup: string): void {
  if (!catalogue.hasResourceGroup(subscriptionId, resourceGroup)) {
    throw new Refusal(404, 'ResourceGroupNotFound', `Resource group '${resourceGroup}' could not be found.`);
  }
}
