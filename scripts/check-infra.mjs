#!/usr/bin/env node
// npm run check:infra: the static check of infra/ and azure.yaml (scripts/check-infra/, one module per
// check; index.mjs says what it does and does not check). Prints every finding, one a line, and exits
// 1 if there is any; --json prints them per root; --root (repeatable) checks other trees than this one.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkInfra } from './check-infra/index.mjs';

export { checkInfra, DESIGN_SETTINGS, GRANTS, ROLES, WORKBOOK_SECTIONS } from './check-infra/index.mjs';

async function main() {
  const { values } = parseArgs({
    options: {
      root: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(
      'Usage: node scripts/check-infra.mjs [--root DIR]... [--json]\nStatic check of infra/*.bicep, infra/main.parameters.json and azure.yaml (see scripts/check-infra/index.mjs).',
    );
    return 0;
  }
  const roots = (values.root ?? [process.cwd()]).map((root) => path.resolve(root));
  const byRoot = {};
  for (const root of roots) byRoot[root] = await checkInfra(root);
  const findings = Object.values(byRoot).flat();
  if (values.json) console.log(JSON.stringify({ findings, byRoot }, null, 2));
  else if (findings.length === 0)
    console.log(
      'infra: no findings (syntax, descriptions, modules, parameters, DESIGN §3 settings, least privilege, Event Grid delivery, existing system topics, alert rule, workbook, gallery sources, azure.yaml)',
    );
  else
    for (const [root, list] of Object.entries(byRoot))
      for (const finding of list) console.log(roots.length > 1 ? `${root}: ${finding}` : finding);
  return findings.length === 0 ? 0 : 1;
}

if (path.resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
