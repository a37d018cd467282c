// The local tenant emulator: what `npm start`, `image-sync emulator` and the tests use.
export { startEmulator, type Emulator, type EmulatorOptions, type EmulatorSettings } from './startEmulator';
export { serveEmulator, type ServeEmulatorOptions, type ServedEmulator } from './serveEmulator';
export { makeCertificate, writeCertificate, type TlsCertificate, type CertificateFiles } from './certificate';
export { parseEstate, readEstateFile, EstateError } from './parseEstate';
export { sampleEstate } from './sampleEstate';
export {
  estate,
  subscription,
  resourceGroup,
  managedImage,
  deviceImage,
  provisioningPolicy,
  osImage,
  managedImageResourceId,
  gallery,
  galleryImage,
  galleryImageVersion,
  galleryImageVersionId,
  OPT_IN_TAG,
} from './estateBuilders';
export type { GalleryInput, GalleryImageInput, GalleryImageVersionInput } from './gallerySchema';
export { COPY_OF_TAG, type EmulatedDisk } from './diskStore';
export type { GalleryControls } from './galleryControls';
export type { ArmError } from './armOperations';
export type {
  Estate,
  EstateInput,
  ManagedImageInput,
  SubscriptionInput,
  ResourceGroupInput,
  DeviceImageSeedInput,
  ProvisioningPolicyInput,
  OsImageInput,
  SubscriptionAccess,
} from './estateSchema';
export type { FaultRule } from './faultRules';
export type { FaultName } from './faultInjector';
export type { TimedEdit } from './timedChanges';
export type { RecordedRequest, EarlyRetry, EarlyRetryOptions } from './requestLog';
export type { EmulatedDeviceImage } from './deviceImageRecord';
export type { DuplicateSource } from './deviceImageStore';
export type { EmulatedProvisioningPolicy } from './provisioningPolicyStore';
export type { EmulatedCloudPc, CloudPcStatus } from './cloudPcStore';
export type { ManagedImageRebuild } from './managedImageCatalogue';
export type { RequestKind } from './routes';
