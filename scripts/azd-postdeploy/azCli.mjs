// Running the Azure CLI (and node) from the hook: captured or shown, with Windows' cmd quoting, and
// the error the hook reports a failed step with.
import { spawnSync } from 'node:child_process';

export class HookError extends Error {}

/** @param {Error | undefined} error @returns {string | undefined} the Node.js error code (ENOENT, ...) */
export const errnoCode = (error) => /** @type {NodeJS.ErrnoException | undefined} */ (error)?.code;

export function quoteForCmd(arg) {
  return /[\s"&|<>^]/.test(arg) ? `"${arg.replace(/"/g, '""')}"` : arg;
}
export const shown = (command, args) => [command, ...args].map((arg) => (/\s/.test(arg) ? `"${arg}"` : arg)).join(' ');

/** Runs a command; returns { status, stdout, stderr }. Output is captured, not shown. */
export function capture(command, args) {
  const windows = process.platform === 'win32';
  const result = spawnSync(command, windows ? args.map(quoteForCmd) : args, {
    encoding: 'utf8',
    shell: windows,
    maxBuffer: 32 * 1024 * 1024,
  });
  if (errnoCode(result.error) === 'ENOENT')
    throw new HookError(
      `"${command}" is not installed or not on PATH${command === 'az' ? ': install the Azure CLI and sign in (az login)' : ''}`,
    );
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** Runs a command with its output shown (in a dry run: only shown). */
export function run(dryRun, command, args, acceptedCodes = [0]) {
  console.log(`${dryRun ? 'would run' : 'running'}: ${shown(command, args)}`);
  if (dryRun) return 0;
  const windows = process.platform === 'win32';
  const result = spawnSync(command, windows ? args.map(quoteForCmd) : args, { stdio: 'inherit', shell: windows });
  if (errnoCode(result.error) === 'ENOENT') throw new HookError(`"${command}" is not installed or not on PATH`);
  if (!acceptedCodes.includes(result.status ?? -1))
    throw new HookError(`"${shown(command, args)}" failed (exit ${result.status ?? result.error?.message})`);
  return result.status;
}

export const firstLine = (text) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line !== '') ?? '';

export function parseJson(text, what) {
  try {
    return JSON.parse(text);
  } catch {
    throw new HookError(`${what}: the Azure CLI did not answer JSON (${firstLine(text) || 'no output'})`);
  }
}
