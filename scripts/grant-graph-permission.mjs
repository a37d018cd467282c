#!/usr/bin/env node
// Grants the managed identity the Microsoft Graph application permissions CloudPC.ReadWrite.All and
// DeviceManagementConfiguration.Read.All (the Windows release catalogue of image currency, DESIGN
// §16; --without-catalogue leaves it out) as app role assignments (the admin consent for an identity
// that cannot be consented to interactively), and checks the Windows 365 prerequisite: its service
// principal must be able to read every source subscription. No dependencies: fetch, and the Azure CLI for tokens.
// The modules in scripts/grant-graph-permission/ do the work; this file is the command.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScriptError, run } from './grant-graph-permission/index.mjs';

export { run } from './grant-graph-permission/index.mjs';

if (path.resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = await run(process.argv.slice(2), process.env);
  } catch (error) {
    const message =
      error instanceof ScriptError || String(error?.code).startsWith('ERR_PARSE_ARGS') ? error.message : String(error?.stack ?? error);
    console.error(`grant-graph-permission: ${message}\nRun with --help for usage.`);
    process.exitCode = 1;
  }
}
