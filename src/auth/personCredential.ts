// A person's own identity (DESIGN §19): the public client registration named by IMAGE_SYNC_CLIENT_ID,
// signed in with the device code flow (or a browser) by `image-sync login`, then silently from the
// authentication record and the tokens in the protected store for every later command.
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import {
  AuthenticationRequiredError,
  type AuthenticationRecord,
  DeviceCodeCredential,
  type DeviceCodeInfo,
  InteractiveBrowserCredential,
} from '@azure/identity';
import { isLoopbackUrl } from '../config';
import { PermanentError } from '../errors';
import { TOKEN_CACHE_NAME } from './protectedTokenCache';

export interface PersonSignIn {
  readonly clientId: string;
  readonly tenantId: string;
  /** e.g. https://login.microsoftonline.com */
  readonly authorityHost: string;
  /** Tokens go to the operating system's protected store; false: they live in this process only. */
  readonly protectedCache: boolean;
}

/** A later command found a record, but no token it may use without asking the person again. */
export class SignInRequiredError extends PermanentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super({ message, status: 401, code: 'SignInRequired', ...options });
    this.name = 'SignInRequiredError';
  }
}

function sharedOptions(signIn: PersonSignIn) {
  return {
    clientId: signIn.clientId,
    tenantId: signIn.tenantId,
    authorityHost: signIn.authorityHost,
    // Instance discovery asks the public cloud about the authority: a local stand-in is not there.
    disableInstanceDiscovery: isLoopbackUrl(signIn.authorityHost),
    ...(signIn.protectedCache ? { tokenCachePersistenceOptions: { enabled: true, name: TOKEN_CACHE_NAME } } : {}),
  };
}

/** For `image-sync login`: the credential whose `authenticate` asks the person and returns the record. */
export function createSignInCredential(
  signIn: PersonSignIn,
  how: { readonly browser: boolean; readonly prompt: (info: DeviceCodeInfo) => void },
): DeviceCodeCredential | InteractiveBrowserCredential {
  if (how.browser) return new InteractiveBrowserCredential({ ...sharedOptions(signIn), redirectUri: 'http://localhost' });
  return new DeviceCodeCredential({ ...sharedOptions(signIn), userPromptCallback: how.prompt });
}

/** `https://` + the record's authority (a host, or host:port for a local stand-in). */
export function authorityHostOf(record: AuthenticationRecord): string {
  return `https://${record.authority}`;
}

/**
 * For every later command: silent from the record. When the token cannot be had silently (no
 * protected store on this machine, or the sign-in expired), a person at a terminal is asked for a
 * device code again (`interactive`); anywhere else the command stops with what to do.
 */
export function createPersonCredential(
  record: AuthenticationRecord,
  options: { readonly protectedCache: boolean; readonly interactive: boolean; readonly prompt: (info: DeviceCodeInfo) => void },
): TokenCredential {
  const signIn: PersonSignIn = {
    clientId: record.clientId,
    tenantId: record.tenantId,
    authorityHost: authorityHostOf(record),
    protectedCache: options.protectedCache,
  };
  const credential = new DeviceCodeCredential({
    ...sharedOptions(signIn),
    authenticationRecord: record,
    disableAutomaticAuthentication: !options.interactive,
    userPromptCallback: options.prompt,
  });
  // One at a time: a command asks for ARM, Graph and storage tokens at once, and with no token yet
  // each would start its own device code; after the first, the others are silent.
  let previous: Promise<unknown> = Promise.resolve();
  return {
    async getToken(scopes: string | string[], getTokenOptions?: GetTokenOptions): Promise<AccessToken | null> {
      const turn = previous.catch(() => undefined);
      // Without CAE, always: @azure/identity keeps CAE tokens in a second cache that the sign-in did
      // not fill, so an SDK asking for CAE (the ARM pipeline does) would need another device code.
      const token = turn.then(() => credential.getToken(scopes, { ...getTokenOptions, enableCae: false }));
      previous = token;
      try {
        return await token;
      } catch (error) {
        if (!(error instanceof AuthenticationRequiredError)) throw error;
        const why = options.protectedCache
          ? 'the sign-in has expired or was revoked'
          : 'this machine has no protected token store, so the sign-in lasts only as long as the image-sync login process';
        throw new SignInRequiredError(
          `signed in as ${record.username}, but no token could be had without asking again (${why}): run image-sync login again in a terminal, or run this command in a terminal to be asked for a device code, or image-sync logout to use the environment's identity`,
          { cause: error },
        );
      }
    },
  };
}
