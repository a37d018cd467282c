// ARM answers: the checks every ARM request passes (api-version, a readable subscription), then the
// route's module: managed images (read here), galleries, disks and image writes, operations.
import type { IncomingRequest } from './answerRequest';
import type { ArmRoute } from './armRouting';
import { answerCopyRoute } from './copyRoutes';
import { answerGalleryRoute } from './galleryRoutes';
import type { ManagedImageCatalogue } from './managedImageCatalogue';
import { pageOf, queryParameter } from './paging';
import { jsonReply, Refusal, type Reply } from './replies';
import type { EmulatedTenant } from './tenant';

export interface ArmContext {
  readonly tenant: EmulatedTenant;
  /** `https://127.0.0.1:port`, for absolute nextLinks and operation URLs. */
  readonly origin: string;
}

export const ARM_HEADERS = { 'x-ms-ratelimit-remaining-subscription-reads': '249' };

export function answerArm(route: ArmRoute, request: IncomingRequest, context: ArmContext): Reply {
  const apiVersion = queryParameter(request.url, 'api-version');
  if (apiVersion === null || apiVersion === '') {
    throw new Refusal(400, 'MissingApiVersionParameter', 'The api-version query parameter (?api-version=) is required for all requests.');
  }
  const { catalogue } = context.tenant;
  requireReadable(catalogue, route.subscriptionId);
  switch (route.kind) {
    case 'arm.images.get': {
      const image = catalogue.image(route.subscriptionId, route.resourceGroup, route.name);
      if (image === undefined) {
        requireResourceGroup(catalogue, route.subscriptionId, route.resourceGroup);
        throw resourceNotFound('Microsoft.Compute/images', route.name, route.resourceGroup);
      }
      return jsonReply(200, image.json, ARM_HEADERS);
    }
    case 'arm.images.list':
    case 'arm.images.listByResourceGroup': {
      const resourceGroup = route.kind === 'arm.images.listByResourceGroup' ? route.resourceGroup : undefined;
      if (resourceGroup !== undefined) requireResourceGroup(catalogue, route.subscriptionId, resourceGroup);
      const images = catalogue.images(route.subscriptionId, resourceGroup).map((image) => image.json);
      return listReply(images, request.url, apiVersion, context);
    }
    case 'arm.galleries.list':
    case 'arm.galleries.get':
    case 'arm.galleryImages.list':
    case 'arm.galleryImages.get':
    case 'arm.galleryImageVersions.list':
    case 'arm.galleryImageVersions.get':
    case 'arm.resourceGroups.get':
      return answerGalleryRoute(route, request.url, apiVersion, context);
    default:
      return answerCopyRoute(route, request, apiVersion, context);
  }
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
