// The compiled CLI run from a package root of its own whose host.json makes the queues quick: the
// CLI reads host.json from its package root (src/local/packageRoot.ts), and the deployed one hides a
// failed message for 30 s, which would make every crash or outage in a test cost 30 s or more. The
// copy is dist/, package.json and host.json (queue settings overridden, the rest as deployed), with
// node_modules a symlink to the repository's.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './functionApp';

export interface FastPackageRoot {
  readonly root: string;
  /** dist/src/cli/main.js of the copy. */
  readonly cli: string;
  /** The queue settings its host.json has. */
  readonly queues: Readonly<Record<string, unknown>>;
  remove(): void;
}

export const FAST_QUEUE_SETTINGS = Object.freeze({ visibilityTimeout: '00:00:01', maxPollingInterval: '00:00:00.200' });

export function fastPackageRoot(queueSettings: Readonly<Record<string, unknown>> = FAST_QUEUE_SETTINGS): FastPackageRoot {
  const root = mkdtempSync(path.join(tmpdir(), 'image-sync-pkg-'));
  cpSync(path.join(REPO_ROOT, 'dist'), path.join(root, 'dist'), { recursive: true });
  cpSync(path.join(REPO_ROOT, 'package.json'), path.join(root, 'package.json'));
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  const hostJson = JSON.parse(readFileSync(path.join(REPO_ROOT, 'host.json'), 'utf8')) as {
    extensions: { queues: Record<string, unknown> };
  };
  const queues = { ...hostJson.extensions.queues, ...queueSettings };
  writeFileSync(path.join(root, 'host.json'), JSON.stringify({ ...hostJson, extensions: { ...hostJson.extensions, queues } }, null, 2));
  const cli = path.join(root, 'dist/src/cli/main.js');
  // The copy must find itself, not the repository, or it would read the deployed host.json.
  const found = execFileSync(
    process.execPath,
    ['-e', `process.stdout.write(require(${JSON.stringify(path.join(root, 'dist/src/local/packageRoot.js'))}).packageRoot())`],
    { encoding: 'utf8' },
  );
  if (found !== root) throw new Error(`packageRoot() of the copy is ${found}, not ${root}`);
  return { root, cli, queues, remove: () => rmSync(root, { recursive: true, force: true }) };
}
