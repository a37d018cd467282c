// The emulated tenant built from an estate: ARM's managed images, Graph's device images,
// provisioning policies and OS catalogue, sharing one clock.
import type { Clock } from '../domain';
import { CloudPcStore } from './cloudPcStore';
import { deviceImageStatus } from './deviceImageRecord';
import { DeviceImageStore } from './deviceImageStore';
import { OperationStore } from './armOperations';
import { DiskStore } from './diskStore';
import type { Estate } from './estateSchema';
import { GalleryCatalogue } from './galleryCatalogue';
import { ManagedImageCatalogue } from './managedImageCatalogue';
import { OsImageCatalogue } from './osImageCatalogue';
import { ProvisioningPolicyStore } from './provisioningPolicyStore';
import { randomGuid, type RandomSource } from './randomSource';

export interface EmulatedTenant {
  readonly estate: Estate;
  readonly clock: Clock;
  readonly catalogue: ManagedImageCatalogue;
  readonly galleries: GalleryCatalogue;
  readonly disks: DiskStore;
  readonly operations: OperationStore;
  /** Source image ids (lower-cased) getSourceImages leaves out, whatever else holds. */
  readonly hiddenSourceImages: Set<string>;
  readonly deviceImages: DeviceImageStore;
  readonly provisioningPolicies: ProvisioningPolicyStore;
  readonly osImages: OsImageCatalogue;
  readonly cloudPcs: CloudPcStore;
}

export function createTenant(estate: Estate, clock: Clock, random: RandomSource): EmulatedTenant {
  const catalogue = new ManagedImageCatalogue(estate);
  const galleries = new GalleryCatalogue(estate, catalogue);
  const deviceImages: DeviceImageStore = new DeviceImageStore({
    clock,
    newId: () => randomGuid(random),
    uploadSourceOf: (sourceImageResourceId) => {
      const image = catalogue.find(sourceImageResourceId);
      const version = image === undefined ? galleries.findVersion(sourceImageResourceId) : undefined;
      const subscriptionId = image?.subscriptionId ?? version?.image.gallery.subscriptionId;
      const subscription = subscriptionId === undefined ? undefined : catalogue.subscription(subscriptionId);
      const spec = image?.spec ?? (version === undefined ? undefined : galleries.uploadSpecOf(version));
      return { spec, windows365CanRead: subscription?.windows365CanRead ?? false };
    },
    uploadSeconds: estate.uploadSeconds,
    maxDeviceImages: estate.graph.maxDeviceImages,
    duplicateStatus: estate.graph.duplicateStatus,
    policiesUsing: (deviceImageId) => provisioningPolicies.using(deviceImageId).map((policy) => policy.displayName),
  });
  const provisioningPolicies: ProvisioningPolicyStore = new ProvisioningPolicyStore({
    newId: () => randomGuid(random),
    deviceImageStatus: (deviceImageId) => {
      const record = deviceImages.get(deviceImageId);
      return record === undefined ? null : deviceImageStatus(record, clock.now());
    },
  });
  for (const seed of estate.deviceImages) deviceImages.seed(seed);
  for (const seed of estate.provisioningPolicies) provisioningPolicies.put(seed);
  const cloudPcs = new CloudPcStore(clock, () => randomGuid(random));
  for (const seed of estate.cloudPcs)
    for (let made = 0; made < seed.count; made++) cloudPcs.seed(provisioningPolicies.require(seed.policyId), seed.status);
  for (const arrivals of estate.cloudPcArrivals) cloudPcs.arrive(arrivals.policyId, arrivals.everySeconds, arrivals.provisionSeconds);
  return {
    estate,
    clock,
    catalogue,
    galleries,
    disks: new DiskStore(),
    operations: new OperationStore(clock, { pollsToFinish: estate.arm.operationPolls, secondsToFinish: estate.arm.operationSeconds }),
    hiddenSourceImages: new Set(),
    deviceImages,
    provisioningPolicies,
    osImages: new OsImageCatalogue(estate.osImages),
    cloudPcs,
  };
}
