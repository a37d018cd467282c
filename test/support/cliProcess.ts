// Runs the compiled `image-sync` command as a user would (`npm run build` first): a child process
// with the given environment, no stdin, stdout and stderr captured.
import { startCli } from './cliChild';
import path from 'node:path';
import type { Emulator } from '../../src/emulator';
import { REPO_ROOT } from './functionApp';
import { testConnectionString, uniqueQueueName, uniqueTableName } from './storage';

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export const CLI = path.join(REPO_ROOT, 'dist/src/cli/main.js');

export async function runImageSync(args: readonly string[], env: Readonly<Record<string, string>>, timeoutMs = 120_000): Promise<CliRun> {
  const { code, stdout, stderr } = await startCli(CLI, args, env, timeoutMs).done;
  return { code, stdout, stderr };
}

/**
 * The settings of a command run against `emulator` and the run's Azurite: the emulator's endpoints
 * and token (its certificate the child trusts through the run's NODE_EXTRA_CA_CERTS), queues and a
 * table of the test's own (named after `prefix`), and polling in seconds; `overrides` last.
 */
export function commandSettings(
  emulator: Emulator,
  prefix: string,
  overrides: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const { NODE_EXTRA_CA_CERTS: _inherited, ...endpoints } = emulator.settings();
  return {
    AzureWebJobsStorage: testConnectionString(),
    ...endpoints,
    IMAGE_SYNC_REGISTER_QUEUE: uniqueQueueName(`${prefix}-register`),
    IMAGE_SYNC_STATUS_QUEUE: uniqueQueueName(`${prefix}-status`),
    IMAGE_SYNC_TABLE: uniqueTableName(prefix),
    IMAGE_SYNC_POLL_INTERVAL_SECONDS: '1',
    IMAGE_SYNC_POLL_MAX_INTERVAL_SECONDS: '2',
    ...overrides,
  };
}
