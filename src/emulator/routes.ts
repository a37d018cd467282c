// Every request the emulator serves, one row each: method, path pattern (literals compare
// case-insensitively; `{name}` takes one segment and reaches the handler as route.name; `{version}`
// is Graph's v1.0 or beta), the kind the request log counts it under, and the handler that answers.
// Two rows with one kind are one request at two scopes. To add a route: add its row here, then its
// kind (and the values its pattern names) to its handler's route type. ARM handlers go behind
// armChecked (api-version and subscription checks). A request no row takes is refused as UNSERVED says.
import { armChecked } from './armReplies';
import { answerCloudPcRoute } from './cloudPcRoutes';
import { answerCopyRoute } from './copyRoutes';
import { answerDeviceImages } from './deviceImageRoutes';
import { answerGalleryRoute } from './galleryRoutes';
import { answerManagedImages } from './managedImageRoutes';
import { answerOsImages } from './osImageRoutes';
import { answerProvisioningPolicies } from './provisioningPolicyRoutes';
import { answerResourceGraphRoute } from './resourceGraphRoutes';
import { matchRoute, route, type Route, type Unserved } from './routeMatch';

const SUBSCRIPTION = '/subscriptions/{subscriptionId}';
const GROUP = `${SUBSCRIPTION}/resourceGroups/{resourceGroup}`;
const GALLERY = `${GROUP}/providers/Microsoft.Compute/galleries/{gallery}`;
const VIRTUAL_ENDPOINT = '/{version}/deviceManagement/virtualEndpoint';

export const ROUTES = [
  // Azure Resource Manager: managed images (reads; the copy writes them), disks, galleries, operations.
  route('GET', `${SUBSCRIPTION}/providers/Microsoft.Compute/images`, 'arm.images.list', armChecked(answerManagedImages)),
  route('GET', `${GROUP}/providers/Microsoft.Compute/images`, 'arm.images.listByResourceGroup', armChecked(answerManagedImages)),
  route('GET', `${GROUP}/providers/Microsoft.Compute/images/{name}`, 'arm.images.get', armChecked(answerManagedImages)),
  route('PUT', `${GROUP}/providers/Microsoft.Compute/images/{name}`, 'arm.images.put', armChecked(answerCopyRoute)),
  route('DELETE', `${GROUP}/providers/Microsoft.Compute/images/{name}`, 'arm.images.delete', armChecked(answerCopyRoute)),
  route('GET', `${SUBSCRIPTION}/providers/Microsoft.Compute/disks`, 'arm.disks.list', armChecked(answerCopyRoute)),
  route('GET', `${GROUP}/providers/Microsoft.Compute/disks`, 'arm.disks.list', armChecked(answerCopyRoute)),
  route('GET', `${GROUP}/providers/Microsoft.Compute/disks/{name}`, 'arm.disks.get', armChecked(answerCopyRoute)),
  route('PUT', `${GROUP}/providers/Microsoft.Compute/disks/{name}`, 'arm.disks.put', armChecked(answerCopyRoute)),
  route('DELETE', `${GROUP}/providers/Microsoft.Compute/disks/{name}`, 'arm.disks.delete', armChecked(answerCopyRoute)),
  route('GET', `${SUBSCRIPTION}/providers/Microsoft.Compute/galleries`, 'arm.galleries.list', armChecked(answerGalleryRoute)),
  route('GET', `${GROUP}/providers/Microsoft.Compute/galleries`, 'arm.galleries.list', armChecked(answerGalleryRoute)),
  route('GET', GALLERY, 'arm.galleries.get', armChecked(answerGalleryRoute)),
  route('GET', `${GALLERY}/images`, 'arm.galleryImages.list', armChecked(answerGalleryRoute)),
  route('GET', `${GALLERY}/images/{image}`, 'arm.galleryImages.get', armChecked(answerGalleryRoute)),
  route('GET', `${GALLERY}/images/{image}/versions`, 'arm.galleryImageVersions.list', armChecked(answerGalleryRoute)),
  route('GET', `${GALLERY}/images/{image}/versions/{versionName}`, 'arm.galleryImageVersions.get', armChecked(answerGalleryRoute)),
  route('GET', GROUP, 'arm.resourceGroups.get', armChecked(answerGalleryRoute)),
  route(
    'GET',
    `${SUBSCRIPTION}/providers/Microsoft.Compute/locations/{region}/operations/{operationId}`,
    'arm.operations.get',
    armChecked(answerCopyRoute),
  ),
  // Azure Resource Graph.
  route('POST', '/providers/Microsoft.ResourceGraph/resources', 'resourceGraph.resources', answerResourceGraphRoute),
  // Microsoft Graph: device images (getSourceImages before {id}: the literal segment wins), policies, Cloud PCs, OS catalogue.
  route('GET', `${VIRTUAL_ENDPOINT}/deviceImages`, 'graph.deviceImages.list', answerDeviceImages),
  route('POST', `${VIRTUAL_ENDPOINT}/deviceImages`, 'graph.deviceImages.create', answerDeviceImages),
  route('GET', `${VIRTUAL_ENDPOINT}/deviceImages/getSourceImages`, 'graph.deviceImages.getSourceImages', answerDeviceImages),
  route('GET', `${VIRTUAL_ENDPOINT}/deviceImages/{id}`, 'graph.deviceImages.get', answerDeviceImages),
  route('PATCH', `${VIRTUAL_ENDPOINT}/deviceImages/{id}`, 'graph.deviceImages.update', answerDeviceImages),
  route('DELETE', `${VIRTUAL_ENDPOINT}/deviceImages/{id}`, 'graph.deviceImages.delete', answerDeviceImages),
  route('POST', `${VIRTUAL_ENDPOINT}/deviceImages/{id}/retryUpload`, 'graph.deviceImages.retryUpload', answerDeviceImages, {
    action: true,
  }),
  route('POST', `${VIRTUAL_ENDPOINT}/deviceImages/{id}/reupload`, 'graph.deviceImages.reupload', answerDeviceImages, { action: true }),
  route('GET', `${VIRTUAL_ENDPOINT}/provisioningPolicies`, 'graph.provisioningPolicies.list', answerProvisioningPolicies),
  route('GET', `${VIRTUAL_ENDPOINT}/provisioningPolicies/{id}`, 'graph.provisioningPolicies.get', answerProvisioningPolicies),
  route('PATCH', `${VIRTUAL_ENDPOINT}/provisioningPolicies/{id}`, 'graph.provisioningPolicies.update', answerProvisioningPolicies),
  route('GET', `${VIRTUAL_ENDPOINT}/cloudPCs`, 'graph.cloudPcs.list', answerCloudPcRoute),
  route('GET', '/{version}/deviceManagement/managedDeviceWindowsOSImages', 'graph.osImages.list', answerOsImages),
  route('POST', '/{version}/deviceManagement/managedDeviceWindowsOSImages', 'graph.osImages.create', answerOsImages),
  route('GET', '/{version}/deviceManagement/managedDeviceWindowsOSImages/{id}', 'graph.osImages.get', answerOsImages),
];

/**
 * A request no row takes: ARM answers 404 with the reason its first segment gives; Graph 405 for a
 * method its path does not allow, else 400 naming the first segment no row has, but for these.
 */
const UNSERVED: Unserved = {
  arm: {
    subscriptions: 'the emulator serves Microsoft.Compute images, disks and galleries, resource groups and operations',
    providers: 'the emulator serves only POST of Microsoft.ResourceGraph/resources',
  },
  graph: [
    { path: '/{version}/deviceManagement/managedDeviceWindowsOSImages/{id}/{...}', problem: 'method' },
    { path: `${VIRTUAL_ENDPOINT}/deviceImages/{id}/{action}/{...}`, problem: 'path' },
  ],
};

export type RequestKind = (typeof ROUTES)[number]['kind'] | 'unknown';

export function routeRequest(method: string, pathname: string): Route {
  return matchRoute(ROUTES, UNSERVED, method, pathname);
}
