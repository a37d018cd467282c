import type { AuthenticationRecord } from '@azure/identity';
import { type SignInSettings, loadSignInSettings } from '../../config';
import { createSignInCredential } from '../../auth/personCredential';
import {
  type ProtectedTokenCache,
  enableProtectedTokenCache,
  protectedStoreAdvice,
  protectedStoreRefusal,
} from '../../auth/protectedTokenCache';
import { signInFailure } from '../../auth/signInFailure';
import { writeSignInRecord } from '../../auth/signInRecord';
import type { CliIo } from '../cliIo';
import { environmentIdentityLine } from '../commandIdentity';
import { COMMON_OPTIONS, type Command, parseCommandArgs, printJson } from '../command';
import { EXIT_OK } from '../statusReport';

/** `login --json`: who is signed in, and whether the tokens outlive this process. */
export interface LoginDocument {
  readonly signedIn: true;
  readonly username: string;
  readonly tenantId: string;
  readonly clientId: string;
  /** The authentication record's file (no secret in it). */
  readonly recordPath: string;
  /** `protected`: the operating system's store keeps the tokens; `process-only`: they died with this process. */
  readonly tokenCache: 'protected' | 'process-only';
  /** With `process-only`: why, and what to install. */
  readonly tokenCacheAdvice: string | null;
}

async function signIn(settings: SignInSettings, cache: ProtectedTokenCache, browser: boolean, io: CliIo): Promise<AuthenticationRecord> {
  const credential = createSignInCredential(
    { ...settings, protectedCache: cache.available },
    { browser, prompt: (info) => io.stderr(`image-sync: ${info.message}`) },
  );
  let record: AuthenticationRecord | undefined;
  try {
    record = await credential.authenticate(`${settings.graphEndpoint}/.default`);
  } catch (error) {
    throw signInFailure(error, settings.clientId);
  }
  if (record === undefined) throw signInFailure(new Error('no account came back from the sign-in'), settings.clientId);
  return record;
}

export const loginCommand: Command = {
  name: 'login',
  summary: 'sign in as yourself (device code or browser): every command then runs as you',
  help: `Usage: image-sync login [--browser] [--json] [--verbose]

Signs you in with your own Microsoft Entra account, so that plan, sync, status, prune, rollback
and register run as you until image-sync logout (which returns them to the environment's
identity: AZURE_CLIENT_ID, a managed identity, or az login). By default it shows a device code
to enter at https://microsoft.com/devicelogin from any browser; --browser opens one here instead.

Settings:
  IMAGE_SYNC_CLIENT_ID   the public client registration people sign in to (docs/permissions.md,
                         "People at the command line", has the one-time az ad app create commands)
  AZURE_TENANT_ID        your directory (tenant) ID
  AZURE_AUTHORITY_HOST   only for a national cloud (e.g. https://login.microsoftonline.us)

Only the authentication record (who you are, which tenant and application: no secret) is kept, in
your config folder. Tokens go to the operating system's protected store (Windows DPAPI, macOS
Keychain, Linux libsecret) when @azure/identity-cache-persistence is installed; where it is not,
the sign-in lasts for this process only and login says what to install. Tokens are never written
to a plain file.

You need a Windows 365 Administrator or Intune Administrator role for Graph, and the Azure roles
docs/permissions.md lists for each command; a command refused for a role says which.

Options:
  --browser      sign in in a browser on this machine instead of with a device code
  --json         { signedIn, username, tenantId, clientId, recordPath, tokenCache, tokenCacheAdvice }
  -v, --verbose  log what happens on stderr
  -h, --help     this text

Exit codes: 0 signed in; 1 could not sign in (a setting, a refusal, a code not entered in time).`,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs(argv, { ...COMMON_OPTIONS, browser: { type: 'boolean' } });
    if (values.help === true) return (io.stdout(this.help), EXIT_OK);
    const settings = loadSignInSettings(io.env);
    const cache = await enableProtectedTokenCache();
    let record: AuthenticationRecord;
    let kept = cache;
    try {
      record = await signIn(settings, cache, values.browser === true, io);
    } catch (error) {
      // The store was there but refused (a locked keyring, no D-Bus session): sign in for this process instead.
      const refusal = cache.available ? protectedStoreRefusal(error) : null;
      if (refusal === null) throw error;
      kept = { available: false, reason: refusal };
      io.stderr(`image-sync: ${kept.reason}; signing in for this process only.`);
      record = await signIn(settings, kept, values.browser === true, io);
    }
    const recordPath = await writeSignInRecord(io.env, record);
    const advice = kept.available ? null : `${kept.reason}. To keep your sign-in between commands: ${protectedStoreAdvice()}`;
    const document: LoginDocument = {
      signedIn: true,
      username: record.username,
      tenantId: record.tenantId,
      clientId: record.clientId,
      recordPath,
      tokenCache: kept.available ? 'protected' : 'process-only',
      tokenCacheAdvice: advice,
    };
    if (values.json === true) printJson(io, document);
    else {
      io.stdout(
        `Signed in as ${record.username} (tenant ${record.tenantId}). Every image-sync command now runs as you; image-sync logout returns to ${environmentIdentityLine(io)}.`,
      );
      if (advice !== null)
        io.stdout(
          `Your sign-in cannot be kept in a protected token store on this machine: ${advice}. Until then, each later command run in a terminal asks for a device code again, and fails elsewhere.`,
        );
    }
    return EXIT_OK;
  },
};
