// Errors are classified once, at the client boundary; callers branch on the class, not on status codes.

/** What every error class here is built from: the message, and what caused it when something did. */
export interface ImageSyncErrorOptions {
  readonly message: string;
  readonly cause?: unknown;
}

/** The base of the app's error classes: `instanceof ImageSyncError` is an error the app classified. */
export class ImageSyncError extends Error {
  constructor(options: ImageSyncErrorOptions) {
    // Only a cause that was given becomes one: `error.cause` stays absent otherwise.
    super(options.message, 'cause' in options ? { cause: options.cause } : undefined);
    this.name = 'ImageSyncError';
  }
}

export interface TransientErrorOptions extends ImageSyncErrorOptions {
  readonly status?: number | null;
  readonly retryAfterMs?: number | null;
}

/** Worth trying again later: throttling that outlived the in-process retries, 5xx, resets, timeouts. */
export class TransientError extends ImageSyncError {
  readonly status: number | null;
  readonly retryAfterMs: number | null;

  constructor(options: TransientErrorOptions) {
    super(options);
    this.status = options.status ?? null;
    this.retryAfterMs = options.retryAfterMs ?? null;
    this.name = 'TransientError';
  }
}

export interface PermanentErrorOptions extends ImageSyncErrorOptions {
  readonly status: number | null;
  /** The service's error code (e.g. `AuthorizationFailed`), when it sent one. */
  readonly code?: string | null;
}

/** The service said no and will say no again (400, 401, 403, 404, 409): record it, do not retry. */
export class PermanentError extends ImageSyncError {
  readonly status: number | null;
  /** The service's error code (e.g. `AuthorizationFailed`), when it sent one. */
  readonly code: string | null;

  constructor(options: PermanentErrorOptions) {
    super(options);
    this.status = options.status;
    this.code = options.code ?? null;
    this.name = 'PermanentError';
  }
}

/** A request whose outcome is unknown: it may or may not have taken effect (reset or 5xx after sending). */
export class AmbiguousOutcomeError extends TransientError {
  constructor(options: TransientErrorOptions & { readonly status: number | null }) {
    super(options);
    this.name = 'AmbiguousOutcomeError';
  }
}

/** The code of the UnexpectedResponseError for a successful Graph answer whose body is not what the call returns. */
export const UNREADABLE_ANSWER = 'UnreadableGraphAnswer';

/** A 2xx answer whose body is not what the call returns: permanent (sending it again would not help), never a network failure. */
export class UnexpectedResponseError extends PermanentError {
  constructor(options: { readonly message: string }) {
    super({ message: options.message, status: null, code: UNREADABLE_ANSWER });
    this.name = 'UnexpectedResponseError';
  }
}

/** 401 or 403: the caller's identity is not allowed (a missing role or permission, consent, audience), whatever the resource. */
export class ForbiddenError extends PermanentError {
  constructor(options: PermanentErrorOptions & { readonly status: 401 | 403 }) {
    super(options);
    this.name = 'ForbiddenError';
  }
}

/** Graph refused to delete a device image because a provisioning policy uses it. */
export class DeviceImageInUseError extends PermanentError {
  constructor(options: PermanentErrorOptions) {
    super(options);
    this.name = 'DeviceImageInUseError';
  }
}

/** Graph refused a create because the tenant holds its most custom images already (DESIGN §13). */
export class TenantImageLimitError extends PermanentError {
  constructor(options: PermanentErrorOptions) {
    super(options);
    this.name = 'TenantImageLimitError';
  }
}

/** An ETag-guarded ledger write lost to another writer. */
export class LedgerConflictError extends ImageSyncError {
  readonly sourceImageResourceId: string;

  constructor(options: { readonly sourceImageResourceId: string }) {
    super({ message: `ledger row for ${options.sourceImageResourceId} was changed by another instance` });
    this.sourceImageResourceId = options.sourceImageResourceId;
    this.name = 'LedgerConflictError';
  }
}

/** A queue message that can never be processed: it is recorded as a problem, not retried. */
export class InvalidMessageError extends ImageSyncError {
  readonly queue: string;

  constructor(options: ImageSyncErrorOptions & { readonly queue: string }) {
    super(options);
    this.queue = options.queue;
    this.name = 'InvalidMessageError';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
