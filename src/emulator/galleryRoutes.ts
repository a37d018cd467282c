// ARM reads of Azure Compute Galleries (galleries, image definitions, image versions: listed with
// nextLink paging, or one by name) and of a resource group (Microsoft.Resources).
import { ARM_HEADERS, type ArmContext, listReply, requireResourceGroup, resourceNotFound } from './armReplies';
import { jsonReply, Refusal, type Reply } from './replies';
import type { IncomingRequest } from './routeHandler';

interface InGroup {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
}

/** One member per kind, so a check of the kind narrows the route. */
type Named<Kind extends string, Fields> = { readonly [K in Kind]: { readonly kind: K } & Fields }[Kind];

export type GalleryRoute =
  /** A subscription's galleries, or (with resourceGroup) one group's. */
  | { readonly kind: 'arm.galleries.list'; readonly subscriptionId: string; readonly resourceGroup?: string }
  | Named<'arm.resourceGroups.get', InGroup>
  | Named<'arm.galleries.get' | 'arm.galleryImages.list', InGroup & { readonly gallery: string }>
  | Named<'arm.galleryImages.get' | 'arm.galleryImageVersions.list', InGroup & { readonly gallery: string; readonly image: string }>
  | Named<'arm.galleryImageVersions.get', InGroup & { readonly gallery: string; readonly image: string; readonly versionName: string }>;

function parentNotFound(parent: string): Refusal {
  return new Refusal(
    404,
    'ParentResourceNotFound',
    `Can not perform requested operation on nested resource. Parent resource '${parent}' not found.`,
  );
}

export function answerGalleryRoute(route: GalleryRoute, request: IncomingRequest, apiVersion: string, context: ArmContext): Reply {
  const { url } = request;
  const { catalogue, galleries } = context.tenant;
  const { subscriptionId } = route;
  if (route.kind === 'arm.galleries.list') {
    if (route.resourceGroup !== undefined) requireResourceGroup(catalogue, subscriptionId, route.resourceGroup);
    const listed = galleries.galleries(subscriptionId, route.resourceGroup).map((gallery) => galleries.renderGallery(gallery));
    return listReply(listed, url, apiVersion, context);
  }
  requireResourceGroup(catalogue, subscriptionId, route.resourceGroup);
  if (route.kind === 'arm.resourceGroups.get') {
    const group = catalogue.resourceGroup(subscriptionId, route.resourceGroup);
    const subscription = catalogue.subscription(subscriptionId);
    return jsonReply(
      200,
      {
        id: `/subscriptions/${subscription?.id ?? subscriptionId}/resourceGroups/${group?.name ?? route.resourceGroup}`,
        name: group?.name ?? route.resourceGroup,
        type: 'Microsoft.Resources/resourceGroups',
        location: group?.location,
        properties: { provisioningState: 'Succeeded' },
      },
      ARM_HEADERS,
    );
  }
  const gallery = galleries.gallery(subscriptionId, route.resourceGroup, route.gallery);
  if (route.kind === 'arm.galleries.get') {
    if (gallery === undefined) throw resourceNotFound('Microsoft.Compute/galleries', route.gallery, route.resourceGroup);
    return jsonReply(200, galleries.renderGallery(gallery), ARM_HEADERS);
  }
  if (gallery === undefined) throw parentNotFound(route.gallery);
  if (route.kind === 'arm.galleryImages.list')
    return listReply(
      [...gallery.images.values()].map((image) => galleries.renderImage(image)),
      url,
      apiVersion,
      context,
    );
  const image = gallery.images.get(route.image.toLowerCase());
  if (route.kind === 'arm.galleryImages.get') {
    if (image === undefined)
      throw resourceNotFound(`Microsoft.Compute/galleries/${route.gallery}/images`, route.image, route.resourceGroup);
    return jsonReply(200, galleries.renderImage(image), ARM_HEADERS);
  }
  if (image === undefined) throw parentNotFound(`${route.gallery}/${route.image}`);
  if (route.kind === 'arm.galleryImageVersions.list')
    return listReply(
      [...image.versions.values()].map((version) => galleries.renderVersion(version)),
      url,
      apiVersion,
      context,
    );
  const version = image.versions.get(route.versionName.toLowerCase());
  if (version === undefined)
    throw resourceNotFound(
      `Microsoft.Compute/galleries/${route.gallery}/images/${route.image}/versions`,
      route.versionName,
      route.resourceGroup,
    );
  return jsonReply(200, galleries.renderVersion(version), ARM_HEADERS);
}
