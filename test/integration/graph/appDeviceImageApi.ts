// The device image API as the app builds it (its Graph client, middleware and Retry-After gate),
// pointed at an emulator.
import { createCredential } from '../../../src/auth/createCredential';
import type { Emulator } from '../../../src/emulator';
import { createGraphClient, type GraphRetrySettings } from '../../../src/graph/createGraphClient';
import { createDeviceImageApi } from '../../../src/graph/deviceImageApi';
import { createRetryAfterGate } from '../../../src/graph/retryAfterGate';
import type { DeviceImageApi } from '../../../src/ports';

export const RETRY: GraphRetrySettings = { delaySeconds: 0.05, maxRetries: 3 };

/** `betaSourceImages`: gallery sources on (getSourceImages read from beta). */
export function deviceImageApi(emulator: Emulator, options: { readonly betaSourceImages?: boolean } = {}): DeviceImageApi {
  const config = { graphEndpoint: emulator.url, graphApiVersion: 'v1.0' as const };
  const gate = createRetryAfterGate();
  const client = createGraphClient(createCredential({ staticToken: emulator.token, azureClientId: null }), config, gate, RETRY);
  return createDeviceImageApi({ client, gate, timeoutMs: 10_000, ...options });
}

/** What a call fails with; a call that succeeds fails the test. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}
