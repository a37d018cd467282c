import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import type { TokenCredential } from '@azure/core-auth';
import type { ArmSettings } from '../config';
import type { ComputeClientOptions } from './createComputeClient';
import { resourceGraphQuotaPolicy } from './resourceGraphQuotaPolicy';

/**
 * The Resource Graph client: the same credential, endpoint (ARM's: Resource Graph is an ARM
 * provider), token scope and retry policy as the compute clients, and their HTTP client when given.
 */
export function createResourceGraphClient(
  credential: TokenCredential,
  config: ArmSettings,
  options: ComputeClientOptions = {},
): ResourceGraphClient {
  const { retry, httpClient } = options;
  const client = new ResourceGraphClient(credential, {
    endpoint: config.armEndpoint,
    ...(httpClient === undefined ? {} : { httpClient }),
    credentials: { scopes: [`${config.armEndpoint}/.default`] },
    retryOptions: { maxRetries: retry?.maxRetries ?? 4, retryDelayInMs: retry?.retryDelayInMs ?? 1000, maxRetryDelayInMs: 60_000 },
  });
  client.pipeline.addPolicy(resourceGraphQuotaPolicy(), { afterPhase: 'Retry' });
  return client;
}
