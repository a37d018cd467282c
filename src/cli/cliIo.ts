import type { Environment } from '../config';

/** What a command may touch of the outside world; tests pass their own. */
export interface CliIo {
  readonly env: Environment;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** True when stderr is a terminal: progress may redraw one line instead of printing many. */
  readonly interactive: boolean;
}

export const processIo: CliIo = {
  env: process.env,
  stdout: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  stderr: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  interactive: process.stderr.isTTY === true,
};

/** Thrown for a wrong command line; printed with the command's usage, exit code 1. */
export class UsageError extends Error {
  override name = 'UsageError';
}
