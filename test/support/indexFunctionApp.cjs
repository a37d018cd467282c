// Indexes the function app the way the Azure Functions Node worker does: it provides the
// `@azure/functions-core` module, loads every file package.json `main` matches, and records each
// registerFunction call. Prints the registrations as JSON on stdout.
const Module = require('node:module');
const path = require('node:path');
const fs = require('node:fs');

const root = process.argv[2];
const registrations = [];
const coreApi = {
  version: '4.0.0-test',
  setProgrammingModel: () => undefined,
  registerFunction: (metadata) => {
    registrations.push(metadata);
    return { dispose: () => undefined };
  },
  registerHook: () => ({ dispose: () => undefined }),
  log: () => undefined,
};
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === '@azure/functions-core') return coreApi;
  return load.call(this, request, parent, isMain);
};

const main = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).main;
const dir = path.join(root, path.dirname(main));
const pattern = new RegExp(`^${path.basename(main).replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`);
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => pattern.test(name)).sort() : [];
for (const file of files) require(path.join(dir, file));
process.stdout.write(JSON.stringify({ main, files, registrations }));
