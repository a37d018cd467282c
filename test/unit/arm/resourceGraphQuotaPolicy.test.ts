import { createHttpHeaders, createPipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import { quotaResetMs, resourceGraphQuotaPolicy } from '../../../src/arm/resourceGraphQuotaPolicy';

async function answer(status: number, headers: Record<string, string>): Promise<PipelineResponse> {
  const request = createPipelineRequest({ url: 'https://management.azure.com/providers/Microsoft.ResourceGraph/resources' });
  return resourceGraphQuotaPolicy().sendRequest(request, async () => ({ request, status, headers: createHttpHeaders(headers) }));
}

describe('resourceGraphQuotaPolicy', () => {
  it('reads hh:mm:ss', () => {
    expect(quotaResetMs('00:00:03')).toBe(3_000);
    expect(quotaResetMs('01:02:03.5')).toBe(3_723_500);
    expect(quotaResetMs('3')).toBeNull();
    expect(quotaResetMs(undefined)).toBeNull();
  });

  it('gives a 429 that says only when the quota resets the retry-after-ms the SDK waits out', async () => {
    expect(
      (await answer(429, { 'x-ms-user-quota-remaining': '0', 'x-ms-user-quota-resets-after': '00:00:04' })).headers.get('retry-after-ms'),
    ).toBe('4000');
  });

  it('leaves a Retry-After the service sent, and other answers, as they are', async () => {
    const throttled = await answer(429, { 'retry-after': '2', 'x-ms-user-quota-resets-after': '00:00:04' });
    expect(throttled.headers.get('retry-after-ms')).toBeUndefined();
    expect((await answer(200, { 'x-ms-user-quota-resets-after': '00:00:04' })).headers.get('retry-after-ms')).toBeUndefined();
  });
});
