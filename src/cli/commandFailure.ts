// What a command that could not run (exit code 1) says: one line on stderr and, when --json was
// asked for, the same as a JSON document on stdout, so a script reading stdout always gets JSON.
import { ConfigError } from '../config';
import { PermanentError, TransientError, errorMessage } from '../errors';
import { redactText } from '../log';
import { StorageUnreachableError } from '../storage/classifyStorageError';
import { UsageError } from './cliIo';
import { StorageNotAnsweringError } from './storagePreflight';

export interface CommandFailure {
  /** `usage`: the command line; `setting`: a setting is missing or wrong; `storage-unreachable`; `failed`: anything else. */
  readonly kind: 'usage' | 'setting' | 'storage-unreachable' | 'failed';
  /** What went wrong and, where known, what to do: the stderr line without its `image-sync…: ` prefix. */
  readonly message: string;
  /** The setting to fix, when one is to blame. */
  readonly setting: string | null;
  /** The storage endpoint that did not answer. */
  readonly endpoint: string | null;
}

/** `{ "error": CommandFailure }`: the --json document of a command that exits 1. */
export interface FailureDocument {
  readonly error: CommandFailure;
}

/** `command`: the command that failed, when there was one (usage errors point at its --help). */
export function describeFailure(error: unknown, command: string | null): CommandFailure {
  if (error instanceof UsageError) {
    const help = command === null ? 'image-sync --help' : `image-sync ${command} --help`;
    return { kind: 'usage', message: `${error.message}. See ${help}`, setting: null, endpoint: null };
  }
  if (error instanceof ConfigError) return { kind: 'setting', message: error.message, setting: error.setting, endpoint: null };
  if (error instanceof StorageUnreachableError) {
    const setting = error instanceof StorageNotAnsweringError ? error.setting : null;
    return { kind: 'storage-unreachable', message: redactText(error.message), setting, endpoint: error.endpoint };
  }
  const message =
    error instanceof PermanentError || error instanceof TransientError ? error.message : (errorMessage(error).split('\n')[0] ?? '');
  return { kind: 'failed', message: redactText(message), setting: null, endpoint: null };
}

/** The stderr line: usage errors name the command, as `image-sync status: …`. */
export function failureLine(failure: CommandFailure, command: string | null): string {
  return failure.kind === 'usage' && command !== null ? `image-sync ${command}: ${failure.message}` : `image-sync: ${failure.message}`;
}

/** True when the command line asks for JSON (options end at `--`). */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}
