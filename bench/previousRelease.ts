// The previous release, for "this run against the last release on the same machine": the files of
// an earlier commit (`git archive`, so the repository's work tree and worktree list are untouched)
// in a temporary folder, compiled with this checkout's node_modules, and its CLI run on the same
// estate as the current one. The release's own emulator is not used: both builds meet this one.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../src/local/packageRoot';

const run = promisify(execFile);

export interface PreviousRelease {
  /** The commit as given (`30b33d4`) and resolved. */
  readonly ref: string;
  readonly commit: string;
  /** Its compiled CLI (`dist/src/cli/main.js` in the folder). */
  readonly cliPath: string;
  remove(): Promise<void>;
}

async function extract(root: string, commit: string, into: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const archive = spawn('git', ['-C', root, 'archive', '--format=tar', commit], { stdio: ['ignore', 'pipe', 'inherit'] });
    const untar = spawn('tar', ['-x', '-C', into], { stdio: ['pipe', 'inherit', 'inherit'] });
    archive.stdout.pipe(untar.stdin);
    archive.on('error', reject);
    untar.on('error', reject);
    archive.on('close', (code) => (code === 0 ? undefined : reject(new Error(`git archive ${commit} exited ${code ?? '?'}`))));
    untar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar exited ${code ?? '?'}`))));
  });
}

export async function preparePreviousRelease(ref: string): Promise<PreviousRelease> {
  const root = packageRoot();
  const commit = (await run('git', ['-C', root, 'rev-parse', '--verify', `${ref}^{commit}`])).stdout.trim();
  const folder = await mkdtemp(path.join(tmpdir(), `image-sync-bench-${commit.slice(0, 7)}-`));
  try {
    await extract(root, commit, folder);
    await symlink(path.join(root, 'node_modules'), path.join(folder, 'node_modules'), 'dir');
    await run(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: folder,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw error;
  }
  return { ref, commit, cliPath: path.join(folder, 'dist/src/cli/main.js'), remove: () => rm(folder, { recursive: true, force: true }) };
}
