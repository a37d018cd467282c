import { execFileSync } from 'node:child_process';
import path from 'node:path';

export interface RegisteredBinding {
  readonly type: string;
  readonly direction: string;
  readonly [option: string]: unknown;
}

export interface RegisteredFunction {
  readonly name: string;
  readonly bindings: Readonly<Record<string, RegisteredBinding>>;
}

export interface IndexedFunctionApp {
  readonly main: string;
  readonly files: readonly string[];
  readonly functions: readonly RegisteredFunction[];
}

export const REPO_ROOT = path.resolve(__dirname, '../..');

/**
 * Loads the compiled app (`npm run build` first) in a fresh Node process, as the worker would, with
 * the given app settings as its environment, and returns what it registered.
 */
export function indexFunctionApp(appSettings: Readonly<Record<string, string>> = {}): IndexedFunctionApp {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', ...appSettings };
  const output = execFileSync(process.execPath, [path.join(__dirname, 'indexFunctionApp.cjs'), REPO_ROOT], { env, encoding: 'utf8' });
  const parsed = JSON.parse(output) as { main: string; files: string[]; registrations: RegisteredFunction[] };
  return { main: parsed.main, files: parsed.files, functions: parsed.registrations };
}

/** The trigger binding of a registered function. */
export function triggerOf(fn: RegisteredFunction): RegisteredBinding {
  const trigger = Object.values(fn.bindings).find((binding) => /trigger$/i.test(binding.type));
  if (trigger === undefined) throw new Error(`function ${fn.name} has no trigger binding`);
  return trigger;
}
