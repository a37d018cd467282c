// Where the operating system keeps the tokens (Windows, macOS, Linux with libsecret): login hands
// them to the store through the `@azure/identity` plugin, never to the record file. Shown with the
// real DeviceCodeCredential and MSAL against the Entra stand-in, the store replaced by an in-memory
// one of the same plugin shape (test/support/memoryTokenStore.ts): keytar cannot be built here.
// Not shown: a later process signing in silently from the store. MSAL matches a cached refresh
// token's host against its built-in cloud aliases (login.microsoftonline.com and the national
// clouds) or authority metadata that reloading the store clears, so with the stand-in's loopback
// authority it finds no token. Entra's own hosts are among those aliases; that could not be run here.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { enableProtectedTokenCache } from '../../../src/auth/protectedTokenCache';
import type { Emulator } from '../../../src/emulator';
import { estate, managedImage, resourceGroup, subscription } from '../../../src/emulator';
import { commandSettings } from '../../support/cliProcess';
import { startTestEmulator } from '../../support/emulator';
import { type IdentityStandIn, startIdentityStandIn } from '../../support/identityStandIn';
import { memoryTokenStore } from '../../support/memoryTokenStore';
import { personEnvironment, runAsPerson } from '../../support/signInSession';

const SUB = '77777777-7777-4777-8777-777777777777';
const PERSON = { username: 'adele@contoso.example', objectId: '0c0c0c0c-0000-4000-8000-00000000beef' };
const store = memoryTokenStore();

let identity: IdentityStandIn;
let emulator: Emulator;
let env: Record<string, string>;
let cleanUp: () => Promise<void>;

beforeAll(async () => {
  await enableProtectedTokenCache(() => Promise.resolve(store.module));
  [identity, emulator] = await Promise.all([
    startIdentityStandIn({ person: PERSON }),
    startTestEmulator(
      estate({
        subscriptions: [
          subscription({
            id: SUB,
            resourceGroups: [
              resourceGroup('rg-images', [managedImage({ name: 'win11-2.0.0', upload: { outcome: 'ready', seconds: 0.3 } })]),
            ],
          }),
        ],
      }),
    ),
  ]);
});

afterAll(async () => {
  await Promise.all([identity.stop(), emulator.stop()]);
});

beforeEach(async () => {
  ({ env, cleanUp } = await personEnvironment(identity));
});

afterEach(async () => {
  await cleanUp();
});

function commandEnvironment(): Record<string, string> {
  const { IMAGE_SYNC_STATIC_TOKEN: _token, ...settings } = commandSettings(emulator, 'silent', { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB });
  return { ...settings, ...env };
}

describe('with a protected token store', () => {
  it('login says the sign-in is kept, and the store holds the tokens (not the record file)', async () => {
    const login = await runAsPerson(['login', '--json'], env, { identity });
    expect(login.code).toBe(0);
    expect(JSON.parse(login.stdout)).toMatchObject({ tokenCache: 'protected', tokenCacheAdvice: null });
    const cached = [...store.entries.values()].join('\n');
    expect(cached).toContain(identity.issued.at(-1)?.token);
  });

  it('when the store refuses (a locked keyring), login signs in for its process only and says so; nothing is written elsewhere', async () => {
    store.refuse = true;
    try {
      const login = await runAsPerson(['login', '--json'], env, { identity });
      expect(login.code).toBe(0);
      expect(login.stderr).toMatch(
        /image-sync: the protected token store refused \(Cannot create an item in a locked collection\); signing in for this process only\./,
      );
      expect(JSON.parse(login.stdout)).toMatchObject({
        tokenCache: 'process-only',
        tokenCacheAdvice: expect.stringMatching(/^the protected token store refused/) as unknown,
      });
    } finally {
      store.refuse = false;
    }
  });

  it("an Entra refusal is not taken for the store's: one device code, the refusal reported, no retry", async () => {
    identity.refuseTokens({ error: 'invalid_grant', description: 'AADSTS65001: consent required' });
    try {
      const asked = identity.requests.filter((request) => request.path.endsWith('/devicecode')).length;
      const login = await runAsPerson(['login'], env, { identity });
      expect(login.code).toBe(1);
      expect(login.stderr).toMatch(/image-sync: the sign-in did not finish \(.*invalid_grant\): Entra refused the grant/);
      expect(login.stderr).not.toMatch(/protected token store/);
      expect(identity.requests.filter((request) => request.path.endsWith('/devicecode')).length).toBe(asked + 1);
    } finally {
      identity.refuseTokens(null);
    }
  });

  it('logout empties the store, and commands no longer run as the person', async () => {
    expect((await runAsPerson(['login'], env, { identity })).code).toBe(0);
    const refreshTokens = () =>
      [...store.entries.values()].flatMap((cached) => Object.keys((JSON.parse(cached) as { RefreshToken: object }).RefreshToken));
    expect(refreshTokens()).toHaveLength(1);
    const logout = await runAsPerson(['logout', '--json'], env);
    expect(logout.code).toBe(0);
    expect(JSON.parse(logout.stdout)).toMatchObject({ signedOut: true, tokens: 'emptied', tokensDetail: null });
    // The store keeps no token of the person: every entry image-sync has there is an empty cache.
    for (const cached of store.entries.values())
      expect(JSON.parse(cached)).toEqual({ Account: {}, IdToken: {}, AccessToken: {}, RefreshToken: {}, AppMetadata: {} });
    const issuedBefore = identity.issued.length;
    const requestsBefore = identity.requests.length;
    // The environment's identity (nothing set here: no managed identity, no az login) is tried instead of the person's.
    const plan = await runAsPerson(['plan', '--json'], commandEnvironment(), { interactive: false });
    expect(plan.code).not.toBe(0);
    expect(identity.issued.length).toBe(issuedBefore);
    expect(identity.requests.length).toBe(requestsBefore);
  });
});
