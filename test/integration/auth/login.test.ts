// image-sync login / logout with the real DeviceCodeCredential (and MSAL) against a local stand-in for
// Microsoft Entra ID, and a later command run as the person against the tenant emulator. This
// machine has no protected token store (@azure/identity-cache-persistence cannot build here), so the
// tokens live in the login process only: what a later process can and cannot do is shown below.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { estate, managedImage, resourceGroup, subscription } from '../../../src/emulator';
import type { Emulator } from '../../../src/emulator';
import { commandSettings } from '../../support/cliProcess';
import { startTestEmulator } from '../../support/emulator';
import { type IdentityStandIn, startIdentityStandIn } from '../../support/identityStandIn';
import { SIGN_IN_CLIENT_ID, personEnvironment, runAsPerson } from '../../support/signInSession';

const SUB = '66666666-6666-4666-8666-666666666666';
const PERSON = { username: 'megan@contoso.example', objectId: '0b0b0b0b-0000-4000-8000-00000000beef' };

let identity: IdentityStandIn;
let emulator: Emulator;
let env: Record<string, string>;
let cleanUp: () => Promise<void>;

beforeAll(async () => {
  [identity, emulator] = await Promise.all([
    startIdentityStandIn({ person: PERSON }),
    startTestEmulator(
      estate({
        subscriptions: [
          subscription({
            id: SUB,
            resourceGroups: [
              resourceGroup('rg-images', [managedImage({ name: 'win11-1.0.0', upload: { outcome: 'ready', seconds: 0.3 } })]),
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

const recordFile = () => path.join(env['XDG_CONFIG_HOME'] ?? '', 'image-sync', 'authentication-record.json');
const deviceCodeRequests = () => identity.requests.filter((request) => request.path.endsWith('/oauth2/v2.0/devicecode')).length;

/** The app's settings against the emulator and Azurite, without the emulator's fixed token: the person's identity is used. */
function commandEnvironment(): Record<string, string> {
  const { IMAGE_SYNC_STATIC_TOKEN: _token, ...settings } = commandSettings(emulator, 'person', { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB });
  return { ...settings, ...env };
}

describe('image-sync login', () => {
  it('signs the person in with a device code and keeps only the authentication record, in the config folder', async () => {
    const login = await runAsPerson(['login', '--json'], env, { identity });

    expect(login.stderr).toMatch(
      /image-sync: To sign in, use a web browser to open the page https:\/\/127\.0\.0\.1:\d+\/devicelogin and enter the code STAND\d+IN/,
    );
    expect(login.code).toBe(0);
    const document = JSON.parse(login.stdout) as Record<string, unknown>;
    expect(document).toEqual({
      signedIn: true,
      username: PERSON.username,
      tenantId: identity.tenantId,
      clientId: SIGN_IN_CLIENT_ID,
      recordPath: recordFile(),
      tokenCache: 'process-only',
      tokenCacheAdvice: expect.stringMatching(/@azure\/identity-cache-persistence is not installed here.*libsecret/) as unknown,
    });
    // The real credential asked Entra (the stand-in) for a device code for Graph, then polled the token endpoint.
    expect(identity.requests.some((request) => request.path.endsWith('/devicecode') && request.clientId === SIGN_IN_CLIENT_ID)).toBe(true);
    expect(identity.issued.at(-1)).toMatchObject({ grantType: 'device_code', scope: 'https://graph.microsoft.com/.default' });

    const kept = readFileSync(recordFile(), 'utf8');
    expect(JSON.parse(kept)).toMatchObject({ username: PERSON.username, clientId: SIGN_IN_CLIENT_ID, tenantId: identity.tenantId });
    for (const { token } of identity.issued) expect(kept).not.toContain(token);
    expect(kept).not.toMatch(/refresh|access_token|secret/i);
  });

  it('says in words who is signed in, that the sign-in is not kept on this machine, and what to install', async () => {
    const login = await runAsPerson(['login'], env, { identity });
    expect(login.code).toBe(0);
    expect(login.stdout).toContain(
      `Signed in as ${PERSON.username} (tenant ${identity.tenantId}). Every image-sync command now runs as you`,
    );
    expect(login.stdout).toMatch(/cannot be kept in a protected token store on this machine: .*sudo apt-get install libsecret-1-dev/);
  });

  it('refused by Entra (invalid_grant: no consent, in the browser), says what an administrator runs, and keeps no record', async () => {
    identity.refuseTokens({
      error: 'invalid_grant',
      description: 'AADSTS65001: The user or administrator has not consented to use the application.',
    });
    try {
      const login = await runAsPerson(['login'], env, { identity });
      expect(login.code).toBe(1);
      expect(login.stderr).toMatch(
        new RegExp(
          `\\nimage-sync: the sign-in did not finish \\(post_request_failed: .*invalid_grant\\): Entra refused the grant, for the reason the browser showed; most often an administrator has not consented to the registration's permissions: az ad app permission admin-consent --id ${SIGN_IN_CLIENT_ID}\\n$`,
        ),
      );
      expect(existsSync(recordFile())).toBe(false);
    } finally {
      identity.refuseTokens(null);
    }
  });

  it('is a setting error naming the fix when IMAGE_SYNC_CLIENT_ID is missing, and asks Entra nothing', async () => {
    const before = identity.requests.length;
    const { IMAGE_SYNC_CLIENT_ID: _missing, ...withoutClient } = env;
    const login = await runAsPerson(['login', '--json'], withoutClient, { identity });
    expect(login.code).toBe(1);
    expect(login.stderr).toMatch(
      /^image-sync: IMAGE_SYNC_CLIENT_ID: is not set, and image-sync login needs it\. Fix: set the application \(client\) ID of the public client registration/,
    );
    expect(JSON.parse(login.stdout)).toMatchObject({ error: { kind: 'setting', setting: 'IMAGE_SYNC_CLIENT_ID' } });
    expect(identity.requests.length).toBe(before);
    expect(existsSync(recordFile())).toBe(false);
  });
});

describe('a later command while a person is signed in', () => {
  it('without a protected store and without a terminal, stops with what to do, and never asks for a device code', async () => {
    expect((await runAsPerson(['login'], env, { identity })).code).toBe(0);
    const asked = deviceCodeRequests();
    const plan = await runAsPerson(['plan', '--json'], commandEnvironment(), { identity });
    expect(plan.code).toBe(1);
    expect(plan.stderr).toMatch(
      new RegExp(
        `^image-sync: signed in as ${PERSON.username.replace('.', '\\.')}, but no token could be had without asking again \\(this machine has no protected token store.*run image-sync login again`,
      ),
    );
    expect(deviceCodeRequests()).toBe(asked);
  });

  it("at a terminal, asks the person for a device code once and runs as them: ARM and Graph with the person's tokens", async () => {
    expect((await runAsPerson(['login'], env, { identity })).code).toBe(0);
    const asked = deviceCodeRequests();
    const issuedBefore = identity.issued.length;
    const requestsBefore = emulator.requests.length;

    const plan = await runAsPerson(['plan', '--json'], commandEnvironment(), { identity, interactive: true });

    expect(plan.stderr).toMatch(/enter the code STAND\d+IN/);
    expect(plan.code).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({ images: [{ displayName: 'win11', version: '1.0.0' }] });
    expect(deviceCodeRequests()).toBe(asked + 1);
    // One device code for the command's ARM and Graph calls together (the emulator serves both on one
    // host, so one token): the calls after the first were silent, from the same sign-in.
    expect(identity.issued.slice(issuedBefore)).toEqual([
      { token: expect.any(String) as unknown, scope: `${emulator.settings().ARM_ENDPOINT}/.default`, grantType: 'device_code' },
    ]);
    const served = emulator.requests.slice(requestsBefore);
    expect(new Set(served.map((request) => request.service))).toEqual(new Set(['arm', 'graph']));
    expect(served.every((request) => request.hasBearerToken)).toBe(true);
  });
});

describe('storage as a person', () => {
  it("asks for the person's storage token (silently, from the same sign-in) when storage is identity-based", async () => {
    expect((await runAsPerson(['login'], env, { identity })).code).toBe(0);
    const { AzureWebJobsStorage: _key, ...settings } = commandEnvironment();
    const issuedBefore = identity.issued.length;
    // Identity-based storage at the emulator's https origin: it answers (404) whatever a storage client asks, after the bearer token.
    const requestsBefore = emulator.requests.length;
    const status = await runAsPerson(
      ['status', '--json'],
      {
        ...settings,
        AzureWebJobsStorage__accountName: 'stimagesyncperson',
        AzureWebJobsStorage__queueServiceUri: `${emulator.settings().ARM_ENDPOINT}/stimagesyncperson`,
        AzureWebJobsStorage__tableServiceUri: `${emulator.settings().ARM_ENDPOINT}/stimagesyncperson`,
      },
      { identity, interactive: true },
    );
    // The emulator is no storage account: the ledger read is refused, after the token was sent.
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/image-sync: ledger list: storage answered 404/);
    const storageCalls = emulator.requests.slice(requestsBefore).filter((request) => request.path.startsWith('/stimagesyncperson/'));
    expect(storageCalls.length).toBeGreaterThan(0);
    expect(storageCalls.every((request) => request.hasBearerToken)).toBe(true);
    expect(identity.issued.slice(issuedBefore)).toEqual(
      expect.arrayContaining([
        { token: expect.any(String) as unknown, scope: 'https://storage.azure.com/.default', grantType: 'refresh_token' },
      ]),
    );
  });
});

describe('a person Graph refuses', () => {
  afterEach(() => {
    emulator.setFaults();
  });

  it('is told the Entra role to ask for: Windows 365 Administrator or Intune Administrator', async () => {
    expect((await runAsPerson(['login'], env, { identity })).code).toBe(0);
    emulator.setFaults({ service: 'graph', refuse: { probability: 1, status: 403 } });

    const plan = await runAsPerson(['plan', '--json'], commandEnvironment(), { identity, interactive: true });

    expect(plan.code).toBe(1);
    expect(JSON.parse(plan.stdout)).toMatchObject({ error: { kind: 'failed' } });
    expect(plan.stderr).toMatch(
      /\nimage-sync: listing device images: 403 Forbidden: The caller does not have the permission this request needs\. megan@contoso\.example needs the Microsoft Entra role Windows 365 Administrator or Intune Administrator \(a Privileged Role Administrator assigns it/,
    );
  });
});

describe('image-sync logout', () => {
  it('removes the record, and commands return to the environment identity', async () => {
    expect((await runAsPerson(['login'], env, { identity })).code).toBe(0);
    expect(existsSync(recordFile())).toBe(true);

    const logout = await runAsPerson(['logout', '--json'], env);
    expect(logout.code).toBe(0);
    expect(JSON.parse(logout.stdout)).toEqual({
      signedOut: true,
      username: PERSON.username,
      recordPath: recordFile(),
      nowRunningAs: 'the managed identity where there is one, else your Azure CLI sign-in (az login)',
      tokens: 'no-store',
      tokensDetail: null,
    });
    expect(existsSync(recordFile())).toBe(false);

    const again = await runAsPerson(['logout'], env);
    expect(again).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^Nobody was signed in\. Commands run as the managed identity/) as unknown,
    });
  });
});
