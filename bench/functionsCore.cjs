// Preloaded (node -r) when the benchmark times the import of the function app: provides the
// `@azure/functions-core` module the Functions Node worker provides, so the app registers its
// functions as it does under the host (as test/support/indexFunctionApp.cjs does).
'use strict';
const Module = require('node:module');

const coreApi = {
  version: '4.0.0-bench',
  setProgrammingModel: () => undefined,
  registerFunction: () => ({ dispose: () => undefined }),
  registerHook: () => ({ dispose: () => undefined }),
  log: () => undefined,
};
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === '@azure/functions-core') return coreApi;
  return load.call(this, request, parent, isMain);
};
