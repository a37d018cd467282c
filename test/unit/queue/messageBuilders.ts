// Small builders for queue messages; each test states only the fields it is about.
import type { RegisterJob, StatusCheck } from '../../../src/domain';

export const SOURCE_IMAGE_ID =
  '/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-images/providers/Microsoft.Compute/images/win11-ent-1.2.0';

export function registerJob(overrides: Partial<RegisterJob> = {}): RegisterJob {
  return {
    v: 1,
    sourceImageResourceId: SOURCE_IMAGE_ID,
    displayName: 'win11-ent',
    version: '1.2.0',
    trigger: 'reconcile',
    enqueuedAt: '2024-05-01T12:00:00.000Z',
    ...overrides,
  };
}

export function statusCheck(overrides: Partial<StatusCheck> = {}): StatusCheck {
  return {
    v: 1,
    sourceImageResourceId: SOURCE_IMAGE_ID,
    deviceImageId: 'a1b2c3d4-0000-4000-8000-000000000001',
    check: 0,
    since: '2024-05-01T12:05:00.000Z',
    retryUploads: 0,
    ...overrides,
  };
}
