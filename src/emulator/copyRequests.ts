// Request bodies of the copy's PUTs, checked as ARM checks them (a missing location or source is a
// 400 naming the property): a disk FromImage of a gallery image version, an image from a disk.
import { Refusal } from './replies';

export interface DiskRequest {
  readonly location: string;
  readonly tags: Record<string, string> | null;
  readonly sourceVersionId: string;
}

export interface ImageRequest {
  readonly location: string;
  readonly tags: Record<string, string> | null;
  readonly diskId: string;
  readonly osType: string;
  readonly osState: string;
  /** ARM makes a V1 image when the request names no generation. */
  readonly hyperVGeneration: string;
}

type Json = Record<string, unknown>;

function object(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function parse(text: string): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Refusal(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
  }
  const body = object(parsed);
  if (body === undefined) throw new Refusal(400, 'InvalidRequestContent', 'The request content must be a JSON object.');
  return body;
}

function text(value: unknown, property: string): string {
  if (typeof value === 'string' && value.trim() !== '') return value;
  throw new Refusal(400, 'InvalidParameter', `Required parameter '${property}' is missing (null).`);
}

function locationOf(body: Json): string {
  if (typeof body['location'] === 'string' && body['location'].trim() !== '') return body['location'];
  throw new Refusal(400, 'LocationRequired', 'The location property is required for this definition.');
}

function tagsOf(body: Json): Record<string, string> | null {
  const tags = object(body['tags']);
  if (tags === undefined) return null;
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(tags)) {
    if (typeof value !== 'string') throw new Refusal(400, 'InvalidRequestContent', `The tag '${name}' must have a string value.`);
    result[name] = value;
  }
  return result;
}

export function parseDiskRequest(textBody: string): DiskRequest {
  const body = parse(textBody);
  const location = locationOf(body);
  const creationData = object(object(body['properties'])?.['creationData']);
  const createOption = text(creationData?.['createOption'], 'properties.creationData.createOption');
  if (createOption.toLowerCase() !== 'fromimage')
    throw new Refusal(
      400,
      'InvalidParameter',
      `The emulator creates disks only with createOption FromImage of a gallery image version (asked: '${createOption}').`,
    );
  const sourceVersionId = text(object(creationData?.['galleryImageReference'])?.['id'], 'properties.creationData.galleryImageReference.id');
  return { location, tags: tagsOf(body), sourceVersionId };
}

export function parseImageRequest(textBody: string): ImageRequest {
  const body = parse(textBody);
  const location = locationOf(body);
  const properties = object(body['properties']);
  const osDisk = object(object(properties?.['storageProfile'])?.['osDisk']);
  const diskId = text(object(osDisk?.['managedDisk'])?.['id'], 'properties.storageProfile.osDisk.managedDisk.id');
  const osType = text(osDisk?.['osType'], 'properties.storageProfile.osDisk.osType');
  const osState = text(osDisk?.['osState'], 'properties.storageProfile.osDisk.osState');
  const generation = properties?.['hyperVGeneration'];
  const hyperVGeneration = typeof generation === 'string' && generation !== '' ? generation : 'V1';
  return { location, tags: tagsOf(body), diskId, osType, osState, hyperVGeneration };
}
