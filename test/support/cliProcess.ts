// Runs the compiled `image-sync` command as a user would (`npm run build` first): a child process
// with the given environment, no stdin, stdout and stderr captured.
import { startCli } from './cliChild';
import path from 'node:path';
import { REPO_ROOT } from './functionApp';

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
