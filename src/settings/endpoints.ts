// Where Graph and ARM are, and who the app is to them: endpoints, Graph version, identity settings.
import { ConfigError, type Environment } from './configError';
import { textDefault } from './list';
import { GUID, endpoint, isLoopbackUrl, oneOf, text } from './read';

export interface EndpointsPart {
  /** No trailing slash. */
  readonly graphEndpoint: string;
  readonly graphApiVersion: 'v1.0' | 'beta';
  /** No trailing slash. */
  readonly armEndpoint: string;
  readonly staticToken: string | null;
  /** The standard `AZURE_CLIENT_ID` (user-assigned managed identity), passed to the credential. */
  readonly azureClientId: string | null;
  /** `IMAGE_SYNC_CLIENT_ID`: the public client application a person signs in to with `image-sync login` (DESIGN §19). */
  readonly signInClientId: string | null;
}

const GRAPH_API_VERSIONS = ['v1.0', 'beta'] as const;

export function loadEndpoints(env: Environment): EndpointsPart {
  const graphEndpoint = supportedGraphEndpoint(env);
  const armEndpoint = endpoint(env, 'ARM_ENDPOINT', textDefault('ARM_ENDPOINT'), 'https://management.usgovcloudapi.net');
  const staticToken = text(env, 'IMAGE_SYNC_STATIC_TOKEN') ?? null;
  if (staticToken !== null && !(isLoopbackUrl(graphEndpoint) && isLoopbackUrl(armEndpoint))) {
    throw new ConfigError(
      'IMAGE_SYNC_STATIC_TOKEN',
      'is only for local emulators, and GRAPH_ENDPOINT and ARM_ENDPOINT are not both loopback',
      'remove IMAGE_SYNC_STATIC_TOKEN to sign in with Azure identity (managed identity in Azure)',
    );
  }
  const azureClientId = text(env, 'AZURE_CLIENT_ID') ?? null;
  if (azureClientId !== null && !GUID.test(azureClientId)) {
    throw new ConfigError(
      'AZURE_CLIENT_ID',
      `"${azureClientId}" is not a GUID`,
      'set the client ID of the user-assigned managed identity or app registration',
    );
  }
  return {
    graphEndpoint,
    graphApiVersion: graphApiVersion(env),
    armEndpoint,
    staticToken,
    azureClientId,
    signInClientId: signInClient(env),
  };
}

/**
 * Graph's national clouds without Windows 365's device image API (the Cloud PC API reference lists
 * only the global service and US Government L4). Any other host is taken as given: the global
 * service, US Government L4 (`graph.microsoft.us`), the local emulator, or a gateway in front of one.
 */
const GRAPH_CLOUDS_WITHOUT_DEVICE_IMAGES: ReadonlyMap<string, string> = new Map([
  ['dod-graph.microsoft.us', 'US Government L5 (DoD)'],
  ['microsoftgraph.chinacloudapi.cn', 'China (operated by 21Vianet)'],
  ['graph.microsoft.de', 'Microsoft Cloud Germany (closed in 2021)'],
]);

export function supportedGraphEndpoint(env: Environment): string {
  const value = endpoint(env, 'GRAPH_ENDPOINT', textDefault('GRAPH_ENDPOINT'), 'https://graph.microsoft.us');
  const cloud = GRAPH_CLOUDS_WITHOUT_DEVICE_IMAGES.get(new URL(value).hostname.replace(/\.$/, ''));
  if (cloud !== undefined) {
    throw new ConfigError(
      'GRAPH_ENDPOINT',
      `"${value}" is Microsoft Graph for ${cloud}, where the Cloud PC device image API does not exist`,
      'image-sync runs only where Windows 365 has it: remove GRAPH_ENDPOINT for the global service (https://graph.microsoft.com), or set https://graph.microsoft.us for US Government L4',
    );
  }
  return value;
}

function graphApiVersion(env: Environment): 'v1.0' | 'beta' {
  const raw = text(env, 'GRAPH_API_VERSION') ?? textDefault('GRAPH_API_VERSION');
  return oneOf(
    raw,
    GRAPH_API_VERSIONS,
    () => new ConfigError('GRAPH_API_VERSION', `"${raw}" is not a Graph version`, 'set v1.0 (the default) or beta'),
  );
}

export const SIGN_IN_CLIENT_FIX =
  'set the application (client) ID of the public client registration people sign in to (docs/permissions.md, "People at the command line")';

export function signInClient(env: Environment): string | null {
  const clientId = text(env, 'IMAGE_SYNC_CLIENT_ID') ?? null;
  if (clientId !== null && !GUID.test(clientId))
    throw new ConfigError('IMAGE_SYNC_CLIENT_ID', `"${clientId}" is not a GUID`, SIGN_IN_CLIENT_FIX);
  return clientId;
}
