// Resource Graph throttles per user (15 queries per 5 seconds by default) and says when the quota
// refills in `x-ms-user-quota-resets-after` (hh:mm:ss). A 429 that carries only that header is
// given the `retry-after-ms` the SDK's throttling retry reads, so the pipeline waits it out
// instead of failing at once. Added after the Retry phase: the retry policy sees the header.
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

export const RESOURCE_GRAPH_QUOTA_POLICY = 'resourceGraphQuotaPolicy';

/** `hh:mm:ss` (optionally with fractions of a second) in milliseconds; null when it is not that. */
export function quotaResetMs(value: string | undefined): number | null {
  const match = /^(\d{1,2}):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(value?.trim() ?? '');
  if (match === null) return null;
  const [, hours, minutes, seconds] = match;
  return Math.round(((Number(hours) * 60 + Number(minutes)) * 60 + Number(seconds)) * 1000);
}

export function resourceGraphQuotaPolicy(): PipelinePolicy {
  return {
    name: RESOURCE_GRAPH_QUOTA_POLICY,
    async sendRequest(request, next) {
      const response = await next(request);
      if (
        response.status !== 429 ||
        response.headers.has('retry-after') ||
        response.headers.has('retry-after-ms') ||
        response.headers.has('x-ms-retry-after-ms')
      )
        return response;
      const resetMs = quotaResetMs(response.headers.get('x-ms-user-quota-resets-after'));
      if (resetMs !== null) response.headers.set('retry-after-ms', String(Math.max(resetMs, 1)));
      return response;
    },
  };
}
