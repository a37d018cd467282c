import { GraphError } from '@microsoft/microsoft-graph-client';
import { describe, expect, it } from 'vitest';
import { AmbiguousOutcomeError, DeviceImageInUseError, PermanentError, TenantImageLimitError, TransientError } from '../../../src/errors';
import { classifyGraphError } from '../../../src/graph/classifyGraphError';
import { UNREADABLE_ANSWER } from '../../../src/errors';

function graphError(status: number, message: string, code: string | null = 'BadRequest'): GraphError {
  const error = new GraphError(status, message);
  error.code = code;
  return error;
}

const EMULATOR_FULL = 'The tenant already holds the maximum of 20 custom images; delete one first.';
const EMULATOR_IN_USE = "The image 'win11-ent' is used by a provisioning policy and cannot be deleted; remove it from the policy first.";

describe('classifyGraphError for a create refused because the tenant is full', () => {
  it.each([
    EMULATOR_FULL,
    'Maximum number of custom images reached for this tenant.',
    'Exceeded the maximum allowed number of images per tenant',
    'The custom image limit has been reached.',
    'Custom image quota exceeded',
    'You have reached the limit of 20 images.',
  ])('takes a 4xx create refusal "%s" as TenantImageLimitError', (message) => {
    const classified = classifyGraphError(graphError(400, message), 'creating', { sideEffect: true, operation: 'createDeviceImage' });
    expect(classified).toBeInstanceOf(TenantImageLimitError);
    expect(classified).toBeInstanceOf(PermanentError);
    expect(classified.message).toContain(message);
    expect(classified.status).toBe(400);
  });

  it.each([
    'An image with the same displayName and version already exists.',
    'The source image exceeds the size limit.',
    'Invalid sourceImageResourceId.',
    'The maximum size of an image name is 64 characters.',
  ])('keeps the create refusal "%s" a plain PermanentError', (message) => {
    const classified = classifyGraphError(graphError(400, message), 'creating', { sideEffect: true, operation: 'createDeviceImage' });
    expect(classified).toBeInstanceOf(PermanentError);
    expect(classified).not.toBeInstanceOf(TenantImageLimitError);
  });

  it('reads the limit wording only on a create', () => {
    expect(classifyGraphError(graphError(400, EMULATOR_FULL), 'deleting', { operation: 'deleteDeviceImage' })).not.toBeInstanceOf(
      TenantImageLimitError,
    );
    expect(classifyGraphError(graphError(400, EMULATOR_FULL), 'reading')).not.toBeInstanceOf(TenantImageLimitError);
  });

  it('leaves a 5xx create that mentions the limit ambiguous: it may have been created', () => {
    expect(
      classifyGraphError(graphError(503, EMULATOR_FULL), 'creating', { sideEffect: true, operation: 'createDeviceImage' }),
    ).toBeInstanceOf(AmbiguousOutcomeError);
  });

  it('leaves a 429 create transient', () => {
    const classified = classifyGraphError(graphError(429, EMULATOR_FULL), 'creating', { sideEffect: true, operation: 'createDeviceImage' });
    expect(classified).toBeInstanceOf(TransientError);
    expect(classified).not.toBeInstanceOf(PermanentError);
  });
});

describe('classifyGraphError for a delete refused because a provisioning policy uses the image', () => {
  it.each([400, 409])(
    'takes a %i delete refusal that mentions a provisioning policy as DeviceImageInUseError, keeping the message',
    (status) => {
      const classified = classifyGraphError(graphError(status, EMULATOR_IN_USE), 'deleting device image x', {
        operation: 'deleteDeviceImage',
      });
      expect(classified).toBeInstanceOf(DeviceImageInUseError);
      expect(classified.message).toContain(EMULATOR_IN_USE);
      expect(classified.status).toBe(status);
      expect(classified instanceof PermanentError ? classified.code : null).toBe('BadRequest');
    },
  );

  it('matches "provisioning policies" in any casing', () => {
    expect(
      classifyGraphError(graphError(400, 'Image is assigned to Provisioning Policies.'), 'deleting', { operation: 'deleteDeviceImage' }),
    ).toBeInstanceOf(DeviceImageInUseError);
  });

  it('keeps other delete refusals plain PermanentErrors', () => {
    const classified = classifyGraphError(graphError(403, 'Insufficient privileges.', 'Forbidden'), 'deleting', {
      operation: 'deleteDeviceImage',
    });
    expect(classified).toBeInstanceOf(PermanentError);
    expect(classified).not.toBeInstanceOf(DeviceImageInUseError);
  });

  it('reads the in-use wording only on a delete', () => {
    expect(classifyGraphError(graphError(400, EMULATOR_IN_USE), 'reading')).not.toBeInstanceOf(DeviceImageInUseError);
  });
});

describe('classifyGraphError for an answer that arrived but could not be read', () => {
  const unreadable = () =>
    new PermanentError({
      message: 'Graph returned a device image that cannot be read: id: Invalid input',
      status: null,
      code: UNREADABLE_ANSWER,
    });

  it('keeps it permanent, naming the call and keeping the code', () => {
    const classified = classifyGraphError(unreadable(), 'reading device image x');
    expect(classified).toBeInstanceOf(PermanentError);
    expect(classified).not.toBeInstanceOf(TransientError);
    expect(classified.message).toBe('reading device image x: Graph returned a device image that cannot be read: id: Invalid input');
    expect(classified instanceof PermanentError ? classified.code : null).toBe(UNREADABLE_ANSWER);
  });

  it('keeps it permanent for a create too: the 201 came, so the outcome is not unknown', () => {
    const classified = classifyGraphError(unreadable(), 'creating', { sideEffect: true, operation: 'createDeviceImage' });
    expect(classified).toBeInstanceOf(PermanentError);
    expect(classified).not.toBeInstanceOf(AmbiguousOutcomeError);
  });

  it('still takes any other thrown error for a failure to reach Graph (transient, or ambiguous for a create)', () => {
    expect(classifyGraphError(new Error('socket hang up'), 'reading')).toBeInstanceOf(TransientError);
    expect(classifyGraphError(new TypeError('fetch failed'), 'creating', { sideEffect: true })).toBeInstanceOf(AmbiguousOutcomeError);
  });
});
