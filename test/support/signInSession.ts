// A person at the command line for tests: a private config folder, the sign-in settings pointing at
// the identity stand-in, and runCli in process with stderr watched for the device code prompt.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CliIo } from '../../src/cli/cliIo';
import { runCli } from '../../src/cli/runCli';
import type { IdentityStandIn } from './identityStandIn';

export const SIGN_IN_CLIENT_ID = '5c0ffee0-0000-4000-8000-00000000c11e';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** HOME and XDG_CONFIG_HOME in a new temp folder (the record goes there), and the login settings. */
export async function personEnvironment(identity: IdentityStandIn): Promise<{ env: Record<string, string>; cleanUp: () => Promise<void> }> {
  const home = await mkdtemp(path.join(tmpdir(), 'image-sync-person-'));
  return {
    env: {
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      IMAGE_SYNC_CLIENT_ID: SIGN_IN_CLIENT_ID,
      AZURE_TENANT_ID: identity.tenantId,
      AZURE_AUTHORITY_HOST: identity.authorityHost,
    },
    cleanUp: () => rm(home, { recursive: true, force: true }),
  };
}

/**
 * Runs a command in process. `enterCode`: the person enters each device code shown on stderr (the
 * stand-in approves it), as someone at the terminal would; `interactive` is whether stderr is a terminal.
 */
export async function runAsPerson(
  argv: readonly string[],
  env: Record<string, string>,
  options: { identity?: IdentityStandIn; interactive?: boolean } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    env,
    stdout: (text) => (stdout += text.endsWith('\n') ? text : `${text}\n`),
    stderr: (text) => {
      stderr += text.endsWith('\n') ? text : `${text}\n`;
      const code = /enter the code (\S+)/.exec(text)?.[1];
      if (code !== undefined) options.identity?.approve(code);
    },
    interactive: options.interactive ?? false,
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
}
