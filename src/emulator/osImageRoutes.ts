// The Intune Windows OS catalogue (`beta/deviceManagement/managedDeviceWindowsOSImages`): list,
// get and create (the create exists so fixtures can be seeded the way the service is).
import type { OsImage } from './estateSchema';
import { osImageSchema } from './estateSchema';
import { jsonBody } from './deviceImageRequests';
import { type SelectableType, graphCollection, requireSelectable, selectProperties } from './graphQuery';
import { queryParameter } from './paging';
import type { GraphVersion } from './graphVersion';
import type { OsImageCatalogue } from './osImageCatalogue';
import { jsonReply, Refusal, unknownSegment, type Reply } from './replies';
import type { RouteHandler } from './routeHandler';

export type OsImageRoute =
  | { readonly kind: 'graph.osImages.list' | 'graph.osImages.create'; readonly version: GraphVersion }
  | { readonly kind: 'graph.osImages.get'; readonly version: GraphVersion; readonly id: string };

/** What Graph's type has: a `$select` of anything else is refused, as Graph refuses it. */
const OS_IMAGE_TYPE: SelectableType = {
  type: 'microsoft.graph.managedDeviceWindowsOperatingSystemImage',
  properties: ['id', 'supportedEditions', 'supportedArchitectures', 'availableUpdates'],
};

export interface OsImageRequest {
  readonly url: URL;
  readonly body: string;
}

export const answerOsImages: RouteHandler<OsImageRoute> = (route, request, { tenant, origin }) =>
  answerFrom(route, request, { catalogue: tenant.osImages, origin, pageSize: tenant.estate.graph.pageSize });

function answerFrom(
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
