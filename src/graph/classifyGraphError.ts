import { GraphError } from '@microsoft/microsoft-graph-client';
import {
  AmbiguousOutcomeError,
  DeviceImageInUseError,
  ForbiddenError,
  PermanentError,
  TenantImageLimitError,
  TransientError,
  UnexpectedResponseError,
  errorMessage,
} from '../errors';
import { retryAfterMs } from '../retryAfter';

/** Calls whose refusals mean something the caller acts on (DESIGN §13). */
export type GraphOperation = 'createDeviceImage' | 'deleteDeviceImage';

export interface GraphCallOptions {
  /** For a non-idempotent call (the create): an answer that may hide a success is ambiguous. */
  readonly sideEffect?: boolean;
  readonly operation?: GraphOperation;
}

/** A delete refused because a provisioning policy uses the image (the documented reason for a 4xx). */
const IN_USE = /provisioning polic/i;

/**
 * A create refused because the tenant holds its most custom images. The service's wording is not
 * documented (the emulator says "The tenant already holds the maximum of 20 custom images"), so any
 * 4xx create refusal that puts a maximum, limit or quota next to "images" counts: "maximum of 20
 * custom images", "maximum number of images", "custom image limit", "image quota". A refusal about
 * one image's own size ("the image exceeds the size limit") does not match: the first form needs the
 * plural "images" after the word, the second "image limit" side by side.
 */
const TENANT_FULL = /\b(?:maximum|limit|quota)\b(?:\s+[\w-]+){0,4}?\s+images\b|\bimages?\s+(?:count\s+)?(?:limit|quota)\b/i;

function refusal(
  operation: GraphOperation | undefined,
  message: string,
  graphMessage: string,
  status: number,
  code: string | null,
  cause: GraphError,
): PermanentError {
  if (status === 401 || status === 403) return new ForbiddenError({ message, status, code, cause });
  if (operation === 'deleteDeviceImage' && IN_USE.test(graphMessage)) return new DeviceImageInUseError({ message, status, code });
  if (operation === 'createDeviceImage' && TENANT_FULL.test(graphMessage)) return new TenantImageLimitError({ message, status, code });
  return new PermanentError({ message, status, code, cause });
}

/**
 * 4xx but 408/429 are permanent: the request itself is wrong or not allowed. 429 means it was not
 * processed. 408, 5xx, resets and timeouts are transient, and for a create also ambiguous: the
 * image may exist. An answer that arrived but could not be read (toDeviceImage and the other
 * converters throw a PermanentError for it) stays permanent: it is not a network failure.
 */
export function classifyGraphError(error: unknown, what: string, options: GraphCallOptions = {}): PermanentError | TransientError {
  if (error instanceof UnexpectedResponseError) return new UnexpectedResponseError({ message: `${what}: ${error.message}` });
  if (error instanceof ForbiddenError)
    return new ForbiddenError({
      message: `${what}: ${error.message}`,
      status: error.status === 401 ? 401 : 403,
      code: error.code,
      cause: error,
    });
  if (error instanceof PermanentError)
    return new PermanentError({ message: `${what}: ${error.message}`, status: error.status, code: error.code, cause: error });
  if (error instanceof GraphError) {
    const status = error.statusCode > 0 ? error.statusCode : null;
    const message = `${what}: ${status ?? 'no answer'}${error.code === null ? '' : ` ${error.code}`}: ${error.message}`;
    if (status === 429) return new TransientError({ message, status, retryAfterMs: retryAfterMs(error.headers), cause: error });
    if (status !== null && status >= 400 && status < 500 && status !== 408)
      return refusal(options.operation, message, error.message, status, error.code, error);
    // A Retry-After on a lost create is kept: the create is not sent again before it has passed.
    if (options.sideEffect === true)
      return new AmbiguousOutcomeError({ message, status, retryAfterMs: retryAfterMs(error.headers), cause: error });
    return new TransientError({ message, status, retryAfterMs: retryAfterMs(error.headers), cause: error });
  }
  const message = `${what}: ${errorMessage(error)}`;
  return options.sideEffect === true
    ? new AmbiguousOutcomeError({ message, status: null, cause: error })
    : new TransientError({ message, cause: error });
}
