import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';
import type { CredentialSettings } from '../config';

/** A fixed bearer token, for the local emulators only (config.ts refuses it for real endpoints). */
function staticTokenCredential(token: string): TokenCredential {
  const accessToken: AccessToken = { token, expiresOnTimestamp: Date.now() + 365 * 24 * 3600 * 1000 };
  return { getToken: () => Promise.resolve(accessToken) };
}

/**
 * Managed identity in Azure, developer sign-in (az login, VS Code) on a workstation: the standard
 * chain of `@azure/identity`. `AZURE_CLIENT_ID` selects a user-assigned managed identity.
 */
export function createCredential(config: CredentialSettings): TokenCredential {
  if (config.staticToken !== null) return staticTokenCredential(config.staticToken);
  return config.azureClientId === null
    ? new DefaultAzureCredential()
    : new DefaultAzureCredential({ managedIdentityClientId: config.azureClientId });
}
