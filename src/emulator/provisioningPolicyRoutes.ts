// Graph answers for `deviceManagement/virtualEndpoint/provisioningPolicies` (v1.0 and beta): list,
// get, and a PATCH of the image a policy gives new Cloud PCs.
import { jsonBody } from './deviceImageRequests';
import { graphCollection, selectProperties } from './graphQuery';
import { queryParameter } from './paging';
import type { ProvisioningPolicyChanges, ProvisioningPolicyRecord, ProvisioningPolicyStore } from './provisioningPolicyStore';
import type { GraphVersion } from './graphVersion';
import { noContent, jsonReply, Refusal, type Reply } from './replies';
import type { RouteHandler } from './routeHandler';

export type ProvisioningPolicyRoute =
  | { readonly kind: 'graph.provisioningPolicies.list'; readonly version: GraphVersion }
  | {
      readonly kind: 'graph.provisioningPolicies.get' | 'graph.provisioningPolicies.update';
      readonly version: GraphVersion;
      readonly id: string;
    };

export interface ProvisioningPolicyContext {
  readonly policies: ProvisioningPolicyStore;
  readonly origin: string;
  readonly pageSize: number;
}

export interface ProvisioningPolicyRequest {
  readonly url: URL;
  readonly body: string;
}

const UPDATABLE = new Set(['@odata.type', 'imageId', 'imageDisplayName', 'imageType']);
const READ_ONLY = new Set(['id', 'alternateResourceUrl', 'cloudPcGroupDisplayName', 'managedBy']);

export const answerProvisioningPolicies: RouteHandler<ProvisioningPolicyRoute> = (route, request, { tenant, origin }) =>
  answerFrom(route, request, { policies: tenant.provisioningPolicies, origin, pageSize: tenant.estate.graph.pageSize });

function answerFrom(route: ProvisioningPolicyRoute, request: ProvisioningPolicyRequest, context: ProvisioningPolicyContext): Reply {
  const render = (record: ProvisioningPolicyRecord) => renderProvisioningPolicy(record, route.version);
  switch (route.kind) {
    case 'graph.provisioningPolicies.list':
      return jsonReply(
        200,
        graphCollection(context.policies.list().map(render), {
          url: request.url,
          origin: context.origin,
          pageSize: context.pageSize,
          filterable: ['displayName', 'imageId', 'imageType'],
          topAndSkip: false,
        }),
      );
    case 'graph.provisioningPolicies.get':
      return jsonReply(200, selectProperties(render(context.policies.require(route.id)), queryParameter(request.url, '$select')));
    case 'graph.provisioningPolicies.update':
      // An unknown policy is a 404 whatever the body says.
      context.policies.require(route.id);
      context.policies.update(route.id, parseProvisioningPolicyChanges(request.body));
      return noContent();
  }
}

/** A cloudPcProvisioningPolicy: the image it gives new Cloud PCs, and fixed values for the rest. */
export function renderProvisioningPolicy(record: ProvisioningPolicyRecord, version: GraphVersion): Record<string, unknown> {
  const policy: Record<string, unknown> = {
    id: record.id,
    displayName: record.displayName,
    description: '',
    alternateResourceUrl: null,
    cloudPcGroupDisplayName: null,
    cloudPcNamingTemplate: null,
    domainJoinConfigurations: [{ type: 'azureADJoin', regionName: 'automatic', regionGroup: 'default', onPremisesConnectionId: null }],
    enableSingleSignOn: true,
    gracePeriodInHours: 4,
    imageId: record.imageId,
    imageDisplayName: record.imageDisplayName,
    imageType: record.imageType,
    localAdminEnabled: false,
    microsoftManagedDesktop: { managedType: 'notManaged', profile: null },
    provisioningType: 'dedicated',
    windowsSetting: { locale: 'en-US' },
  };
  return version === 'beta' ? { ...policy, managedBy: 'windows365', scopeIds: ['0'], autopatch: null } : policy;
}

const KNOWN = new Set(
  Object.keys(
    renderProvisioningPolicy({ id: '', displayName: '', imageType: 'custom', imageId: null, imageDisplayName: null, updates: 0 }, 'beta'),
  ),
);

function parseProvisioningPolicyChanges(text: string): ProvisioningPolicyChanges {
  const body = jsonBody(text);
  for (const name of Object.keys(body)) {
    if (UPDATABLE.has(name)) continue;
    if (READ_ONLY.has(name)) throw new Refusal(400, 'BadRequest', `The property '${name}' is read-only and cannot be updated.`);
    if (KNOWN.has(name))
      throw new Refusal(
        400,
        'BadRequest',
        `The emulator updates only imageId, imageDisplayName and imageType of a provisioning policy, not '${name}'.`,
      );
    throw new Refusal(
      400,
      'BadRequest',
      `The property '${name}' does not exist on type 'microsoft.graph.cloudPcProvisioningPolicy'. Make sure to only use property names that are defined by the type.`,
    );
  }
  const imageType = body['imageType'];
  if (imageType !== undefined && imageType !== 'custom' && imageType !== 'gallery') {
    throw new Refusal(400, 'BadRequest', `Invalid value for property 'imageType': expected 'custom' or 'gallery'.`);
  }
  const imageId = body['imageId'];
  if (imageId !== undefined && (typeof imageId !== 'string' || imageId.trim() === '')) {
    throw new Refusal(400, 'BadRequest', "Invalid value for property 'imageId': expected the id of an image.");
  }
  const imageDisplayName = body['imageDisplayName'];
  if (imageDisplayName !== undefined && imageDisplayName !== null && typeof imageDisplayName !== 'string') {
    throw new Refusal(400, 'BadRequest', "Invalid value for property 'imageDisplayName': expected a string.");
  }
  return {
    ...(imageType === undefined ? {} : { imageType }),
    ...(imageId === undefined ? {} : { imageId }),
    ...(imageDisplayName === undefined ? {} : { imageDisplayName }),
  };
}
