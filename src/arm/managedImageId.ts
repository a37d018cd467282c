// The one definition of a managed-image id, used before an id reaches a URL, a filter or a message.

export const MANAGED_IMAGE_ID =
  /^\/subscriptions\/([0-9a-fA-F-]{36})\/resourceGroups\/([-\w._()]{1,90})\/providers\/Microsoft\.Compute\/images\/([-\w._]{1,80})$/i;

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
