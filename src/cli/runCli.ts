import { ConfigError } from '../config';
import { PermanentError, TransientError, errorMessage } from '../errors';
import { redactText } from '../log';
import { type CliIo, UsageError } from './cliIo';
import type { Command } from './command';
import { emulatorCommand } from './commands/emulatorCommand';
import { planCommand } from './commands/planCommand';
import { pruneCommand } from './commands/pruneCommand';
import { registerCommand } from './commands/registerCommand';
import { statusCommand } from './commands/statusCommand';
import { syncCommand } from './commands/syncCommand';
import { EXIT_COULD_NOT_RUN, EXIT_OK } from './statusReport';

export const COMMANDS: readonly Command[] = [planCommand, syncCommand, registerCommand, statusCommand, pruneCommand, emulatorCommand];

export const USAGE = `Usage: image-sync <command> [options]

Keeps Windows 365 (Cloud PC) custom images in step with your Azure managed images.

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(10)}${command.summary}`).join('\n')}

Run \`image-sync <command> --help\` for a command's options. Settings come from the environment
(the same names as the function app's settings; see local.settings.sample.json).

Exit codes: 0 every in-scope image ready or skipped; 2 finished, but something needs attention;
1 could not run (bad settings, storage unreachable).`;

/** One line saying what went wrong and, where we know it, what to do. */
function describeFailure(error: unknown): string {
  if (error instanceof ConfigError) return `image-sync: ${error.message}`;
  if (error instanceof PermanentError || error instanceof TransientError) return `image-sync: ${redactText(error.message)}`;
  return `image-sync: ${redactText(errorMessage(error)).split('\n')[0] ?? ''}`;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(USAGE);
    return name === undefined ? EXIT_COULD_NOT_RUN : EXIT_OK;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) {
    io.stderr(`image-sync: unknown command "${name}". Commands: ${COMMANDS.map((candidate) => candidate.name).join(', ')}; see image-sync --help`);
    return EXIT_COULD_NOT_RUN;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`image-sync ${command.name}: ${error.message}. See image-sync ${command.name} --help`);
      return EXIT_COULD_NOT_RUN;
    }
    io.stderr(describeFailure(error));
    return EXIT_COULD_NOT_RUN;
  }
}
