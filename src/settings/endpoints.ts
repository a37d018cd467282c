// Where Graph and ARM are, and who the app is to them: endpoints, Graph version, identity settings.
import { z } from 'zod';
import type { Environment } from './configError';
import { endpoint, guid, isLoopbackUrl, oneOf, orListDefault, orNull } from './read';
import { parseSettings, refuse } from './schema';

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

/** GRAPH_ENDPOINT, refused for a cloud without the device image API. */
export const graphEndpoint = endpoint('GRAPH_ENDPOINT', 'https://graph.microsoft.us').transform((value, context) => {
  const cloud = GRAPH_CLOUDS_WITHOUT_DEVICE_IMAGES.get(new URL(value).hostname.replace(/\.$/, ''));
  if (cloud === undefined) return value;
  return refuse(
    context,
    `"${value}" is Microsoft Graph for ${cloud}, where the Cloud PC device image API does not exist`,
    'image-sync runs only where Windows 365 has it: remove GRAPH_ENDPOINT for the global service (https://graph.microsoft.com), or set https://graph.microsoft.us for US Government L4',
  );
});

export const SIGN_IN_CLIENT_FIX =
  'set the application (client) ID of the public client registration people sign in to (docs/permissions.md, "People at the command line")';

/** IMAGE_SYNC_CLIENT_ID as a GUID; the app does without it, `image-sync login` requires it. */
export const signInClientId = guid((value) => `"${value}" is not a GUID`, SIGN_IN_CLIENT_FIX);

const endpointsSchema = z
  .object({
    GRAPH_ENDPOINT: graphEndpoint,
    ARM_ENDPOINT: endpoint('ARM_ENDPOINT', 'https://management.usgovcloudapi.net'),
    IMAGE_SYNC_STATIC_TOKEN: orNull(z.string()),
    AZURE_CLIENT_ID: orNull(
      guid((value) => `"${value}" is not a GUID`, 'set the client ID of the user-assigned managed identity or app registration'),
    ),
    GRAPH_API_VERSION: orListDefault(
      'GRAPH_API_VERSION',
      oneOf(GRAPH_API_VERSIONS, (value) => `"${value}" is not a Graph version`, 'set v1.0 (the default) or beta'),
    ),
    IMAGE_SYNC_CLIENT_ID: orNull(signInClientId),
  })
  .transform((settings, context): EndpointsPart => {
    const staticToken = settings.IMAGE_SYNC_STATIC_TOKEN;
    if (staticToken !== null && !(isLoopbackUrl(settings.GRAPH_ENDPOINT) && isLoopbackUrl(settings.ARM_ENDPOINT))) {
      return refuse(
        context,
        'is only for local emulators, and GRAPH_ENDPOINT and ARM_ENDPOINT are not both loopback',
        'remove IMAGE_SYNC_STATIC_TOKEN to sign in with Azure identity (managed identity in Azure)',
        'IMAGE_SYNC_STATIC_TOKEN',
      );
    }
    return {
      graphEndpoint: settings.GRAPH_ENDPOINT,
      graphApiVersion: settings.GRAPH_API_VERSION,
      armEndpoint: settings.ARM_ENDPOINT,
      staticToken,
      azureClientId: settings.AZURE_CLIENT_ID,
      signInClientId: settings.IMAGE_SYNC_CLIENT_ID,
    };
  });

export function loadEndpoints(env: Environment): EndpointsPart {
  return parseSettings(endpointsSchema, env);
}
