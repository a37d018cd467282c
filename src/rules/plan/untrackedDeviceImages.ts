// Device images Graph holds of a source at versions other than its current one that the ledger does
// not follow: each is adopted as a registration of its version, under its own displayName.
import { type DeviceImage, type LedgerRow, type SourceImage, sourceImageKey } from '../../domain';
import { parseVersion } from '../naming';
import { tracks } from '../lifecycle';
import { chooseDeviceImage, originFound } from './deviceImageMatching';
import type { AdoptAction } from './inputAndOutput';

export interface UntrackedAdoption {
  readonly action: AdoptAction;
  /** The registration key of the device image adopted. */
  readonly key: string;
}

/**
 * `currentKey`: the registration key of the source's current version (its device image is the
 * current version's decision); `deviceImagesByKey` and `rowsByKey` by registration key.
 */
export function adoptUntrackedDeviceImages(
  image: SourceImage,
  currentKey: string,
  deviceImagesByKey: ReadonlyMap<string, readonly DeviceImage[]>,
  rowsByKey: ReadonlyMap<string, LedgerRow>,
): UntrackedAdoption[] {
  const adoptions: UntrackedAdoption[] = [];
  for (const [key, found] of deviceImagesByKey) {
    if (key === currentKey || !key.startsWith(`${sourceImageKey(image.id)}|`)) continue;
    const row = rowsByKey.get(key);
    const chosen = chooseDeviceImage(found, row);
    if (chosen === undefined || tracks(row, chosen)) continue;
    const action: AdoptAction = {
      kind: 'adopt',
      sourceImage: image,
      deviceImage: chosen,
      displayName: chosen.displayName,
      version: parseVersion(chosen.version) ?? chosen.version,
      contentFingerprint: null,
      origin: originFound(row),
    };
    adoptions.push({ action, key });
  }
  return adoptions;
}
