// What `image-sync login` reads (DESIGN §19), and which standard @azure/identity variables are present.
import { z } from 'zod';
import type { Environment } from './configError';
import { SIGN_IN_CLIENT_FIX, graphEndpoint, signInClientId } from './endpoints';
import { endpoint, required, text } from './read';
import { parseSettings, refusal } from './schema';

/** What `image-sync login` needs, and nothing else: a person may sign in before the app's other settings are known. */
export interface SignInSettings {
  readonly clientId: string;
  /** A directory (tenant) ID or a verified domain such as contoso.onmicrosoft.com. */
  readonly tenantId: string;
  /** The standard `AZURE_AUTHORITY_HOST`, no trailing slash: Microsoft Entra ID for the cloud Graph is in. */
  readonly authorityHost: string;
  readonly graphEndpoint: string;
}

const TENANT = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,})$/i;

const TENANT_FIX = 'set your directory (tenant) ID, e.g. from `az account show --query tenantId -o tsv`';
const NEEDED_FOR_LOGIN = { problem: 'is not set, and image-sync login needs it' };

const tenantId = z.string().refine(
  (value) => TENANT.test(value),
  refusal((value) => `"${value}" is not a tenant ID or domain`, TENANT_FIX),
);

const signInSchema = z
  .object({
    IMAGE_SYNC_CLIENT_ID: required(signInClientId, SIGN_IN_CLIENT_FIX, NEEDED_FOR_LOGIN),
    AZURE_TENANT_ID: required(tenantId, TENANT_FIX, NEEDED_FOR_LOGIN),
    AZURE_AUTHORITY_HOST: endpoint('AZURE_AUTHORITY_HOST', 'https://login.microsoftonline.us'),
    GRAPH_ENDPOINT: graphEndpoint,
  })
  .transform((settings): SignInSettings => ({
    clientId: settings.IMAGE_SYNC_CLIENT_ID,
    tenantId: settings.AZURE_TENANT_ID,
    authorityHost: settings.AZURE_AUTHORITY_HOST,
    graphEndpoint: settings.GRAPH_ENDPOINT,
  }));

export function loadSignInSettings(env: Environment): SignInSettings {
  return Object.freeze(parseSettings(signInSchema, env));
}

/** Which of the standard `@azure/identity` variables are set (their values are secrets or paths: only presence). */
export interface EnvironmentIdentityVariables {
  readonly clientId: boolean;
  readonly tenantId: boolean;
  readonly clientSecret: boolean;
  readonly clientCertificate: boolean;
  readonly federatedTokenFile: boolean;
  /** `IDENTITY_ENDPOINT` or `MSI_ENDPOINT`: App Service and Functions publish their managed identity so. */
  readonly managedIdentityEndpoint: boolean;
}

/** Read by @azure/identity itself, not by the app: only their presence is looked at, to say which credential will sign in. */
export function environmentIdentityVariables(env: Environment): EnvironmentIdentityVariables {
  const present = (name: string) => text(env, name) !== undefined;
  return Object.freeze({
    clientId: present('AZURE_CLIENT_ID'),
    tenantId: present('AZURE_TENANT_ID'),
    clientSecret: present('AZURE_CLIENT_SECRET'),
    clientCertificate: present('AZURE_CLIENT_CERTIFICATE_PATH'),
    federatedTokenFile: present('AZURE_FEDERATED_TOKEN_FILE'),
    managedIdentityEndpoint: present('IDENTITY_ENDPOINT') || present('MSI_ENDPOINT'),
  });
}
