// Which identity a process signs in with (DESIGN §19). The emulator's fixed token exists only for
// loopback endpoints (config.ts refuses it elsewhere), so it comes first; a person who ran
// `image-sync login` comes next, for every command, until `image-sync logout`; otherwise the
// environment's identity, in the order `DefaultAzureCredential` tries them.
import type { EnvironmentIdentityVariables } from '../config';

/** The non-secret part of a person's sign-in, as `image-sync login` kept it. */
export interface SignedInPerson {
  readonly username: string;
  readonly tenantId: string;
  readonly clientId: string;
  /** The host that issued the sign-in, e.g. login.microsoftonline.com. */
  readonly authority: string;
}

/** What the environment offers instead of a person, as `DefaultAzureCredential` will find it. */
export type EnvironmentIdentity =
  /** `AZURE_TENANT_ID` + `AZURE_CLIENT_ID` + a secret or certificate: a service principal (a pipeline). */
  | { readonly kind: 'service-principal'; readonly proof: 'secret' | 'certificate' }
  /** `AZURE_FEDERATED_TOKEN_FILE` with tenant and client: workload identity federation (a pipeline, AKS). */
  | { readonly kind: 'federated' }
  /** A managed identity (`AZURE_CLIENT_ID` picks a user-assigned one), or on a workstation the Azure CLI's sign-in. */
  | { readonly kind: 'managed-identity-or-azure-cli'; readonly managedIdentityClientId: string | null; readonly hostedInAzure: boolean };

export type CredentialChoice =
  | { readonly kind: 'static-token' }
  | { readonly kind: 'person'; readonly person: SignedInPerson }
  | { readonly kind: 'environment'; readonly identity: EnvironmentIdentity };

export interface CredentialFacts {
  readonly staticToken: boolean;
  readonly person: SignedInPerson | null;
  /** The value of `AZURE_CLIENT_ID`, when set. */
  readonly azureClientId: string | null;
  readonly variables: EnvironmentIdentityVariables;
}

export function environmentIdentity(facts: Pick<CredentialFacts, 'azureClientId' | 'variables'>): EnvironmentIdentity {
  const { variables } = facts;
  const servicePrincipal = variables.tenantId && variables.clientId;
  if (servicePrincipal && variables.clientSecret) return { kind: 'service-principal', proof: 'secret' };
  if (servicePrincipal && variables.clientCertificate) return { kind: 'service-principal', proof: 'certificate' };
  if (servicePrincipal && variables.federatedTokenFile) return { kind: 'federated' };
  return {
    kind: 'managed-identity-or-azure-cli',
    managedIdentityClientId: facts.azureClientId,
    hostedInAzure: variables.managedIdentityEndpoint,
  };
}

export function chooseCredential(facts: CredentialFacts): CredentialChoice {
  if (facts.staticToken) return { kind: 'static-token' };
  if (facts.person !== null) return { kind: 'person', person: facts.person };
  return { kind: 'environment', identity: environmentIdentity(facts) };
}

/** One line for people: who the commands run as. */
export function describeCredentialChoice(choice: CredentialChoice): string {
  switch (choice.kind) {
    case 'static-token':
      return "the local emulator's fixed token (IMAGE_SYNC_STATIC_TOKEN)";
    case 'person':
      return `${choice.person.username} (signed in with image-sync login, tenant ${choice.person.tenantId})`;
    case 'environment':
      return describeEnvironmentIdentity(choice.identity);
  }
}

export function describeEnvironmentIdentity(identity: EnvironmentIdentity): string {
  switch (identity.kind) {
    case 'service-principal':
      return `the service principal in AZURE_CLIENT_ID (with ${identity.proof === 'secret' ? 'AZURE_CLIENT_SECRET' : 'AZURE_CLIENT_CERTIFICATE_PATH'})`;
    case 'federated':
      return 'the federated identity in AZURE_CLIENT_ID (AZURE_FEDERATED_TOKEN_FILE)';
    case 'managed-identity-or-azure-cli': {
      const managed =
        identity.managedIdentityClientId === null ? 'the managed identity' : `the managed identity ${identity.managedIdentityClientId}`;
      return identity.hostedInAzure ? managed : `${managed} where there is one, else your Azure CLI sign-in (az login)`;
    }
  }
}
