// Request bodies of the deviceImages calls, checked as Graph checks them: required properties,
// formats, and no properties the type does not have.
import { deviceImageProperties } from './deviceImageRecord';
import type { DeviceImageChanges, NewDeviceImage } from './deviceImageStore';
import { Refusal } from './replies';
import type { GraphVersion } from './graphVersion';

const VERSION = /^\d+\.\d+\.\d+$/;
const MANAGED_IMAGE_ID =
  /^\/subscriptions\/[0-9a-fA-F-]{36}\/resourceGroups\/[-\w._()]{1,90}\/providers\/Microsoft\.Compute\/images\/[-\w._]{1,80}$/i;

export function jsonBody(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Refusal(400, 'BadRequest', 'The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Refusal(400, 'BadRequest', 'The request body must be a JSON object.');
  }
  return { ...parsed };
}

const GALLERY_VERSION_ID =
  /^\/subscriptions\/[0-9a-fA-F-]{36}\/resourceGroups\/[-\w._()]{1,90}\/providers\/Microsoft\.Compute\/galleries\/[\w.]{1,80}\/images\/[-\w.]{1,80}\/versions\/\d+\.\d+\.\d+$/i;

/**
 * Graph's refusal of an Azure Compute Gallery image version as a source, in a tenant that does not
 * take them (estate `graph.galleryDirect: false`): the create documentation still describes a managed
 * image id. The one place these words live (docs/emulator.md quotes them).
 */
export function gallerySourceRefused(sourceImageResourceId: string): Refusal {
  return new Refusal(
    400,
    'BadRequest',
    `Invalid value for property 'sourceImageResourceId': '${sourceImageResourceId}' is an Azure Compute Gallery image version, which is not supported as a source image; the source image resource id must be a managed image (/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.Compute/images/{name}).`,
  );
}

export function isGalleryImageVersionId(resourceId: string): boolean {
  return GALLERY_VERSION_ID.test(resourceId);
}

export function parseNewDeviceImage(
  text: string,
  graphVersion: GraphVersion,
  options: { readonly galleryDirect: boolean },
): NewDeviceImage {
  const body = jsonBody(text);
  rejectUnknownProperties(body, graphVersion);
  const displayName = requiredText(body, 'displayName');
  const version = requiredText(body, 'version');
  const sourceImageResourceId = requiredText(body, 'sourceImageResourceId');
  requireVersion(version);
  if (isGalleryImageVersionId(sourceImageResourceId)) {
    if (!options.galleryDirect) throw gallerySourceRefused(sourceImageResourceId);
  } else if (!MANAGED_IMAGE_ID.test(sourceImageResourceId)) {
    throw new Refusal(
      400,
      'BadRequest',
      `Invalid value for property 'sourceImageResourceId': '${sourceImageResourceId}' is not a managed image id (/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.Compute/images/{name}).`,
    );
  }
  for (const name of ['operatingSystem', 'osBuildNumber']) optionalText(body, name);
  return { displayName, version, sourceImageResourceId };
}

export function parseDeviceImageChanges(text: string, graphVersion: GraphVersion): DeviceImageChanges {
  const body = jsonBody(text);
  rejectUnknownProperties(body, graphVersion);
  const readOnly = Object.keys(body).filter((name) => name !== 'displayName' && name !== 'version' && name !== '@odata.type');
  if (readOnly[0] !== undefined) throw new Refusal(400, 'BadRequest', `The property '${readOnly[0]}' is read-only and cannot be updated.`);
  const displayName = optionalText(body, 'displayName');
  const version = optionalText(body, 'version');
  if (version !== undefined) requireVersion(version);
  return { ...(displayName === undefined ? {} : { displayName }), ...(version === undefined ? {} : { version }) };
}

/** The beta-only property (scopeIds) does not exist on v1.0's type (osVersionNumber and sizeInGB do since March 2026). */
function rejectUnknownProperties(body: Record<string, unknown>, graphVersion: GraphVersion): void {
  const known = new Set(['@odata.type', ...deviceImageProperties(graphVersion, 'both')]);
  const unknown = Object.keys(body).find((name) => !known.has(name));
  if (unknown !== undefined) {
    throw new Refusal(
      400,
      'BadRequest',
      `The property '${unknown}' does not exist on type 'microsoft.graph.cloudPcDeviceImage'. Make sure to only use property names that are defined by the type.`,
    );
  }
}

function requiredText(body: Record<string, unknown>, name: string): string {
  const value = optionalText(body, name);
  if (value === undefined || value.trim() === '') throw new Refusal(400, 'BadRequest', `The property '${name}' is required.`);
  return value;
}

function optionalText(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new Refusal(400, 'BadRequest', `Invalid value for property '${name}': expected a string.`);
  return value;
}

function requireVersion(version: string): void {
  if (!VERSION.test(version)) {
    throw new Refusal(400, 'BadRequest', `Invalid value for property 'version': '${version}' is not MAJOR.MINOR.PATCH (such as 1.2.0).`);
  }
}
