// What the Azure Functions Node.js worker provides to the app: the `@azure/functions-core` module,
// through which `app.*` registers each function. Loading this file (require, or `node -r`) installs
// it; `registrations` collects what the app registered, as the host would index it.
'use strict';
const Module = require('node:module');

const registrations = [];
const coreApi = {
  version: '4.0.0-stub',
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

module.exports = { registrations };
