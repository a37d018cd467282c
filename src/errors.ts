// Errors are classified once, at the client boundary; callers branch on the class, not on status codes.

/** Worth trying again later: throttling that outlived the in-process retries, 5xx, resets, timeouts. */
export class TransientError extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
    readonly retryAfterMs: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransientError';
  }
}

/** The service said no and will say no again (400, 401, 403, 404, 409): record it, do not retry. */
export class PermanentError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    /** The service's error code (e.g. `AuthorizationFailed`), when it sent one. */
    readonly code: string | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PermanentError';
  }
}

/** A request whose outcome is unknown: it may or may not have taken effect (reset or 5xx after sending). */
export class AmbiguousOutcomeError extends TransientError {
  constructor(message: string, status: number | null, retryAfterMs: number | null = null, options?: { cause?: unknown }) {
    super(message, status, retryAfterMs, options);
    this.name = 'AmbiguousOutcomeError';
  }
}

/** The code of the UnexpectedResponseError for a successful Graph answer whose body is not what the call returns. */
export const UNREADABLE_ANSWER = 'UnreadableGraphAnswer';

/** A 2xx answer whose body is not what the call returns: permanent (sending it again would not help), never a network failure. */
export class UnexpectedResponseError extends PermanentError {
  constructor(message: string) {
    super(message, null, UNREADABLE_ANSWER);
    this.name = 'UnexpectedResponseError';
  }
}

/** 401 or 403: the caller's identity is not allowed (a missing role or permission, consent, audience), whatever the resource. */
export class ForbiddenError extends PermanentError {
  constructor(message: string, status: 401 | 403, code: string | null = null, options?: { cause?: unknown }) {
    super(message, status, code, options);
    this.name = 'ForbiddenError';
  }
}

/** Graph refused to delete a device image because a provisioning policy uses it. */
export class DeviceImageInUseError extends PermanentError {
  constructor(message: string, status: number | null, code: string | null = null) {
    super(message, status, code);
    this.name = 'DeviceImageInUseError';
  }
}

/** Graph refused a create because the tenant holds its most custom images already (DESIGN §13). */
export class TenantImageLimitError extends PermanentError {
  constructor(message: string, status: number | null, code: string | null = null) {
    super(message, status, code);
    this.name = 'TenantImageLimitError';
  }
}

/** An ETag-guarded ledger write lost to another writer. */
export class LedgerConflictError extends Error {
  constructor(readonly sourceImageResourceId: string) {
    super(`ledger row for ${sourceImageResourceId} was changed by another instance`);
    this.name = 'LedgerConflictError';
  }
}

/** A queue message that can never be processed: it is recorded as a problem, not retried. */
export class InvalidMessageError extends Error {
  constructor(
    readonly queue: string,
    detail: string,
  ) {
    super(detail);
    this.name = 'InvalidMessageError';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
