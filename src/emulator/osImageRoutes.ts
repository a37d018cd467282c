// The Intune Windows OS catalogue (`beta/deviceManagement/managedDeviceWindowsOSImages`): list,
// get and create (the create exists so fixtures can be seeded the way the service is).
import type { OsImage } from './estateSchema';
import { osImageSchema } from './estateSchema';
import { jsonBody } from './deviceImageRequests';
import { type SelectableType, graphCollection, requireSelectable, selectProperties } from './graphQuery';
import { queryParameter } from './paging';
import { jsonReply, Refusal, unknownSegment, type Reply } from './replies';
import type { Route } from './routes';

type OsImageRoute = Extract<Route, { kind: `graph.osImages.${string}` }>;

/** What Graph's type has: a `$select` of anything else is refused, as Graph refuses it. */
const OS_IMAGE_TYPE: SelectableType = {
  type: 'microsoft.graph.managedDeviceWindowsOperatingSystemImage',
  properties: ['id', 'supportedEditions', 'supportedArchitectures', 'availableUpdates'],
};

export class OsImageCatalogue {
  private readonly images = new Map<string, OsImage>();

  constructor(images: readonly OsImage[]) {
    for (const image of images) this.images.set(image.id.toLowerCase(), image);
  }

  list(): OsImage[] {
    return [...this.images.values()];
  }

  get(id: string): OsImage | undefined {
    return this.images.get(id.toLowerCase());
  }

  add(image: OsImage): void {
    if (this.images.has(image.id.toLowerCase()))
      throw new Refusal(409, 'Conflict', `A Windows OS image with id '${image.id}' already exists.`);
    this.images.set(image.id.toLowerCase(), image);
  }
}

export interface OsImageRequest {
  readonly url: URL;
  readonly body: string;
}

export function answerOsImages(
  route: OsImageRoute,
  request: OsImageRequest,
  context: { catalogue: OsImageCatalogue; origin: string; pageSize: number },
): Reply {
  if (route.version !== 'beta') throw unknownSegment('managedDeviceWindowsOSImages');
  const render = (image: OsImage) => ({ '@odata.type': '#microsoft.graph.managedDeviceWindowsOperatingSystemImage', ...image });
  switch (route.kind) {
    case 'graph.osImages.list':
      return jsonReply(
        200,
        graphCollection(context.catalogue.list().map(render), {
          url: request.url,
          origin: context.origin,
          pageSize: context.pageSize,
          filterable: ['id'],
          topAndSkip: true,
          selectable: OS_IMAGE_TYPE,
        }),
      );
    case 'graph.osImages.get': {
      requireSelectable(queryParameter(request.url, '$select'), OS_IMAGE_TYPE);
      const image = context.catalogue.get(route.id);
      if (image === undefined) throw new Refusal(404, 'ResourceNotFound', `The Windows OS image '${route.id}' does not exist.`);
      return jsonReply(200, selectProperties(render(image), queryParameter(request.url, '$select')));
    }
    case 'graph.osImages.create': {
      const { ['@odata.type']: _type, ...body } = jsonBody(request.body);
      const parsed = osImageSchema.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new Refusal(
          400,
          'BadRequest',
          `Invalid managedDeviceWindowsOperatingSystemImage: ${issue === undefined ? 'invalid body' : `${issue.path.join('.')}: ${issue.message}`}.`,
        );
      }
      context.catalogue.add(parsed.data);
      return jsonReply(201, render(parsed.data));
    }
  }
}
