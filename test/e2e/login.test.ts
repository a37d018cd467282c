// The built command, as a person runs it, on a machine without @azure/identity-cache-persistence
// (npm leaves it out here: keytar cannot build without libsecret's headers). `npm run build` first.
// Each command is its own process, so this shows what a person gets between commands here.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator';
import { estate, managedImage, resourceGroup, subscription } from '../../src/emulator';
import { commandSettings, runImageSync } from '../support/cliProcess';
import { startTestEmulator } from '../support/emulator';
import { type IdentityStandIn, startIdentityStandIn } from '../support/identityStandIn';
import { personEnvironment } from '../support/signInSession';

const SUB = '88888888-8888-4888-8888-888888888888';
const PERSON = { username: 'lee@contoso.example', objectId: '0d0d0d0d-0000-4000-8000-00000000beef' };

let identity: IdentityStandIn;
let emulator: Emulator;
let env: Record<string, string>;
let cleanUp: () => Promise<void>;

beforeAll(async () => {
  [identity, emulator] = await Promise.all([
    // The person enters each code at once: the child process has no test watching its stderr.
    startIdentityStandIn({ person: PERSON, autoApprove: true }),
    startTestEmulator(
      estate({
        subscriptions: [subscription({ id: SUB, resourceGroups: [resourceGroup('rg-images', [managedImage({ name: 'win11-3.0.0' })])] })],
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

describe('image-sync login and logout, built, without the optional token store package', () => {
  it('both have --help that names the settings and what is kept', async () => {
    const login = await runImageSync(['login', '--help'], {});
    expect(login.code).toBe(0);
    expect(login.stdout).toMatch(/^Usage: image-sync login \[--browser\] \[--json\]/);
    expect(login.stdout).toContain('IMAGE_SYNC_CLIENT_ID');
    expect(login.stdout).toContain('Tokens are never written\nto a plain file.');
    const logout = await runImageSync(['logout', '--help'], {});
    expect(logout.code).toBe(0);
    expect(logout.stdout).toMatch(/^Usage: image-sync logout \[--json\]/);
  });

  it('login signs in with a device code, says the sign-in is not kept here; the next process stops with what to do; logout ends it', async () => {
    const login = await runImageSync(['login'], env);
    expect(login.stderr).toMatch(/image-sync: To sign in, use a web browser to open the page .* and enter the code STAND\d+IN/);
    expect(login.code).toBe(0);
    expect(login.stdout).toContain(`Signed in as ${PERSON.username}`);
    expect(login.stdout).toMatch(
      /@azure\/identity-cache-persistence is not installed here\. To keep your sign-in between commands: install libsecret/,
    );
    expect(existsSync(path.join(env['XDG_CONFIG_HOME'] ?? '', 'image-sync', 'authentication-record.json'))).toBe(true);

    const { IMAGE_SYNC_STATIC_TOKEN: _token, ...settings } = commandSettings(emulator, 'login-e2e', { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB });
    const deviceCodes = identity.requests.filter((request) => request.path.endsWith('/devicecode')).length;
    const plan = await runImageSync(['plan', '--json'], { ...settings, ...env });
    expect(plan.code).toBe(1);
    expect(plan.stderr).toMatch(
      /^image-sync: signed in as lee@contoso\.example, but no token could be had without asking again \(this machine has no protected token store/,
    );
    expect(JSON.parse(plan.stdout)).toMatchObject({ error: { kind: 'failed' } });
    expect(identity.requests.filter((request) => request.path.endsWith('/devicecode')).length).toBe(deviceCodes);

    const logout = await runImageSync(['logout'], env);
    expect(logout).toMatchObject({
      code: 0,
      stdout: `Signed out lee@contoso.example. Commands now run as the managed identity where there is one, else your Azure CLI sign-in (az login).\n`,
    });
  });
});
