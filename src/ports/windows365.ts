// Microsoft Graph as the steps see it: device images, provisioning policies and their Cloud PCs, and
// Intune's Windows release catalogue.
import type { CloudPc, DeviceImage, DeviceImageRequest, ProvisioningPolicy, WindowsRelease } from '../domain';

export interface DeviceImageApi {
  /** Every device image in the tenant, all pages. */
  list(): Promise<DeviceImage[]>;
  /** null when Graph answers 404. */
  get(deviceImageId: string): Promise<DeviceImage | null>;
  /** Resent only after a 429 (never processed). Throws AmbiguousOutcomeError when it may have been created. */
  create(request: DeviceImageRequest): Promise<DeviceImage>;
  /** beta `retryUpload`. */
  retryUpload(deviceImageId: string): Promise<void>;
  /**
   * Deletes a device image: 'deleted', or 'absent' when Graph no longer has it (deleted already).
   * Throws DeviceImageInUseError when Graph refuses because a provisioning policy uses it.
   */
  delete(deviceImageId: string): Promise<'deleted' | 'absent'>;
  /**
   * `getSourceImages`: the resource ids of the managed images (and, gallery sources on, the gallery
   * versions) Windows 365 itself can read; with `wanted`, only the ids it accepts are kept (the others
   * go with their page: the answer lists every image Windows 365 can read, tagged or not).
   */
  listSourceImageIds(wanted?: (resourceId: string) => boolean): Promise<string[]>;
  /** Every provisioning policy of the tenant, all pages. */
  listProvisioningPolicies(): Promise<ProvisioningPolicy[]>;
  /** One provisioning policy as it is now (read right before a PATCH); null when Graph answers 404. */
  getProvisioningPolicy(policyId: string): Promise<ProvisioningPolicy | null>;
  /** PATCHes the image a provisioning policy gives new Cloud PCs (existing Cloud PCs keep theirs). */
  pointPolicyAt(policyId: string, image: PolicyImage): Promise<void>;
  /** beta `cloudPCs` of one provisioning policy, all pages (the rollout gate's evidence, DESIGN §18). */
  listCloudPcs(policyId: string): Promise<CloudPc[]>;
}

/** Intune's Windows release catalogue (beta `managedDeviceWindowsOSImages`, DESIGN §16). */
export interface WindowsReleaseCatalogue {
  /** Every release, all pages. Throws ForbiddenError without DeviceManagementConfiguration.Read.All. */
  list(): Promise<WindowsRelease[]>;
}

/** The image a provisioning policy is pointed at. */
export interface PolicyImage {
  readonly imageId: string;
  readonly imageDisplayName: string | null;
  /** `custom` for a device image; `gallery` when a rollback restores a gallery image. */
  readonly imageType: string;
}
