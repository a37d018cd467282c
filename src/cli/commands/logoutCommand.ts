import { TOKEN_CACHE_NAME, emptyProtectedTokenCache } from '../../auth/protectedTokenCache';
import { readSignInRecord, removeSignInRecord, signInRecordPath } from '../../auth/signInRecord';
import { errorMessage } from '../../errors';
import type { CliIo } from '../cliIo';
import { environmentIdentityLine } from '../commandIdentity';
import { COMMON_OPTIONS, type Command, parseCommandArgs, printJson } from '../command';
import { EXIT_OK } from '../statusReport';

/** `logout --json`. */
export interface LogoutDocument {
  /** False when nobody was signed in (logout is then a no-op, still exit 0). */
  readonly signedOut: boolean;
  readonly username: string | null;
  readonly recordPath: string;
  /** Who the commands run as from now on, in words. */
  readonly nowRunningAs: string;
  /** image-sync's tokens in the protected store: `emptied`; `no-store` (none here: they lived in the login process only); `not-emptied` (see tokensDetail). */
  readonly tokens: 'emptied' | 'no-store' | 'not-emptied';
  readonly tokensDetail: string | null;
}

async function emptyTokens(): Promise<Pick<LogoutDocument, 'tokens' | 'tokensDetail'>> {
  try {
    return { tokens: await emptyProtectedTokenCache(), tokensDetail: null };
  } catch (error) {
    return {
      tokens: 'not-emptied',
      tokensDetail: `the protected token store refused (${errorMessage(error).split('\n')[0] ?? ''}): remove the "${TOKEN_CACHE_NAME}" entry with your keyring's tool; image-sync no longer uses it either way`,
    };
  }
}

function tokensLine(document: LogoutDocument): string {
  if (document.tokens === 'emptied') return ' Your tokens were removed from the protected store.';
  if (document.tokens === 'not-emptied') return ` Your tokens were not removed: ${document.tokensDetail ?? ''}.`;
  return '';
}

export const logoutCommand: Command = {
  name: 'logout',
  summary: "sign out: commands return to the environment's identity",
  help: `Usage: image-sync logout [--json]

Forgets the person signed in with image-sync login: removes the authentication record from your
config folder, so every command runs again as the environment's identity (a service principal in
AZURE_CLIENT_ID with a secret, certificate or federated token, a managed identity, or az login).
image-sync's tokens in the operating system's protected store are emptied too (where there is no
store, they lived only in the login process).

Options:
  --json         { signedOut, username, recordPath, nowRunningAs, tokens, tokensDetail } on stdout
  -h, --help     this text

Exit codes: 0 signed out, or nobody was signed in; 1 the record could not be removed.`,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs(argv, COMMON_OPTIONS);
    if (values.help === true) return (io.stdout(this.help), EXIT_OK);
    // A record that cannot be read is removed all the same: logout is how a person gets out of it.
    const record = await readSignInRecord(io.env).catch(() => null);
    const removed = await removeSignInRecord(io.env);
    const document: LogoutDocument = {
      signedOut: removed,
      username: record?.username ?? null,
      recordPath: signInRecordPath(io.env),
      nowRunningAs: environmentIdentityLine(io),
      ...(await emptyTokens()),
    };
    if (values.json === true) printJson(io, document);
    else if (!removed) io.stdout(`Nobody was signed in. Commands run as ${document.nowRunningAs}.${tokensLine(document)}`);
    else
      io.stdout(
        `Signed out${document.username === null ? '' : ` ${document.username}`}. Commands now run as ${document.nowRunningAs}.${tokensLine(document)}`,
      );
    return EXIT_OK;
  },
};
