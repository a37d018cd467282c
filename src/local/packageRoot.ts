import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The folder of this package (host.json, estates/): found upward from here, from sources or dist alike. */
export function packageRoot(from = __dirname): string {
  let dir = from;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'cloudpc-image-sync') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the cloudpc-image-sync package above ${from}`);
    dir = parent;
  }
}
