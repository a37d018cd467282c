// The Graph SDK client, pointed at an emulator the way the app points it at a cloud.
import {
  AuthenticationHandler,
  Client,
  GraphError,
  HTTPMessageHandler,
  RedirectHandler,
  RetryHandler,
  RetryHandlerOptions,
  TelemetryHandler,
  type AuthenticationProvider,
} from '@microsoft/microsoft-graph-client';
import { type Emulator, EstateError, parseEstate } from '../../../src/emulator';

export interface GraphClientOptions {
  readonly token?: string;
  /** Default: the emulator's host. Without it the client sends no Authorization header. */
  readonly customHosts?: ReadonlySet<string>;
  readonly retryDelaySeconds?: number;
  readonly maxRetries?: number;
}

/**
 * Graph client with the default middleware order (auth, retry, redirect, telemetry, HTTP), its retry
 * delay shortened for answers without Retry-After. `customHosts` takes a host name without port.
 */
export function graphClient(emulator: Emulator, options: GraphClientOptions = {}): Client {
  const token = options.token ?? emulator.token;
  const authProvider: AuthenticationProvider = { getAccessToken: async () => token };
  return Client.initWithMiddleware({
    baseUrl: emulator.url,
    defaultVersion: 'v1.0',
    customHosts: new Set(options.customHosts ?? [emulator.host]),
    middleware: [
      new AuthenticationHandler(authProvider),
      new RetryHandler(new RetryHandlerOptions(options.retryDelaySeconds ?? 0.05, options.maxRetries ?? 3)),
      new RedirectHandler(),
      new TelemetryHandler(),
      new HTTPMessageHandler(),
    ],
  });
}

export const DEVICE_IMAGES = '/deviceManagement/virtualEndpoint/deviceImages';
export const PROVISIONING_POLICIES = '/deviceManagement/virtualEndpoint/provisioningPolicies';

/** The body a create sends. */
export function createBody(displayName: string, version: string, sourceImageResourceId: string): Record<string, string> {
  return { displayName, version, sourceImageResourceId };
}

/** The GraphError a call fails with; any other outcome fails the test. */
export async function graphFailure(promise: Promise<unknown>): Promise<GraphError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GraphError) return error;
    throw error;
  }
  throw new Error('expected the Graph call to fail');
}

/** The message an estate is refused with; an accepted estate fails the test. */
export function estateProblems(input: unknown): string {
  try {
    parseEstate(input);
  } catch (error) {
    if (error instanceof EstateError) return error.message;
    throw error;
  }
  throw new Error('expected the estate to be refused');
}
