// Indexes the function app the way the Azure Functions Node worker does: with the worker's
// `@azure/functions-core` (functionsWorkerStub.cjs), it loads every file package.json `main`
// matches and prints what they registered as JSON on stdout.
const path = require('node:path');
const fs = require('node:fs');

const { registrations } = require('./functionsWorkerStub.cjs');
const root = process.argv[2];

const main = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).main;
const dir = path.join(root, path.dirname(main));
const pattern = new RegExp(`^${path.basename(main).replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`);
const files = fs.existsSync(dir)
  ? fs
      .readdirSync(dir)
      .filter((name) => pattern.test(name))
      .sort()
  : [];
for (const file of files) require(path.join(dir, file));
process.stdout.write(JSON.stringify({ main, files, registrations }));
