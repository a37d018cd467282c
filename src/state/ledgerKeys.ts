// Where each kind of row lives in the `imagesync` table (DESIGN §7).
import { createHash, randomBytes } from 'node:crypto';
import { registrationKey, sourceImageKey } from '../domain';

export const IMAGE_PARTITION = 'image';
export const PROBLEM_PARTITION = 'problem';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * One row per registration: the SHA-256 hex of the lower-cased source id, `|` and the version
 * (ids are too long and too free-form for a key). A version-less row hashes `id|`.
 */
export function imageRowKey(sourceImageResourceId: string, version: string | null): string {
  return sha256(registrationKey(sourceImageResourceId, version));
}

/** The key the previous release gave a source image's one row: the hash of the lower-cased id alone. */
export function legacyImageRowKey(sourceImageResourceId: string): string {
  return sha256(sourceImageKey(sourceImageResourceId));
}

/** One row per provisioning policy the app rolled out to: the hash of its lower-cased id (ids are Graph's, not ours to trust as keys). */
export const ROLLOUT_PARTITION = 'rollout';
export function rolloutRowKey(policyId: string): string {
  return sha256(policyId.toLowerCase());
}

/** One row per ring rollout, keyed like the registration's image row. */
export const RING_PARTITION = 'ring';
/**
 * The Cloud PC ids a policy had right before a ring's PATCH, in their own rows (a property holds
 * 64 KiB, about 800 ids): the registration's key, the ring, the policy id's hash, and a chunk number.
 */
export const RING_SEEN_PARTITION = 'ringseen';
export function ringSeenRowKey(
  sourceImageResourceId: string,
  version: string | null,
  ring: number,
  policyId: string,
  chunk: number,
): string {
  return `${imageRowKey(sourceImageResourceId, version)}-${ring}-${rolloutRowKey(policyId)}-${chunk}`;
}

/** The tenant-wide rows (the custom-image slots) live apart from images and problems. */
export const TENANT_PARTITION = 'tenant';
export const IMAGE_SLOTS_ROW_KEY = 'image-slots';

// Problem rows sort newest first: the key starts with the milliseconds left until the latest Date.
const LATEST_MS = 8_640_000_000_000_000;
const KEY_DIGITS = 16;

/** A problem row's key: time-ordered (newest first), then random so that two problems in one millisecond differ. */
export function problemRowKey(at: Date): string {
  return `${String(LATEST_MS - at.getTime()).padStart(KEY_DIGITS, '0')}-${randomBytes(4).toString('hex')}`;
}

/** Problem keys start with a digit; everything in the partition below this is a problem row. */
export const PROBLEM_ROW_KEY_END = 'a';

/**
 * The marker row that says "a problem with this kind and subject is open", in the problem partition,
 * so that it can be created in one transaction with the problem itself: two writers cannot both add it.
 */
export function openProblemRowKey(kind: string, subject: string | null): string {
  return `open-${createHash('sha256')
    .update(`${kind}\n${subject ?? ''}`)
    .digest('hex')}`;
}
