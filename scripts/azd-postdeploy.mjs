#!/usr/bin/env node
// azd postdeploy hook: azd runs it after every `azd deploy` and `azd up`, with the environment's
// values (the deployment outputs and `azd env set` values) as environment variables. Run it again
// with `azd hooks run postdeploy`.
//  1. Event Grid. An event subscription can only point at a function that exists, and imageWritten
//     exists only once the code is deployed and the Functions host has listed it. So the hook finds
//     each scanned subscription's system topic (made or attached to by the provision, with its
//     right to dead-letter already granted), waits (bounded) until the function app lists
//     imageWritten, then creates the event subscriptions with one deployment of
//     infra/subscribe-image-events.bicep (az deployment sub create). No second provision.
//  2. The Graph permission needs a Privileged Role Administrator: grant it when
//     IMAGE_SYNC_GRANT_GRAPH_PERMISSION=true, otherwise print the command to run.
// --dry-run prints what it would do and calls nothing.
// docs/deployment.md, section 3, describes each step and what to do when one fails.
// The steps are modules in scripts/azd-postdeploy/; this file is the hook azure.yaml runs.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HookError } from './azd-postdeploy/azCli.mjs';
import { subscribeImageEvents } from './azd-postdeploy/eventSubscriptions.mjs';
import { grantGraphPermission } from './azd-postdeploy/graphPermission.mjs';

/** The event subscriptions' template (also what scripts/check-infra.mjs looks for here). */
const TEMPLATE = 'infra/subscribe-image-events.bicep';

/**
 * The subscriptions the deployment scans: its output IMAGE_SYNC_SCANNED_SUBSCRIPTION_IDS. A list typed
 * at azd's prompt is kept as an infra parameter, not as the env value IMAGE_SYNC_SUBSCRIPTION_IDS,
 * which is then empty; that value is read only when the output is missing (a provision of an
 * earlier release).
 */
function scannedSubscriptionIds(env) {
  const output = (env.IMAGE_SYNC_SCANNED_SUBSCRIPTION_IDS ?? '').trim();
  return output !== '' ? output : (env.IMAGE_SYNC_SUBSCRIPTION_IDS ?? '').trim();
}

async function main() {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const hook = { dryRun: process.argv.includes('--dry-run'), env: process.env, root: path.resolve(here, '..'), scriptsDir: here };
  const scanned = scannedSubscriptionIds(process.env);
  const eventsFailure = await subscribeImageEvents(hook, TEMPLATE, scanned);
  try {
    grantGraphPermission(hook, scanned);
  } catch (error) {
    if (!(error instanceof HookError)) throw error;
    console.error(`postdeploy: ${error.message}. Run the grant again by hand (docs/deployment.md, section 4).`);
    if (!eventsFailure) return 1;
  }
  if (eventsFailure) {
    console.error(`\n${eventsFailure}`);
    return 1;
  }
  return 0;
}

process.exitCode = await main();
