import { type CliIo, UsageError } from './cliIo';
import { type Command, printJson } from './command';
import { type CommandFailure, type FailureDocument, describeFailure, failureLine, wantsJson } from './commandFailure';
import { emulatorCommand } from './commands/emulatorCommand';
import { planCommand } from './commands/planCommand';
import { pruneCommand } from './commands/pruneCommand';
import { rollbackCommand } from './commands/rollbackCommand';
import { registerCommand } from './commands/registerCommand';
import { reportCommand } from './commands/reportCommand';
import { statusCommand } from './commands/statusCommand';
import { syncCommand } from './commands/syncCommand';
import { loginCommand } from './commands/loginCommand';
import { logoutCommand } from './commands/logoutCommand';
import { packageVersion } from './packageVersion';
import { isRefusal, personRoleAdvice } from './personRoleAdvice';
import { readSignInRecord } from '../auth/signInRecord';
import { EXIT_COULD_NOT_RUN, EXIT_OK } from './statusReport';

export const COMMANDS: readonly Command[] = [
  planCommand,
  syncCommand,
  registerCommand,
  statusCommand,
  pruneCommand,
  rollbackCommand,
  reportCommand,
  loginCommand,
  logoutCommand,
  emulatorCommand,
];

export const USAGE = `Usage: image-sync <command> [options]

Keeps Windows 365 (Cloud PC) custom images in step with your Azure managed images.

Commands:
${COMMANDS.map((command) => `  ${command.name.padEnd(10)}${command.summary}`).join('\n')}

Options:
  -h, --help     this text
  -V, --version  the version of image-sync

Run \`image-sync <command> --help\` for a command's options. Settings come from the environment
(the same names as the function app's settings; see local.settings.sample.json).

Exit codes: 0 every in-scope image ready or skipped; 2 finished, but something needs attention;
1 could not run (bad settings, storage unreachable), said in one line on stderr; with --json, also
{ "error": { "kind", "message", "setting", "endpoint" } } on stdout.`;

/** The io, noting whether anything reached stdout: a JSON error must not follow a document already printed. */
function watchStdout(io: CliIo): { io: CliIo; written: () => boolean } {
  let written = false;
  const stdout = (text: string) => {
    written = true;
    io.stdout(text);
  };
  return { io: { ...io, stdout }, written: () => written };
}

/** A refusal met by a person signed in with `image-sync login` says which role they lack. */
async function withRoleAdvice(failure: CommandFailure, error: unknown, io: CliIo): Promise<CommandFailure> {
  if (!isRefusal(error)) return failure;
  const record = await readSignInRecord(io.env).catch(() => null);
  if (record === null) return failure;
  const advice = personRoleAdvice(error, record.username);
  return failure.message.includes(advice) ? failure : { ...failure, message: `${failure.message.replace(/\.$/, '')}. ${advice}` };
}

async function couldNotRun(
  io: CliIo,
  argv: readonly string[],
  error: unknown,
  command: string | null,
  stdoutWritten: boolean,
): Promise<number> {
  const failure = await withRoleAdvice(describeFailure(error, command), error, io);
  io.stderr(failureLine(failure, command));
  if (wantsJson(argv) && !stdoutWritten) printJson(io, { error: failure } satisfies FailureDocument);
  return EXIT_COULD_NOT_RUN;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    io.stderr(USAGE);
    return EXIT_COULD_NOT_RUN;
  }
  if (name === '--help' || name === '-h' || name === 'help') return (io.stdout(USAGE), EXIT_OK);
  if (name === '--version' || name === '-V') return (io.stdout(packageVersion()), EXIT_OK);
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) {
    const known = COMMANDS.map((candidate) => candidate.name).join(', ');
    return couldNotRun(io, argv, new UsageError(`unknown command "${name}". Commands: ${known}`), null, false);
  }
  const watched = watchStdout(io);
  try {
    return await command.run(rest, watched.io);
  } catch (error) {
    return couldNotRun(io, rest, error, command.name, watched.written());
  }
}
