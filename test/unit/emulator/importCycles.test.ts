// The emulator's routing is one-way (docs/emulator.md): the route table on top, handlers below,
// stores and records at the bottom. A circle of imports coming back fails here.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

describe('src/emulator imports', () => {
  it('form no cycle', () => {
    const run = spawnSync(process.execPath, ['scripts/import-cycles.mjs', 'src/emulator'], { encoding: 'utf8' });
    expect(run.stdout + run.stderr).toMatch(/0 import cycles/);
    expect(run.status).toBe(0);
  });
});
