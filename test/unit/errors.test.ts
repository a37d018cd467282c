import { describe, expect, it } from 'vitest';
import {
  AmbiguousOutcomeError,
  DeviceImageInUseError,
  ForbiddenError,
  ImageSyncError,
  InvalidMessageError,
  LedgerConflictError,
  PermanentError,
  TenantImageLimitError,
  TransientError,
  UNREADABLE_ANSWER,
  UnexpectedResponseError,
} from '../../src/errors';

describe('the error classes', () => {
  it('share one base class and name themselves after their class', () => {
    const errors = [
      new TransientError({ message: 'later' }),
      new AmbiguousOutcomeError({ message: 'maybe', status: 503 }),
      new PermanentError({ message: 'no', status: 400 }),
      new UnexpectedResponseError({ message: 'odd' }),
      new ForbiddenError({ message: 'refused', status: 403 }),
      new DeviceImageInUseError({ message: 'in use', status: 409 }),
      new TenantImageLimitError({ message: 'full', status: 400 }),
      new LedgerConflictError({ sourceImageResourceId: '/images/a' }),
      new InvalidMessageError({ queue: 'register', message: 'empty' }),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(ImageSyncError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(error.constructor.name);
    }
  });

  it('keep the subclass chains callers branch on', () => {
    expect(new AmbiguousOutcomeError({ message: 'maybe', status: null })).toBeInstanceOf(TransientError);
    for (const error of [
      new UnexpectedResponseError({ message: 'odd' }),
      new ForbiddenError({ message: 'refused', status: 401 }),
      new DeviceImageInUseError({ message: 'in use', status: 409 }),
      new TenantImageLimitError({ message: 'full', status: null }),
    ])
      expect(error).toBeInstanceOf(PermanentError);
    expect(new LedgerConflictError({ sourceImageResourceId: 'x' })).not.toBeInstanceOf(PermanentError);
    expect(new PermanentError({ message: 'no', status: 400 })).not.toBeInstanceOf(TransientError);
  });

  it('carry what they were given, null for what they were not', () => {
    const cause = new Error('socket hang up');
    const transient = new TransientError({ message: 'later', status: 429, retryAfterMs: 2_000, cause });
    expect(transient).toMatchObject({ message: 'later', status: 429, retryAfterMs: 2_000, cause });
    expect(new TransientError({ message: 'later' })).toMatchObject({ status: null, retryAfterMs: null });
    expect(new PermanentError({ message: 'no', status: 404, code: 'NotFound' })).toMatchObject({ status: 404, code: 'NotFound' });
    expect(new PermanentError({ message: 'no', status: null }).code).toBeNull();
    expect(new UnexpectedResponseError({ message: 'odd' })).toMatchObject({ status: null, code: UNREADABLE_ANSWER });
    expect(new InvalidMessageError({ queue: 'poll', message: 'not JSON' })).toMatchObject({ queue: 'poll', message: 'not JSON' });
  });

  it('have a cause only when one was given', () => {
    expect('cause' in new TransientError({ message: 'later' })).toBe(false);
    expect(new ForbiddenError({ message: 'refused', status: 403, cause: 'token' }).cause).toBe('token');
  });

  it('word the ledger conflict after the row', () => {
    const conflict = new LedgerConflictError({ sourceImageResourceId: '/subscriptions/s/images/a' });
    expect(conflict.message).toBe('ledger row for /subscriptions/s/images/a was changed by another instance');
    expect(conflict.sourceImageResourceId).toBe('/subscriptions/s/images/a');
  });
});
