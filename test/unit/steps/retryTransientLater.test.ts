import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config';
import { pastHorizon, transientRetryDelaySeconds } from '../../../src/steps/retryTransientLater';

const deps = {
  config: loadConfig({
    AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    IMAGE_SYNC_SUBSCRIPTION_IDS: '11111111-1111-4111-8111-111111111111',
  }),
};
const NOW = new Date('2026-12-01T15:00:00Z');

describe('when a job that failed transiently comes back', () => {
  it('follows the status checks schedule, doubling to the maximum, within ±20 %', () => {
    expect([0, 1, 2, 3, 10].map((attempt) => transientRetryDelaySeconds(deps, attempt, null, () => 0.5))).toEqual([
      300, 600, 1200, 1800, 1800,
    ]);
    expect(transientRetryDelaySeconds(deps, 0, null, () => 0)).toBe(240);
    expect(transientRetryDelaySeconds(deps, 0, null, () => 1)).toBe(360);
  });

  it('never before a Retry-After has passed', () => {
    expect(transientRetryDelaySeconds(deps, 0, 3_600_000, () => 0)).toBe(3600);
    expect(transientRetryDelaySeconds(deps, 0, 1_500, () => 0.5)).toBe(300);
  });

  it('stops at IMAGE_SYNC_TRANSIENT_RETRY_HOURS after the first failure, not before', () => {
    const retry = (since: string) => ({ attempt: 40, since, lastError: '503' });
    expect(pastHorizon(deps, retry('2026-11-30T15:00:01Z'), NOW)).toBe(false);
    expect(pastHorizon(deps, retry('2026-11-30T15:00:00Z'), NOW)).toBe(true);
    expect(pastHorizon(deps, retry('not a time'), NOW)).toBe(true);
  });
});
