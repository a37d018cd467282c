// The emulator's route table: which kind (and values) a method and path get, and how a request no
// row takes is refused. Pure: no server.
import { describe, expect, it } from 'vitest';
import { ROUTES, routeRequest } from '../../../src/emulator/routes';
import type { Route } from '../../../src/emulator/routeMatch';

const GROUP = '/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/Images-RG';
const DEVICE_IMAGES = '/beta/deviceManagement/virtualEndpoint/deviceImages';

function served(route: Route): { kind: string; values: Readonly<Record<string, string>>; service: string; graphVersion: string | null } {
  if (!route.served) throw new Error(`not served: ${route.reason}`);
  return { kind: route.kind, values: route.values, service: route.service, graphVersion: route.graphVersion };
}

describe('routeRequest', () => {
  it('gives each served request its kind and the values its pattern names, literals compared case-insensitively', () => {
    expect(served(routeRequest('GET', `${GROUP}/providers/microsoft.compute/IMAGES/Win11`))).toEqual({
      kind: 'arm.images.get',
      values: {
        kind: 'arm.images.get',
        subscriptionId: '11111111-1111-4111-8111-111111111111',
        resourceGroup: 'Images-RG',
        name: 'Win11',
      },
      service: 'arm',
      graphVersion: null,
    });
    expect(served(routeRequest('GET', `${GROUP}/providers/Microsoft.Compute/galleries/g/images/def/versions/1.2.3`)).values).toMatchObject({
      gallery: 'g',
      image: 'def',
      versionName: '1.2.3',
    });
    expect(served(routeRequest('POST', '/providers/Microsoft.ResourceGraph/resources')).kind).toBe('resourceGraph.resources');
    expect(served(routeRequest('POST', '/BETA/deviceManagement/virtualEndpoint/deviceImages/abc/retryUpload'))).toEqual({
      kind: 'graph.deviceImages.retryUpload',
      values: { kind: 'graph.deviceImages.retryUpload', version: 'beta', id: 'abc' },
      service: 'graph',
      graphVersion: 'beta',
    });
  });

  it('counts a list at either scope as one kind, the subscription scope naming no resource group', () => {
    const bySubscription = served(routeRequest('GET', '/subscriptions/s/providers/Microsoft.Compute/disks'));
    const byGroup = served(routeRequest('GET', `${GROUP}/providers/Microsoft.Compute/disks`));
    expect([bySubscription.kind, byGroup.kind]).toEqual(['arm.disks.list', 'arm.disks.list']);
    expect(bySubscription.values).not.toHaveProperty('resourceGroup');
    expect(byGroup.values).toHaveProperty('resourceGroup', 'Images-RG');
  });

  it('lets a literal segment win over an id: getSourceImages is not a device image, and only GET reaches it', () => {
    expect(served(routeRequest('GET', `${DEVICE_IMAGES}/getSourceImages`)).kind).toBe('graph.deviceImages.getSourceImages');
    expect(routeRequest('PATCH', `${DEVICE_IMAGES}/getSourceImages`)).toMatchObject({
      kind: 'unknown',
      service: 'graph',
      problem: 'method',
    });
    expect(served(routeRequest('PATCH', `${DEVICE_IMAGES}/other`)).kind).toBe('graph.deviceImages.update');
  });

  it('refuses what no row takes as each service does', () => {
    expect(routeRequest('POST', `${GROUP}/providers/Microsoft.Compute/images`)).toMatchObject({
      kind: 'unknown',
      service: 'arm',
      problem: 'path',
      reason: 'the emulator serves Microsoft.Compute images, disks and galleries, resource groups and operations',
    });
    expect(routeRequest('GET', '/providers/Microsoft.ResourceGraph/resources')).toMatchObject({
      service: 'arm',
      reason: 'the emulator serves only POST of Microsoft.ResourceGraph/resources',
    });
    expect(routeRequest('GET', '/v2.0/me')).toMatchObject({ service: 'unknown', reason: 'neither an ARM nor a Graph path' });
    expect(routeRequest('GET', '/beta/%zz')).toMatchObject({ service: 'unknown', reason: 'the path is not valid URL encoding' });
    // Graph: 405 for a method the path does not allow, else the first segment no row has.
    expect(routeRequest('PUT', DEVICE_IMAGES)).toMatchObject({ service: 'graph', problem: 'method' });
    expect(routeRequest('GET', '/beta/deviceManagement/virtualEndpoint/cloudPCs/x/y')).toMatchObject({
      problem: 'path',
      graphSegment: 'x',
    });
    expect(routeRequest('GET', '/v1.0/deviceManagement/virtualEndpoint')).toMatchObject({
      problem: 'path',
      graphSegment: 'virtualEndpoint',
    });
    expect(routeRequest('GET', `${DEVICE_IMAGES}/abc/retryUpload`)).toMatchObject({ problem: 'path', graphSegment: 'retryUpload' });
    expect(routeRequest('POST', `${DEVICE_IMAGES}/abc/other`)).toMatchObject({ problem: 'path', graphSegment: 'other' });
    // The two exceptions UNSERVED lists.
    expect(routeRequest('POST', `${DEVICE_IMAGES}/abc/other/more`)).toMatchObject({ problem: 'path', graphSegment: 'more' });
    expect(routeRequest('GET', '/beta/deviceManagement/managedDeviceWindowsOSImages/os/x')).toMatchObject({ problem: 'method' });
  });

  it('lists every row with a method, a pattern and a handler; a method and pattern appear once', () => {
    const keys = ROUTES.map((row) => `${row.method} ${row.path.toLowerCase()}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const row of ROUTES) expect(typeof row.answer).toBe('function');
    expect(new Set(ROUTES.map((row) => row.kind)).size).toBe(33);
  });
});
