// The real SDK clients, pointed at an emulator the way the app points them at a cloud.
import { ComputeManagementClient } from '@azure/arm-compute';
import type { TokenCredential } from '@azure/core-auth';
import {
  AuthenticationHandler,
  Client,
  HTTPMessageHandler,
  RetryHandler,
  RetryHandlerOptions,
  type AuthenticationProvider,
} from '@microsoft/microsoft-graph-client';
import type { Emulator } from '../../../src/emulator';

export function staticCredential(token: string): TokenCredential {
  return { getToken: async () => ({ token, expiresOnTimestamp: Date.now() + 3600_000 }) };
}

/** ARM client as the app builds it: endpoint and credential scope of the emulator's "cloud". */
export function armClient(emulator: Emulator, subscriptionId: string, options: { token?: string; maxRetries?: number } = {}): ComputeManagementClient {
  return new ComputeManagementClient(staticCredential(options.token ?? emulator.token), subscriptionId, {
    endpoint: emulator.url,
    credentials: { scopes: [`${emulator.url}/.default`] },
    retryOptions: { maxRetries: options.maxRetries ?? 3, retryDelayInMs: 50, maxRetryDelayInMs: 400 },
  });
}

/**
 * Graph client with the default middleware order (auth, retry, HTTP), its retry delay shortened for
 * answers without Retry-After. `customHosts` takes a host name without port.
 */
export function graphClient(emulator: Emulator, options: { token?: string | null; retryDelaySeconds?: number; maxRetries?: number } = {}): Client {
  const token = options.token === undefined ? emulator.token : options.token;
  const authProvider: AuthenticationProvider = { getAccessToken: async () => token ?? '' };
  return Client.initWithMiddleware({
    baseUrl: emulator.url,
    defaultVersion: 'v1.0',
    customHosts: new Set([emulator.host]),
    middleware: [
      new AuthenticationHandler(authProvider),
      new RetryHandler(new RetryHandlerOptions(options.retryDelaySeconds ?? 0.05, options.maxRetries ?? 3)),
      new HTTPMessageHandler(),
    ],
  });
}

export const DEVICE_IMAGES = '/deviceManagement/virtualEndpoint/deviceImages';
