import type { TokenCredential } from '@azure/core-auth';
import { AuthenticationHandler, Client, HTTPMessageHandler, TelemetryHandler } from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import type { GraphSettings } from '../config';
import { DEFAULT_GRAPH_RETRY, GraphRetryHandler, type GraphRetrySettings } from './graphRetryPolicy';
import type { RetryAfterGate } from './retryAfterGate';

export { DEFAULT_GRAPH_RETRY, type GraphRetrySettings };

/**
 * The Graph client: bearer token from the credential, a client-request-id per call, the retry
 * policy with the Retry-After gate (graphRetryPolicy.ts: every retry decision of a Graph call), the
 * configured endpoint and version. A non-default endpoint is declared in customHosts, or the client
 * would send no token.
 */
export function createGraphClient(
  credential: TokenCredential,
  config: GraphSettings,
  gate: RetryAfterGate,
  retry: GraphRetrySettings = DEFAULT_GRAPH_RETRY,
): Client {
  const authentication = new AuthenticationHandler(
    new TokenCredentialAuthenticationProvider(credential, { scopes: [`${config.graphEndpoint}/.default`] }),
  );
  // A client-request-id per call, kept across its retries (Microsoft support asks for it, and the
  // emulator pairs a retry with the answer it follows by it).
  const telemetry = new TelemetryHandler();
  authentication.setNext(telemetry);
  const retries = new GraphRetryHandler(gate, retry);
  telemetry.setNext(retries);
  retries.setNext(new HTTPMessageHandler());
  return Client.initWithMiddleware({
    middleware: authentication,
    baseUrl: config.graphEndpoint,
    defaultVersion: config.graphApiVersion,
    customHosts: new Set([new URL(config.graphEndpoint).hostname]),
  });
}
