#!/usr/bin/env node
// After `tsc`: makes each of package.json's "bin" files executable (0o755). tsc writes them with the
// default file mode, so `npx image-sync` or a global install would fail with Permission denied.
// Run from `npm run build`; fails the build when a bin file was not built.
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { name, bin } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const files = typeof bin === 'string' ? { [name]: bin } : (bin ?? {});

for (const [command, file] of Object.entries(files)) {
  const absolute = path.resolve(root, file);
  if (!existsSync(absolute)) {
    console.error(`mark-bin-executable: the bin "${command}" (${file}) was not built`);
    process.exit(1);
  }
  chmodSync(absolute, 0o755);
}
