// The one definition of a managed-image id, used before an id reaches a URL, a filter or a message
// (queue messages, events, the register command, ARM listings, eligibility).
//
// It is the contract's pattern (shared/contract/messages.schema.json; literal segments in any
// casing), except that a resource group or image name may not end with a period, as Azure's naming
// rules say. That leaves out `.` and `..`, which a URL would read as path segments: an id is always
// one image's own path, never another.

export const MANAGED_IMAGE_ID =
  /^\/subscriptions\/([0-9a-fA-F-]{36})\/resourceGroups\/([-\w._()]{0,89}[-\w()])\/providers\/Microsoft\.Compute\/images\/([-\w._]{0,79}[-\w])$/i;

export interface ManagedImageId {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
}

/** Parses a managed-image ARM id; null when it is anything else (another type, extra segments, odd characters). */
export function parseManagedImageId(id: string): ManagedImageId | null {
  const match = MANAGED_IMAGE_ID.exec(id);
  if (match === null) return null;
  const [, subscriptionId, resourceGroup, name] = match;
  if (subscriptionId === undefined || resourceGroup === undefined || name === undefined) return null;
  return { subscriptionId, resourceGroup, name };
}

export function isManagedImageId(id: string): boolean {
  return MANAGED_IMAGE_ID.test(id);
}
