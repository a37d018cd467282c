// Who a command runs as (DESIGN §19): read the sign-in record, let the rule choose, and make the
// person's credential when a person is signed in. The app's own credentials are made where they
// always were (createSharedClients), so nothing changes for the function app or a pipeline.
import type { TokenCredential } from '@azure/core-auth';
import type { AuthenticationRecord } from '@azure/identity';
import { type Config, environmentIdentityVariables, loadConfig } from '../config';
import { createPersonCredential } from '../auth/personCredential';
import { enableProtectedTokenCache } from '../auth/protectedTokenCache';
import { readSignInRecord } from '../auth/signInRecord';
import { type CredentialChoice, chooseCredential, describeEnvironmentIdentity, environmentIdentity } from '../rules/chooseCredential';
import type { CliIo } from './cliIo';

export interface CommandIdentity {
  readonly choice: CredentialChoice;
  /** The person's credential; undefined: the app's own (static token or the environment). */
  readonly credential: TokenCredential | undefined;
}

export function credentialChoiceFor(config: Pick<Config, 'staticToken' | 'azureClientId'>, record: AuthenticationRecord | null, io: CliIo) {
  return chooseCredential({
    staticToken: config.staticToken !== null,
    person: record,
    azureClientId: config.azureClientId,
    variables: environmentIdentityVariables(io.env),
  });
}

export async function commandIdentity(config: Config, io: CliIo): Promise<CommandIdentity> {
  const record = await readSignInRecord(io.env);
  const choice = credentialChoiceFor(config, record, io);
  if (choice.kind !== 'person' || record === null) return { choice, credential: undefined };
  const cache = await enableProtectedTokenCache();
  const credential = createPersonCredential(record, {
    protectedCache: cache.available,
    interactive: io.interactive,
    prompt: (info) => io.stderr(`image-sync: ${info.message}`),
  });
  // The person's sign-in is confirmed before anything else: a command that cannot have their token
  // says so in one line, instead of each SDK wrapping the refusal in its own words mid-run.
  await credential.getToken(`${config.graphEndpoint}/.default`);
  return { choice, credential };
}

/** Who the commands run as when nobody is signed in, in words (what `logout` returns to). */
export function environmentIdentityLine(io: CliIo): string {
  let azureClientId: string | null = null;
  try {
    azureClientId = loadConfig(io.env).azureClientId;
  } catch {
    // login and logout need none of the app's other settings: the line is then less precise, never wrong.
  }
  return describeEnvironmentIdentity(environmentIdentity({ azureClientId, variables: environmentIdentityVariables(io.env) }));
}
