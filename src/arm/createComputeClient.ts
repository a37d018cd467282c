import { ComputeManagementClient } from '@azure/arm-compute';
import type { TokenCredential } from '@azure/core-auth';
import type { Config } from '../config';

/**
 * One client per subscription. The SDK pipeline owns retries: it waits out Retry-After
 * (also retry-after-ms / x-ms-retry-after-ms) on 429/503 and backs off exponentially with jitter
 * on other transient failures.
 */
export function createComputeClient(credential: TokenCredential, config: Pick<Config, 'armEndpoint'>, subscriptionId: string, retry?: { maxRetries?: number; retryDelayInMs?: number }): ComputeManagementClient {
  return new ComputeManagementClient(credential, subscriptionId, {
    endpoint: config.armEndpoint,
    credentials: { scopes: [`${config.armEndpoint}/.default`] },
    retryOptions: { maxRetries: retry?.maxRetries ?? 4, retryDelayInMs: retry?.retryDelayInMs ?? 1000, maxRetryDelayInMs: 60_000 },
  });
}
