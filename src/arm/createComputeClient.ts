import { ComputeManagementClient } from '@azure/arm-compute';
import type { TokenCredential } from '@azure/core-auth';
import type { HttpClient } from '@azure/core-rest-pipeline';
import type { ArmSettings } from '../config';

export interface ComputeClientOptions {
  readonly retry?: { maxRetries?: number; retryDelayInMs?: number };
  /**
   * Shared by the clients of every subscription, so they reuse one pool of keep-alive connections
   * to ARM instead of each opening (and TLS-handshaking) its own.
   */
  readonly httpClient?: HttpClient;
}

/**
 * One client per subscription. The SDK pipeline owns retries: it waits out Retry-After
 * (also retry-after-ms / x-ms-retry-after-ms) on 429/503 and backs off exponentially with jitter
 * on other transient failures.
 */
export function createComputeClient(
  credential: TokenCredential,
  config: ArmSettings,
  subscriptionId: string,
  options: ComputeClientOptions = {},
): ComputeManagementClient {
  const { retry, httpClient } = options;
  return new ComputeManagementClient(credential, subscriptionId, {
    endpoint: config.armEndpoint,
    ...(httpClient === undefined ? {} : { httpClient }),
    credentials: { scopes: [`${config.armEndpoint}/.default`] },
    retryOptions: { maxRetries: retry?.maxRetries ?? 4, retryDelayInMs: retry?.retryDelayInMs ?? 1000, maxRetryDelayInMs: 60_000 },
  });
}
