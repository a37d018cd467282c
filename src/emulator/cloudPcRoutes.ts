// Graph answers for `deviceManagement/virtualEndpoint/cloudPCs` (GET, `$filter` on
// provisioningPolicyId, paged). `status` and `statusDetail` are beta-only: v1.0 leaves them out.
import type { CloudPcStore, EmulatedCloudPc } from './cloudPcStore';
import { graphCollection } from './graphQuery';
import { jsonReply, type Reply } from './replies';
import type { RouteHandler } from './routeHandler';
import type { GraphVersion } from './graphVersion';

export type CloudPcRoute = { readonly kind: 'graph.cloudPcs.list'; readonly version: GraphVersion };

export const answerCloudPcRoute: RouteHandler<CloudPcRoute> = (route, request, { tenant, origin }) =>
  answerCloudPcs(route.version, request.url, { cloudPcs: tenant.cloudPcs, origin, pageSize: tenant.estate.graph.pageSize });

export interface CloudPcContext {
  readonly cloudPcs: CloudPcStore;
  readonly origin: string;
  readonly pageSize: number;
}

const FAILED_DETAIL = {
  code: 'imageNotSupported',
  message: 'The Cloud PC could not be provisioned from the image.',
  additionalInformation: [],
};

export function renderCloudPc(cloudPc: EmulatedCloudPc, version: GraphVersion): Record<string, unknown> {
  const common = {
    id: cloudPc.id,
    displayName: cloudPc.displayName,
    provisioningPolicyId: cloudPc.provisioningPolicyId,
    provisioningPolicyName: cloudPc.provisioningPolicyName,
    imageDisplayName: cloudPc.imageDisplayName,
    servicePlanName: 'Cloud PC Enterprise 2vCPU/8GB/128GB',
    provisioningType: 'dedicated',
  };
  if (version === 'v1.0') return common;
  return { ...common, status: cloudPc.status, statusDetail: cloudPc.status === 'failed' ? FAILED_DETAIL : null };
}

export function answerCloudPcs(version: GraphVersion, url: URL, context: CloudPcContext): Reply {
  return jsonReply(
    200,
    graphCollection(
      context.cloudPcs.list().map((cloudPc) => renderCloudPc(cloudPc, version)),
      { url, origin: context.origin, pageSize: context.pageSize, filterable: ['provisioningPolicyId'], topAndSkip: true },
    ),
  );
}
