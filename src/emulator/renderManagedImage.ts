// A managed image as ARM serves it (`properties` nested, as on the wire), with the estate's raw
// overrides applied so tests can serve odd data. A build (an in-place rebuild) shows in the ids of
// the OS disk and source VM, as a new capture's would.
import { managedImageResourceId } from './estateBuilders';
import type { ManagedImageSpec } from './estateSchema';

export type JsonObject = { [key: string]: unknown };

export function renderManagedImage(subscriptionId: string, resourceGroupName: string, spec: ManagedImageSpec): JsonObject {
  const id = managedImageResourceId(subscriptionId, resourceGroupName, spec.name);
  const group = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}`;
  const buildSuffix = spec.build === null ? '' : `-${spec.build}`;
  const dataDisks = Array.from({ length: spec.dataDisks }, (_, lun) => ({
    lun,
    diskSizeGB: 128,
    managedDisk: { id: `${group}/providers/Microsoft.Compute/disks/${spec.name}-data-${lun}` },
    caching: 'None',
    storageAccountType: 'Premium_LRS',
  }));
  const properties: JsonObject = {
    provisioningState: spec.provisioningState,
    hyperVGeneration: spec.hyperVGeneration,
    storageProfile: {
      osDisk: {
        osType: spec.osType,
        osState: spec.osState,
        diskSizeGB: spec.osDiskSizeGB,
        managedDisk: { id: `${group}/providers/Microsoft.Compute/disks/${spec.name}-os${buildSuffix}` },
        caching: 'ReadWrite',
        storageAccountType: 'Premium_LRS',
        diskEncryptionSet: spec.diskEncryptionSet === null ? null : { id: spec.diskEncryptionSet },
      },
      dataDisks,
      zoneResilient: false,
    },
  };
  if (spec.sourceVirtualMachine !== null) {
    properties['sourceVirtualMachine'] = {
      id: `${group}/providers/Microsoft.Compute/virtualMachines/${spec.sourceVirtualMachine}${buildSuffix}`,
    };
  }
  const image: JsonObject = {
    id,
    name: spec.name,
    type: 'Microsoft.Compute/images',
    location: spec.location,
    tags: spec.tags,
    properties,
  };
  const merged = spec.armOverrides === undefined ? image : mergeJson(image, spec.armOverrides);
  for (const path of spec.armOmit ?? []) omitPath(merged, path.split('.'));
  return merged;
}

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergeJson(base: JsonObject, overrides: JsonObject): JsonObject {
  const merged: JsonObject = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = merged[key];
    merged[key] = isJsonObject(current) && isJsonObject(value) ? mergeJson(current, value) : value;
  }
  return merged;
}

function omitPath(target: JsonObject, path: readonly string[]): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    delete target[head];
    return;
  }
  const next = target[head];
  if (isJsonObject(next)) {
    const copy = { ...next };
    target[head] = copy;
    omitPath(copy, rest);
  }
}
