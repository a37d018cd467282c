// How the enums of a cloudPcDeviceImage read for the Graph version a request names, and whether it
// sent `Prefer: include-unknown-enum-members` (shared/api/graph-deviceimages.md). Members listed
// before `unknownFutureValue` are shown to every caller; members after it (evolvable) only to callers
// that send the header, others read `unknownFutureValue`. A member a version does not have at all is
// never shown on it, header or not.
import type { GraphVersion } from './graphVersion';

export interface EnumReader {
  readonly version: GraphVersion;
  readonly includeUnknownEnumMembers: boolean;
}

const UNKNOWN_FUTURE_VALUE = 'unknownFutureValue';

/** cloudPcDeviceImageStatus before unknownFutureValue; beta adds the evolvable `warning`. */
const STATUS_MEMBERS = new Set(['pending', 'ready', 'failed']);
const BETA_EVOLVABLE_STATUS = new Set(['warning']);

/** cloudPcDeviceImageErrorCode before unknownFutureValue, in both versions. */
const ERROR_CODE_MEMBERS = new Set([
  'internalservererror',
  'sourceimagenotfound',
  'osversionnotsupported',
  'sourceimageinvalid',
  'sourceimagenotgeneralized',
]);

/** Beta's own codes, and what v1.0 (which lacks them) reports for the same failure. */
const BETA_ERROR_CODES: ReadonlyMap<string, string> = new Map([
  ['sourceimagewithdatadisknotsupported', 'sourceImageInvalid'],
  ['sourceimagewithdiskencryptionsetnotsupported', 'sourceImageInvalid'],
]);

export function readStatus(status: string, reader: EnumReader): string {
  if (STATUS_MEMBERS.has(status)) return status;
  if (reader.version === 'beta' && BETA_EVOLVABLE_STATUS.has(status) && reader.includeUnknownEnumMembers) return status;
  return UNKNOWN_FUTURE_VALUE;
}

/** Codes are kept as the estate spells them (Graph has sent `vmAlreadyAzureAdjoined`); they compare case-insensitively. */
export function readErrorCode(errorCode: string | null, reader: EnumReader): string | null {
  if (errorCode === null) return null;
  const key = errorCode.toLowerCase();
  if (ERROR_CODE_MEMBERS.has(key)) return errorCode;
  const onV1 = BETA_ERROR_CODES.get(key);
  if (onV1 !== undefined && reader.version === 'v1.0') return onV1;
  // Evolvable members (vmAlreadyAzureAdJoined, ..., beta's own codes) and codes Graph may add later.
  return reader.includeUnknownEnumMembers ? errorCode : UNKNOWN_FUTURE_VALUE;
}
