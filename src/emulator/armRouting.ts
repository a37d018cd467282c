// Which ARM request is this? Maps method and path segments (compared case-insensitively, as ARM
// does) to a kind name and its parameters: managed images, disks, galleries, resource groups and
// long-running operations. The kind names are what the request log counts.

interface InGroup {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
}

type Named<Kind extends string, Fields> = { readonly [K in Kind]: { readonly kind: K } & Fields }[Kind];

export type ArmRoute =
  | { readonly kind: 'arm.images.list'; readonly subscriptionId: string }
  | Named<'arm.images.listByResourceGroup' | 'arm.resourceGroups.get', InGroup>
  | Named<'arm.images.get' | 'arm.images.put' | 'arm.images.delete', InGroup & { readonly name: string }>
  | Named<'arm.disks.get' | 'arm.disks.put' | 'arm.disks.delete', InGroup & { readonly name: string }>
  | Named<'arm.disks.list' | 'arm.galleries.list', { readonly subscriptionId: string; readonly resourceGroup: string | null }>
  | Named<'arm.galleries.get' | 'arm.galleryImages.list', InGroup & { readonly gallery: string }>
  | Named<'arm.galleryImages.get' | 'arm.galleryImageVersions.list', InGroup & { readonly gallery: string; readonly image: string }>
  | Named<'arm.galleryImageVersions.get', InGroup & { readonly gallery: string; readonly image: string; readonly versionName: string }>
  | { readonly kind: 'arm.operations.get'; readonly subscriptionId: string; readonly operationId: string };

export type ArmKind = ArmRoute['kind'];

export function isArmRoute(route: { readonly kind: string }): route is ArmRoute {
  return route.kind.startsWith('arm.');
}

/** The route of an ARM path (`/subscriptions/...`); null when the emulator does not serve it. */
export function armRoute(method: string, segments: readonly string[], lower: readonly string[]): ArmRoute | null {
  const subscriptionId = segments[1];
  if (subscriptionId === undefined) return null;
  if (lower[2] === 'providers' && lower[3] === 'microsoft.compute') return subscriptionScoped(method, subscriptionId, segments, lower);
  const resourceGroup = segments[3];
  if (lower[2] !== 'resourcegroups' || resourceGroup === undefined) return null;
  const group: InGroup = { subscriptionId, resourceGroup };
  if (lower.length === 4) return method === 'GET' ? { kind: 'arm.resourceGroups.get', ...group } : null;
  if (lower[4] !== 'providers' || lower[5] !== 'microsoft.compute') return null;
  const type = lower[6];
  const rest = segments.slice(7);
  if (type === 'images') return resourceRoute('images', method, group, rest);
  if (type === 'disks') {
    if (rest.length === 0) return method === 'GET' ? { kind: 'arm.disks.list', subscriptionId, resourceGroup } : null;
    return resourceRoute('disks', method, group, rest);
  }
  if (type === 'galleries') return galleryRoute(method, group, rest, lower.slice(7));
  return null;
}

function subscriptionScoped(
  method: string,
  subscriptionId: string,
  segments: readonly string[],
  lower: readonly string[],
): ArmRoute | null {
  if (method !== 'GET') return null;
  if (lower.length === 5 && lower[4] === 'images') return { kind: 'arm.images.list', subscriptionId };
  if (lower.length === 5 && lower[4] === 'disks') return { kind: 'arm.disks.list', subscriptionId, resourceGroup: null };
  if (lower.length === 5 && lower[4] === 'galleries') return { kind: 'arm.galleries.list', subscriptionId, resourceGroup: null };
  const operationId = segments[7];
  if (lower.length === 8 && lower[4] === 'locations' && lower[6] === 'operations' && operationId !== undefined)
    return { kind: 'arm.operations.get', subscriptionId, operationId };
  return null;
}

function resourceRoute(type: 'images' | 'disks', method: string, group: InGroup, rest: readonly string[]): ArmRoute | null {
  const [name, ...extra] = rest;
  if (name === undefined) return method === 'GET' && type === 'images' ? { kind: 'arm.images.listByResourceGroup', ...group } : null;
  if (extra.length > 0) return null;
  const verb = method === 'GET' ? 'get' : method === 'PUT' ? 'put' : method === 'DELETE' ? 'delete' : null;
  if (verb === null) return null;
  return type === 'images' ? { kind: `arm.images.${verb}`, ...group, name } : { kind: `arm.disks.${verb}`, ...group, name };
}

function galleryRoute(method: string, group: InGroup, rest: readonly string[], lowerRest: readonly string[]): ArmRoute | null {
  if (method !== 'GET') return null;
  const [gallery, imagesSegment, image, versionsSegment, version, ...extra] = rest;
  if (gallery === undefined) return { kind: 'arm.galleries.list', ...group };
  if (imagesSegment === undefined) return { kind: 'arm.galleries.get', ...group, gallery };
  if (lowerRest[1] !== 'images') return null;
  if (image === undefined) return { kind: 'arm.galleryImages.list', ...group, gallery };
  if (versionsSegment === undefined) return { kind: 'arm.galleryImages.get', ...group, gallery, image };
  if (lowerRest[3] !== 'versions' || extra.length > 0) return null;
  if (version === undefined) return { kind: 'arm.galleryImageVersions.list', ...group, gallery, image };
  return { kind: 'arm.galleryImageVersions.get', ...group, gallery, image, versionName: version };
}
