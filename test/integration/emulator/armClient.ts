// The ARM SDK client, pointed at an emulator the way the app points it at a cloud.
import { ComputeManagementClient } from '@azure/arm-compute';
import type { TokenCredential } from '@azure/core-auth';
import type { Emulator } from '../../../src/emulator';

export function staticCredential(token: string): TokenCredential {
  return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) };
}

/** ARM client as the app builds it: endpoint and credential scope of the emulator's "cloud". */
export function armClient(
  emulator: Emulator,
  subscriptionId: string,
  options: { token?: string; maxRetries?: number } = {},
): ComputeManagementClient {
  return new ComputeManagementClient(staticCredential(options.token ?? emulator.token), subscriptionId, {
    endpoint: emulator.url,
    credentials: { scopes: [`${emulator.url}/.default`] },
    retryOptions: { maxRetries: options.maxRetries ?? 3, retryDelayInMs: 50, maxRetryDelayInMs: 400 },
  });
}
