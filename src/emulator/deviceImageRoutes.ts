// Graph answers for `deviceManagement/virtualEndpoint/deviceImages` (v1.0 and beta).
import type { Clock } from '../domain';
import { parseDeviceImageChanges, parseNewDeviceImage } from './deviceImageRequests';
import { deviceImageProperties, renderDeviceImage, type DeviceImageRecord, type FailureField } from './deviceImageRecord';
import type { DeviceImageStore } from './deviceImageStore';
import { graphCollection, requireSelectable, selectProperties } from './graphQuery';
import type { GalleryCatalogue } from './galleryCatalogue';
import type { GraphVersion } from './graphVersion';
import type { ManagedImageCatalogue } from './managedImageCatalogue';
import { queryParameter } from './paging';
import { jsonReply, noContent, Refusal, unknownSegment, type Reply } from './replies';
import type { RouteHandler } from './routeHandler';

export type DeviceImageRoute =
  | {
      readonly kind: 'graph.deviceImages.list' | 'graph.deviceImages.create' | 'graph.deviceImages.getSourceImages';
      readonly version: GraphVersion;
    }
  | {
      readonly kind:
        | 'graph.deviceImages.get'
        | 'graph.deviceImages.update'
        | 'graph.deviceImages.delete'
        | 'graph.deviceImages.retryUpload'
        | 'graph.deviceImages.reupload';
      readonly version: GraphVersion;
      readonly id: string;
    };

export interface GraphContext {
  readonly deviceImages: DeviceImageStore;
  readonly catalogue: ManagedImageCatalogue;
  readonly galleries: GalleryCatalogue;
  /** Source ids (lower-cased) getSourceImages leaves out. */
  readonly hiddenSourceImages: ReadonlySet<string>;
  /** A create may name a gallery image version (Windows 365's preview). */
  readonly galleryDirect: boolean;
  readonly clock: Clock;
  readonly origin: string;
  readonly pageSize: number;
  readonly failureField: FailureField;
  readonly updates: 'apply' | 'reject';
  /** A list leaves out device images created after this (the `listingLag` fault); null: none. */
  readonly listedBefore: Date | null;
}

export interface GraphRequest {
  readonly url: URL;
  readonly body: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

export const answerDeviceImages: RouteHandler<DeviceImageRoute> = (route, request, { tenant, origin, listedBefore }) =>
  answerFrom(route, request, {
    deviceImages: tenant.deviceImages,
    catalogue: tenant.catalogue,
    galleries: tenant.galleries,
    hiddenSourceImages: tenant.hiddenSourceImages,
    galleryDirect: tenant.estate.graph.galleryDirect,
    clock: tenant.clock,
    origin,
    pageSize: tenant.estate.graph.pageSize,
    failureField: tenant.estate.graph.failureField,
    updates: tenant.estate.graph.updates,
    listedBefore,
  });

function answerFrom(route: DeviceImageRoute, request: GraphRequest, context: GraphContext): Reply {
  const render = (record: DeviceImageRecord) =>
    renderDeviceImage(record, context.clock.now(), {
      version: route.version,
      failureField: context.failureField,
      includeUnknownEnumMembers: includesUnknownEnumMembers(request),
    });
  const selectable = { type: 'microsoft.graph.cloudPcDeviceImage', properties: deviceImageProperties(route.version, context.failureField) };
  switch (route.kind) {
    case 'graph.deviceImages.list':
      return jsonReply(
        200,
        graphCollection(
          context.deviceImages
            .list()
            .filter((record) => isListed(record, context.listedBefore))
            .map(render),
          {
            url: request.url,
            origin: context.origin,
            pageSize: context.pageSize,
            filterable: ['displayName', 'version', 'status'],
            topAndSkip: false,
            selectable,
          },
        ),
      );
    case 'graph.deviceImages.get': {
      const select = queryParameter(request.url, '$select');
      requireSelectable(select, selectable);
      return jsonReply(200, selectProperties(render(context.deviceImages.require(route.id)), select));
    }
    case 'graph.deviceImages.create': {
      const created = context.deviceImages.create(
        parseNewDeviceImage(request.body, route.version, { galleryDirect: context.galleryDirect }),
      );
      return jsonReply(201, render(created), {
        Location: `${context.origin}/${route.version}/deviceManagement/virtualEndpoint/deviceImages/${created.id}`,
      });
    }
    case 'graph.deviceImages.update': {
      if (context.updates === 'reject') {
        context.deviceImages.require(route.id);
        throw new Refusal(400, 'BadRequest', 'Updating a cloudPcDeviceImage is not supported: every property is read-only.');
      }
      return jsonReply(200, render(context.deviceImages.update(route.id, parseDeviceImageChanges(request.body, route.version))));
    }
    case 'graph.deviceImages.delete':
      context.deviceImages.delete(route.id);
      return noContent();
    case 'graph.deviceImages.retryUpload':
      if (route.version !== 'beta') throw unknownSegment('retryUpload');
      context.deviceImages.retryUpload(route.id);
      return noContent();
    case 'graph.deviceImages.reupload':
      throw new Refusal(
        400,
        'BadRequest',
        "The action 'reupload' is retired and no longer supported; use retryUpload (beta) for a failed upload.",
      );
    case 'graph.deviceImages.getSourceImages': {
      // A complex type (no key): `$select` keeps the properties named, and no `id` unless named.
      const select = queryParameter(request.url, '$select');
      const properties = ['id', 'resourceId', 'displayName', 'subscriptionId', 'subscriptionDisplayName'];
      requireSelectable(select, {
        type: 'microsoft.graph.cloudPcSourceDeviceImage',
        properties: route.version === 'beta' ? [...properties, 'category'] : properties,
      });
      const wanted = select === null || select.trim() === '' ? null : new Set(select.split(',').map((name) => name.trim().toLowerCase()));
      const entries = sourceImages(context, route.version);
      return jsonReply(200, {
        '@odata.context': `${context.origin}/${route.version}/$metadata#Collection(microsoft.graph.cloudPcSourceDeviceImage)`,
        value:
          wanted === null
            ? entries
            : entries.map((entry) => Object.fromEntries(Object.entries(entry).filter(([name]) => wanted.has(name.toLowerCase())))),
      });
    }
  }
}

/**
 * The source images Windows 365 itself can see: every managed image of the subscriptions it can
 * read, as cloudPcSourceDeviceImage (`id` is deprecated for `resourceId`); beta adds `category` and
 * the gallery image versions (`azureComputeGallery`). A hidden source is left out.
 */
function sourceImages(context: GraphContext, version: GraphVersion): Record<string, unknown>[] {
  const { catalogue, galleries } = context;
  return catalogue
    .allSubscriptions()
    .filter((subscription) => subscription.windows365CanRead && subscription.access !== 'notFound')
    .flatMap((subscription) => {
      const entry = (resourceId: string, displayName: string, category: string) => ({
        id: resourceId,
        resourceId,
        displayName,
        subscriptionId: subscription.id,
        subscriptionDisplayName: subscription.displayName,
        ...(version === 'beta' ? { category } : {}),
      });
      const images = catalogue.images(subscription.id).map((image) => entry(image.resourceId, image.spec.name, 'managedImage'));
      const versions =
        version === 'beta'
          ? galleries
              .versions(subscription.id)
              .map((record) => entry(record.id, `${record.image.spec.name} ${record.spec.name}`, 'azureComputeGallery'))
          : [];
      return [...images, ...versions];
    })
    .filter((entry) => !context.hiddenSourceImages.has(entry.resourceId.toLowerCase()));
}

function isListed(record: DeviceImageRecord, listedBefore: Date | null): boolean {
  return listedBefore === null || record.createdAt.getTime() <= listedBefore.getTime();
}

function includesUnknownEnumMembers(request: GraphRequest): boolean {
  const prefer = request.headers['prefer'];
  const values = Array.isArray(prefer) ? prefer : [prefer ?? ''];
  return values.some((value) => /include-unknown-enum-members/i.test(value));
}
