import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type CliIo, UsageError } from './cliIo';

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** The whole --help text. */
  readonly help: string;
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
} as const satisfies Options;

/** parseArgs, strict, with errors a person can act on. */
export function parseCommandArgs<O extends Options>(argv: readonly string[], options: O, positionals = 0) {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: positionals > 0, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message.replace(/\. To specify a positional argument.*$/s, '') : String(error));
  }
  if (parsed.positionals.length > positionals) throw new UsageError(`unexpected argument "${parsed.positionals[positionals]}"`);
  return parsed;
}

export function printJson(io: CliIo, value: unknown): void {
  io.stdout(JSON.stringify(value, null, 2));
}
