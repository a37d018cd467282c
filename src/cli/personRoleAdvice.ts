// A person signed in with `image-sync login` who was refused: which role they lack and how to get
// it (DESIGN §19; docs/permissions.md, "People at the command line").
import { GraphError } from '@microsoft/microsoft-graph-client';
import type { DeviceImageRequest } from '../domain';
import { ForbiddenError } from '../errors';
import type { DeviceImageApi, PolicyImage } from '../ports';

export type RefusingService = 'graph' | 'storage' | 'arm';

/** The service that refused, from the error's cause chain (classified errors keep the SDK's error as cause). */
export function refusingService(error: ForbiddenError): RefusingService {
  let current: unknown = error;
  for (let depth = 0; depth < 8 && current instanceof Error; depth += 1) {
    if (current instanceof GraphError) return 'graph';
    if (/\bstorage answered\b/.test(current.message)) return 'storage';
    current = current.cause;
  }
  return 'arm';
}

export function personRoleAdvice(error: ForbiddenError, username: string): string {
  switch (refusingService(error)) {
    case 'graph':
      return `${username} needs the Microsoft Entra role Windows 365 Administrator or Intune Administrator (a Privileged Role Administrator assigns it: Entra admin center > Roles & admins; with PIM, activate it first), and the registration in IMAGE_SYNC_CLIENT_ID needs admin consent to CloudPC.ReadWrite.All and DeviceManagementConfiguration.Read.All (docs/permissions.md, section 5)`;
    case 'storage':
      return `${username} needs the storage data role docs/permissions.md lists for this command (e.g. Storage Table Data Reader on the ledger table for status; Storage Table Data Contributor for prune and rollback): az role assignment create --assignee ${username} --role "<role>" --scope <table or queue id>`;
    case 'arm':
      return `${username} needs Reader on the scanned subscriptions (or the images' resource groups): az role assignment create --assignee ${username} --role Reader --scope /subscriptions/<id>`;
  }
}

export function isRefusal(error: unknown): error is ForbiddenError {
  return error instanceof ForbiddenError && error.status === 403;
}

/** The refusal again, with the role the person lacks after its message (the cause chain kept). */
export function adviseRefusal(error: ForbiddenError, username: string): ForbiddenError {
  const advice = personRoleAdvice(error, username);
  if (error.message.includes(advice)) return error;
  return new ForbiddenError({ message: `${error.message.replace(/\.$/, '')}. ${advice}`, status: 403, code: error.code, cause: error });
}

/**
 * Graph as a person sees it: every refusal names the role. Refusals of reads become recorded
 * problems (`graph-forbidden`) rather than failures, so the words must be in the error itself.
 */
export function withPersonRoleAdvice(api: DeviceImageApi, username: string): DeviceImageApi {
  const advised =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await call(...args);
      } catch (error) {
        throw isRefusal(error) ? adviseRefusal(error, username) : error;
      }
    };
  return {
    list: advised(() => api.list()),
    get: advised((deviceImageId: string) => api.get(deviceImageId)),
    create: advised((request: DeviceImageRequest) => api.create(request)),
    retryUpload: advised((deviceImageId: string) => api.retryUpload(deviceImageId)),
    delete: advised((deviceImageId: string) => api.delete(deviceImageId)),
    listSourceImageIds: advised((wanted?: (resourceId: string) => boolean) => api.listSourceImageIds(wanted)),
    listProvisioningPolicies: advised(() => api.listProvisioningPolicies()),
    getProvisioningPolicy: advised((policyId: string) => api.getProvisioningPolicy(policyId)),
    pointPolicyAt: advised((policyId: string, image: PolicyImage) => api.pointPolicyAt(policyId, image)),
    listCloudPcs: advised((policyId: string) => api.listCloudPcs(policyId)),
  };
}
