// Counts the import cycles among the TypeScript modules of one folder (default: src/emulator): every
// relative `import … from './x'` and `export … from './x'`, type-only ones included, and prints each
// cycle. Exits 1 when there is one. Usage: node scripts/import-cycles.mjs [folder]
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const folder = process.argv[2] ?? 'src/emulator';
const modules = readdirSync(folder)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => basename(file, '.ts'))
  .sort();
const known = new Set(modules);
const imports = new Map(
  modules.map((name) => {
    const text = readFileSync(join(folder, `${name}.ts`), 'utf8');
    const targets = [...text.matchAll(/^\s*(?:import|export)\b[^;]*?\bfrom\s+'\.\/([^']+)'/gms)].map((match) => match[1]);
    return [name, [...new Set(targets.filter((target) => known.has(target)))]];
  }),
);

// Each elementary cycle once: found from its first module in name order, through later modules only.
const cycles = [];
for (const [startIndex, start] of modules.entries()) {
  const path = [start];
  const visit = (name) => {
    for (const next of imports.get(name) ?? []) {
      if (next === start) cycles.push([...path, start]);
      else if (modules.indexOf(next) > startIndex && !path.includes(next)) {
        path.push(next);
        visit(next);
        path.pop();
      }
    }
  };
  visit(start);
}
console.log(`${folder}: ${modules.length} modules, ${cycles.length} import cycles`);
for (const cycle of cycles) console.log(`  ${cycle.join(' -> ')}`);
process.exitCode = cycles.length > 0 ? 1 : 0;
