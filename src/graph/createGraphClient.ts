import type { TokenCredential } from '@azure/core-auth';
import { AuthenticationHandler, Client, HTTPMessageHandler, RetryHandler, RetryHandlerOptions, TelemetryHandler } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import type { Config } from '../config';
import { middlewareHonoursRetryAfter } from './middlewareRetryAfter';
import type { RetryAfterGate } from './retryAfterGate';
import { RetryAfterGateHandler } from './retryAfterGateHandler';

export interface GraphRetrySettings {
  /** Base delay (seconds) of the middleware's exponential backoff; Retry-After wins when sent. */
  readonly delaySeconds: number;
  readonly maxRetries: number;
}

export const DEFAULT_GRAPH_RETRY: GraphRetrySettings = { delaySeconds: 2, maxRetries: 4 };

/**
 * The Graph client: bearer token from the credential, the SDK's retry middleware (429/503/504,
 * Retry-After honoured, exponential backoff with jitter otherwise; an answer whose Retry-After it
 * would cut short is not retried there, see middlewareRetryAfter.ts), the Retry-After gate (one
 * per process, its holds shared with every instance) under it, a client-request-id per call, the
 * configured endpoint and version. A non-default endpoint is declared in customHosts, or the client
 * would send no token.
 */
export function createGraphClient(credential: TokenCredential, config: Pick<Config, 'graphEndpoint' | 'graphApiVersion'>, gate: RetryAfterGate, retry: GraphRetrySettings = DEFAULT_GRAPH_RETRY): Client {
  const authentication = new AuthenticationHandler(new TokenCredentialAuthenticationProvider(credential, { scopes: [`${config.graphEndpoint}/.default`] }));
  const retries = new RetryHandler(new RetryHandlerOptions(retry.delaySeconds, retry.maxRetries, (_delay, _attempt, _request, _options, response) => middlewareHonoursRetryAfter(response)));
  // A client-request-id per call, kept across its retries (Microsoft support asks for it, and the
  // emulator pairs a retry with the answer it follows by it).
  const telemetry = new TelemetryHandler();
  authentication.setNext(telemetry);
  telemetry.setNext(retries);
  const held = new RetryAfterGateHandler(gate);
  retries.setNext(held);
  held.setNext(new HTTPMessageHandler());
  return Client.initWithMiddleware({
    middleware: authentication,
    baseUrl: config.graphEndpoint,
    defaultVersion: config.graphApiVersion,
    customHosts: new Set([new URL(config.graphEndpoint).hostname]),
  });
}
