// ARM reads of managed images (`Microsoft.Compute/images`): one by name, or a subscription's or
// resource group's, listed with nextLink paging. Their writes are the copy's (copyRoutes.ts).
import { ARM_HEADERS, type ArmContext, listReply, requireResourceGroup, resourceNotFound } from './armReplies';
import { jsonReply, type Reply } from './replies';
import type { IncomingRequest } from './routeHandler';

export type ManagedImageRoute =
  | { readonly kind: 'arm.images.list'; readonly subscriptionId: string }
  | { readonly kind: 'arm.images.listByResourceGroup'; readonly subscriptionId: string; readonly resourceGroup: string }
  | { readonly kind: 'arm.images.get'; readonly subscriptionId: string; readonly resourceGroup: string; readonly name: string };

export function answerManagedImages(route: ManagedImageRoute, request: IncomingRequest, apiVersion: string, context: ArmContext): Reply {
  const { catalogue } = context.tenant;
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
  }
}
