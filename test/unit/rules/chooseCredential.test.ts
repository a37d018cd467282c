import { describe, expect, it } from 'vitest';
import type { EnvironmentIdentityVariables } from '../../../src/config';
import { type CredentialFacts, chooseCredential, describeCredentialChoice } from '../../../src/rules/chooseCredential';

const NOTHING: EnvironmentIdentityVariables = {
  clientId: false,
  tenantId: false,
  clientSecret: false,
  clientCertificate: false,
  federatedTokenFile: false,
  managedIdentityEndpoint: false,
};
const PERSON = {
  username: 'megan@contoso.example',
  tenantId: 'contoso.onmicrosoft.com',
  clientId: 'c',
  authority: 'login.microsoftonline.com',
};
const PIPELINE_CLIENT = '7d2b1c1e-0000-4000-8000-00000000a001';

const facts = (
  overrides: Partial<Omit<CredentialFacts, 'variables'>> & { variables?: Partial<EnvironmentIdentityVariables> } = {},
): CredentialFacts => ({
  staticToken: false,
  person: null,
  azureClientId: null,
  ...overrides,
  variables: { ...NOTHING, ...overrides.variables },
});

describe('chooseCredential', () => {
  it('uses the person signed in with image-sync login, over every identity the environment has', () => {
    const choice = chooseCredential(
      facts({
        person: PERSON,
        azureClientId: PIPELINE_CLIENT,
        variables: { clientId: true, tenantId: true, clientSecret: true, managedIdentityEndpoint: true },
      }),
    );
    expect(choice).toEqual({ kind: 'person', person: PERSON });
    expect(describeCredentialChoice(choice)).toBe(
      'megan@contoso.example (signed in with image-sync login, tenant contoso.onmicrosoft.com)',
    );
  });

  it("uses the emulator's fixed token even while a person is signed in (it is refused for anything but loopback endpoints)", () => {
    expect(chooseCredential(facts({ staticToken: true, person: PERSON }))).toEqual({ kind: 'static-token' });
  });

  it('with nobody signed in, a pipeline service principal with a secret or a certificate', () => {
    const secret = chooseCredential(
      facts({ azureClientId: PIPELINE_CLIENT, variables: { clientId: true, tenantId: true, clientSecret: true } }),
    );
    expect(secret).toEqual({ kind: 'environment', identity: { kind: 'service-principal', proof: 'secret' } });
    expect(describeCredentialChoice(secret)).toBe('the service principal in AZURE_CLIENT_ID (with AZURE_CLIENT_SECRET)');
    expect(chooseCredential(facts({ variables: { clientId: true, tenantId: true, clientCertificate: true } }))).toEqual({
      kind: 'environment',
      identity: { kind: 'service-principal', proof: 'certificate' },
    });
  });

  it('a federated identity (workload identity federation) from AZURE_FEDERATED_TOKEN_FILE', () => {
    const choice = chooseCredential(facts({ variables: { clientId: true, tenantId: true, federatedTokenFile: true } }));
    expect(choice).toEqual({ kind: 'environment', identity: { kind: 'federated' } });
  });

  it('without a tenant, AZURE_CLIENT_ID and a secret are no service principal: the client id picks a user-assigned managed identity', () => {
    const choice = chooseCredential(
      facts({ azureClientId: PIPELINE_CLIENT, variables: { clientId: true, clientSecret: true, managedIdentityEndpoint: true } }),
    );
    expect(choice).toEqual({
      kind: 'environment',
      identity: { kind: 'managed-identity-or-azure-cli', managedIdentityClientId: PIPELINE_CLIENT, hostedInAzure: true },
    });
    expect(describeCredentialChoice(choice)).toBe(`the managed identity ${PIPELINE_CLIENT}`);
  });

  it('on a workstation with nothing set: a managed identity where there is one, else the Azure CLI sign-in', () => {
    const choice = chooseCredential(facts());
    expect(choice).toEqual({
      kind: 'environment',
      identity: { kind: 'managed-identity-or-azure-cli', managedIdentityClientId: null, hostedInAzure: false },
    });
    expect(describeCredentialChoice(choice)).toBe('the managed identity where there is one, else your Azure CLI sign-in (az login)');
  });
});
