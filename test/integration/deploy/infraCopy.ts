// Copies of what scripts/check-infra.mjs reads, each with an edit, all checked in one run of the script.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '../../..');
const SCRIPT = path.join(REPO, 'scripts/check-infra.mjs');
const COPIED = ['infra', 'azure.yaml', 'package.json', 'scripts', 'docs/deployment.md', 'docs/monitoring.md'];

export type Edit = readonly [file: string, change: (text: string) => string];

export interface InfraCopies {
  /** A copy with these edits; an edit that changes nothing throws (the test has gone stale). */
  edited(...edits: Edit[]): string;
  /** The findings of each root, from one run of the check. */
  check(roots: Readonly<Record<string, string>>): Record<string, string[]>;
  remove(): void;
}

export function infraCopies(): InfraCopies {
  const copies: string[] = [];
  return {
    edited(...edits) {
      const root = mkdtempSync(path.join(tmpdir(), 'image-sync-infra-'));
      copies.push(root);
      for (const entry of COPIED) {
        mkdirSync(path.dirname(path.join(root, entry)), { recursive: true });
        cpSync(path.join(REPO, entry), path.join(root, entry), { recursive: true });
      }
      for (const [file, change] of edits) {
        const full = path.join(root, file);
        const before = readFileSync(full, 'utf8');
        const after = change(before);
        if (after === before) throw new Error(`the edit of ${file} changed nothing: the test needs updating`);
        writeFileSync(full, after);
      }
      return root;
    },
    check(roots) {
      const run = spawnSync(process.execPath, [SCRIPT, '--json', ...Object.values(roots).flatMap((root) => ['--root', root])], {
        encoding: 'utf8',
        timeout: 60_000,
      });
      if (run.stderr !== '') throw new Error(`check-infra.mjs wrote to stderr: ${run.stderr}`);
      const { byRoot } = JSON.parse(run.stdout) as { byRoot: Record<string, string[]> };
      return Object.fromEntries(Object.entries(roots).map(([name, root]) => [name, byRoot[root] ?? ['(not checked)']]));
    },
    remove() {
      for (const dir of copies) rmSync(dir, { recursive: true, force: true });
    },
  };
}
