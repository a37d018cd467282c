// ARM writes of DESIGN §17's copy: a managed disk from a gallery image version, a managed image from
// that disk, their deletion, and the operation status URL their long-running operations answer at.
// A PUT answers 201 (200 for an update) with provisioningState Creating (Updating) and an
// Azure-AsyncOperation header; a DELETE 202 with one, or 204 when there is nothing to delete.
import { type ArmError, type OperationHooks, renderOperation } from './armOperations';
import { ARM_HEADERS, type ArmContext, listReply, requireResourceGroup, resourceNotFound } from './armReplies';
import { parseDiskRequest, parseImageRequest } from './copyRequests';
import { type DiskRecord, renderDisk } from './diskStore';
import { regionDisplayName, regionKey } from './renderGallery';
import { parseManagedImage } from './parseEstate';
import { jsonReply, Refusal, type Reply } from './replies';
import type { IncomingRequest } from './routeHandler';

export type CopyRoute =
  /** A subscription's disks, or (with resourceGroup) one group's. */
  | { readonly kind: 'arm.disks.list'; readonly subscriptionId: string; readonly resourceGroup?: string }
  | {
      readonly kind: 'arm.disks.get' | 'arm.disks.put' | 'arm.disks.delete' | 'arm.images.put' | 'arm.images.delete';
      readonly subscriptionId: string;
      readonly resourceGroup: string;
      readonly name: string;
    }
  | { readonly kind: 'arm.operations.get'; readonly subscriptionId: string; readonly operationId: string };

/** The identity the emulator says was refused (ARM names the caller's object id). */
const CALLER_OBJECT_ID = '5f1c3a7e-0000-4000-8000-00000000c0de';

/** A status poll still in progress comes back after this (whole seconds: the SDK's poller reads 0 as "no advice"). */
const RETRY_AFTER_SECONDS = '1';

export function answerCopyRoute(route: CopyRoute, request: IncomingRequest, apiVersion: string, context: ArmContext): Reply {
  const { tenant, origin } = context;
  if (route.kind === 'arm.operations.get') {
    const operation = tenant.operations.poll(route.operationId);
    if (operation === undefined)
      throw new Refusal(
        404,
        'NotFound',
        `The operation '${route.operationId}' was not found (the emulator keeps its operations while it runs).`,
      );
    const retry: Record<string, string> = operation.status === 'InProgress' ? { 'Retry-After': RETRY_AFTER_SECONDS } : {};
    return jsonReply(200, renderOperation(operation), { ...ARM_HEADERS, ...retry });
  }
  if (route.kind === 'arm.disks.list') {
    if (route.resourceGroup !== undefined) requireResourceGroup(tenant.catalogue, route.subscriptionId, route.resourceGroup);
    return listReply(
      tenant.disks.list(route.subscriptionId, route.resourceGroup ?? null).map(renderDisk),
      request.url,
      apiVersion,
      context,
    );
  }
  requireResourceGroup(tenant.catalogue, route.subscriptionId, route.resourceGroup);
  const group = tenant.catalogue.resourceGroup(route.subscriptionId, route.resourceGroup);
  const subscriptionId = tenant.catalogue.subscription(route.subscriptionId)?.id ?? route.subscriptionId;
  const groupName = group?.name ?? route.resourceGroup;
  const type = route.kind.startsWith('arm.disks.') ? 'disks' : 'images';
  const resourceId = `/subscriptions/${subscriptionId}/resourceGroups/${groupName}/providers/Microsoft.Compute/${type}/${route.name}`;
  if (route.kind === 'arm.disks.get') {
    const disk = tenant.disks.get(route.subscriptionId, route.resourceGroup, route.name);
    if (disk === undefined) throw resourceNotFound('Microsoft.Compute/disks', route.name, route.resourceGroup);
    return jsonReply(200, renderDisk(disk), ARM_HEADERS);
  }
  if (group?.refusesWrites === true) {
    const action = route.kind.endsWith('.put') ? 'write' : 'delete';
    throw new Refusal(
      403,
      'AuthorizationFailed',
      `The client '${CALLER_OBJECT_ID}' with object id '${CALLER_OBJECT_ID}' does not have authorization to perform action 'Microsoft.Compute/${type}/${action}' over scope '${resourceId}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    );
  }
  const asyncHeaders = (operationId: string, location: string) => ({
    ...ARM_HEADERS,
    'Azure-AsyncOperation': `${origin}/subscriptions/${subscriptionId}/providers/Microsoft.Compute/locations/${regionKey(location)}/operations/${operationId}?api-version=${encodeURIComponent(apiVersion)}`,
  });
  switch (route.kind) {
    case 'arm.disks.put': {
      const body = parseDiskRequest(request.body);
      const existing = tenant.disks.get(route.subscriptionId, route.resourceGroup, route.name);
      if (existing !== undefined && existing.sourceVersionId.toLowerCase() !== body.sourceVersionId.toLowerCase())
        throw new Refusal(409, 'PropertyChangeNotAllowed', "Changing property 'creationData.galleryImageReference.id' is not allowed.");
      const version = tenant.galleries.findVersion(body.sourceVersionId);
      if (version === undefined) throw versionNotFound(body.sourceVersionId);
      if (!version.targetRegions.some((region) => regionKey(region) === regionKey(body.location)))
        throw new Refusal(
          400,
          'InvalidParameter',
          `The gallery image version '${body.sourceVersionId}' is not available in region '${body.location}': it is replicated to ${version.targetRegions.map(regionDisplayName).join(', ')}. Replicate the version to the region, or create the disk in one of those regions. Target: 'creationData.galleryImageReference.id'.`,
        );
      const now = tenant.clock.now();
      const disk: DiskRecord = {
        subscriptionId,
        resourceGroup: groupName,
        name: existing?.name ?? route.name,
        id: existing?.id ?? resourceId,
        location: body.location,
        tags: body.tags,
        sourceVersionId: body.sourceVersionId,
        provisioningState: existing?.provisioningState === 'Succeeded' ? 'Updating' : 'Creating',
        timeCreated: existing?.timeCreated ?? now,
        sizeGB: version.spec.osDiskSizeGB,
        osType: version.image.spec.osType,
        hyperVGeneration: version.image.spec.hyperVGeneration,
        reportedOs: version.spec.reportedOs,
        upload: version.spec.upload,
      };
      tenant.disks.put(disk);
      if (existing === undefined) tenant.disks.recordCreated('disk', disk.id, disk.tags, now);
      tenant.operations.supersede(disk.id);
      const operation = tenant.operations.start(route.kind, disk.id, {
        finish: () => {
          if (tenant.galleries.findVersion(disk.sourceVersionId) === undefined) return versionGone(disk.sourceVersionId);
          disk.provisioningState = 'Succeeded';
          return null;
        },
        fail: () => {
          disk.provisioningState = 'Failed';
        },
      });
      return jsonReply(existing === undefined ? 201 : 200, renderDisk(disk), asyncHeaders(operation.id, disk.location));
    }
    case 'arm.images.put': {
      const body = parseImageRequest(request.body);
      const disk = tenant.disks.find(body.diskId);
      if (disk === undefined)
        throw new Refusal(
          404,
          'NotFound',
          `The managed disk '${body.diskId}' was not found. Target: 'storageProfile.osDisk.managedDisk.id'.`,
        );
      if (disk.provisioningState !== 'Succeeded')
        throw new Refusal(
          409,
          'OperationNotAllowed',
          `The managed disk '${body.diskId}' is in provisioning state '${disk.provisioningState}'; an image can be created only from a disk whose provisioning succeeded.`,
        );
      if (regionKey(disk.location) !== regionKey(body.location))
        throw new Refusal(
          400,
          'InvalidParameter',
          `The managed disk '${body.diskId}' is in region '${disk.location}'; the image must be created in the same region (asked: '${body.location}').`,
        );
      const existing = tenant.catalogue.image(route.subscriptionId, route.resourceGroup, route.name);
      const spec = parseManagedImage({
        name: existing?.spec.name ?? route.name,
        location: body.location,
        tags: body.tags ?? {},
        provisioningState: existing === undefined ? 'Creating' : 'Updating',
        hyperVGeneration: body.hyperVGeneration,
        osType: body.osType,
        osState: body.osState,
        osDiskSizeGB: disk.sizeGB,
        sourceVirtualMachine: null,
        reportedOs: disk.reportedOs,
        ...(disk.upload === undefined ? {} : { upload: disk.upload }),
        armOverrides: { properties: { storageProfile: { osDisk: { managedDisk: { id: disk.id } } } } },
      });
      const record = tenant.catalogue.put(subscriptionId, groupName, spec);
      if (existing === undefined) tenant.disks.recordCreated('image', record.resourceId, body.tags, tenant.clock.now());
      tenant.operations.supersede(record.resourceId);
      const settle = (provisioningState: string) => () => {
        tenant.catalogue.put(subscriptionId, groupName, { ...spec, provisioningState });
        return null;
      };
      const operation = tenant.operations.start(route.kind, record.resourceId, {
        finish: settle('Succeeded'),
        fail: () => void settle('Failed')(),
      });
      return jsonReply(existing === undefined ? 201 : 200, record.json, asyncHeaders(operation.id, spec.location));
    }
    case 'arm.disks.delete': {
      const disk = tenant.disks.get(route.subscriptionId, route.resourceGroup, route.name);
      if (disk === undefined) return { status: 204, headers: ARM_HEADERS };
      return startDelete(context, route.kind, disk.id, disk.location, () => tenant.disks.remove(disk), asyncHeaders);
    }
    case 'arm.images.delete': {
      const image = tenant.catalogue.image(route.subscriptionId, route.resourceGroup, route.name);
      if (image === undefined) return { status: 204, headers: ARM_HEADERS };
      return startDelete(
        context,
        route.kind,
        image.resourceId,
        image.spec.location,
        () => tenant.catalogue.remove(image.resourceId),
        asyncHeaders,
      );
    }
  }
}

/** A DELETE: the resource goes at once (unless the failure knob fails it, then it stays); the operation reports the end. */
function startDelete(
  context: ArmContext,
  kind: string,
  resourceId: string,
  location: string,
  remove: () => unknown,
  asyncHeaders: (operationId: string, location: string) => Record<string, string>,
): Reply {
  const hooks: OperationHooks = { finish: () => null, fail: () => undefined };
  context.tenant.operations.supersede(resourceId);
  const operation = context.tenant.operations.start(kind, resourceId, hooks);
  if (operation.armedError === null) remove();
  return { status: 202, headers: asyncHeaders(operation.id, location) };
}

function versionNotFound(id: string): Refusal {
  return new Refusal(404, 'NotFound', `The gallery image version '${id}' was not found. Target: 'creationData.galleryImageReference.id'.`);
}

function versionGone(id: string): ArmError {
  return { code: 'NotFound', message: `The gallery image version '${id}' was not found: it was deleted while the disk was being created.` };
}
