// The emulator's programmatic knobs for Cloud PCs (docs/emulator.md, "Cloud PCs"): each acts from
// the clock's now, so the arrivals due before it are made first.
import type { CloudPcStatus, EmulatedCloudPc } from './cloudPcStore';
import type { EmulatedTenant } from './tenant';

export interface CloudPcControls {
  /** Every Cloud PC, with its status at the clock's now. */
  cloudPcs(): EmulatedCloudPc[];
  /** A Cloud PC that exists already (before a rollout), in the status given (default provisioned); returns its id. */
  putCloudPc(policyId: string, status?: CloudPcStatus): string;
  /**
   * Users get `count` new Cloud PCs of the policy, on the image it gives new Cloud PCs now:
   * `provisioning` for `seconds` (default 60) on the emulator's clock, then provisioned or failed.
   */
  provisionCloudPcs(policyId: string, count: number, seconds?: number): string[];
  /**
   * Users get a new Cloud PC of the policy every `everySeconds` on the emulator's clock, each on the
   * image the policy gives new Cloud PCs when it arrives, `provisioning` for `seconds` (default 60).
   */
  arriveCloudPcs(policyId: string, everySeconds: number, seconds?: number): void;
  stopCloudPcArrivals(policyId: string): void;
  /** Cloud PCs provisioned on this device image from now on fail: all of them, or the next `count`. */
  failCloudPcsOn(imageId: string, count?: number): void;
  clearCloudPcFailures(): void;
}

export function createCloudPcControls(tenant: EmulatedTenant): CloudPcControls & { readonly catchUp: () => void } {
  const catchUp = () =>
    tenant.cloudPcs.catchUp((policyId) =>
      tenant.provisioningPolicies.list().find((policy) => policy.id.toLowerCase() === policyId.toLowerCase()),
    );
  return {
    catchUp,
    cloudPcs: () => {
      catchUp();
      return tenant.cloudPcs.list();
    },
    putCloudPc: (policyId, status = 'provisioned') => tenant.cloudPcs.seed(tenant.provisioningPolicies.require(policyId), status),
    provisionCloudPcs: (policyId, count, seconds = 60) => {
      catchUp();
      return tenant.cloudPcs.provision(tenant.provisioningPolicies.require(policyId), count, seconds);
    },
    arriveCloudPcs: (policyId, everySeconds, seconds = 60) => {
      tenant.provisioningPolicies.require(policyId);
      catchUp();
      tenant.cloudPcs.arrive(policyId, everySeconds, seconds);
    },
    stopCloudPcArrivals: (policyId) => {
      catchUp();
      tenant.cloudPcs.stopArrivals(policyId);
    },
    failCloudPcsOn: (imageId, count) => {
      catchUp();
      tenant.cloudPcs.failOn(imageId, count);
    },
    clearCloudPcFailures: () => {
      catchUp();
      tenant.cloudPcs.clearFailures();
    },
  };
}
