import { readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../local/packageRoot';

/** The version in this package's package.json, the one `npm install` installed. */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error(`package.json in ${packageRoot()} has no version`);
  return manifest.version;
}
