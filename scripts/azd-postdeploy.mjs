#!/usr/bin/env node
// azd postdeploy hook. azd passes the environment's values (the deployment outputs and
// `azd env set` values) as environment variables.
//  1. Event subscriptions to imageWritten can only be created once the function exists: the
//     first time, set IMAGE_SYNC_SUBSCRIBE_EVENTS=true and run `azd provision` again.
//  2. The Graph permission needs a Privileged Role Administrator: grant it when
//     IMAGE_SYNC_GRANT_GRAPH_PERMISSION=true, otherwise print the command to run.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dryRun = process.argv.includes('--dry-run');
const env = process.env;
const here = path.dirname(fileURLToPath(import.meta.url));

function run(command, args, acceptedCodes = [0]) {
  console.log(`${dryRun ? 'would run' : 'running'}: ${[command, ...args].join(' ')}`);
  if (dryRun) return;
  const result = spawnSync(command, args, { stdio: 'inherit', shell: process.platform === 'win32' });
  if (!acceptedCodes.includes(result.status)) {
    console.error(`postdeploy: "${[command, ...args].join(' ')}" failed (exit ${result.status ?? result.error?.message}).`);
    process.exit(1);
  }
}

const eventsEnabled = (env.IMAGE_SYNC_EVENTS_ENABLED ?? 'true').toLowerCase() !== 'false';
if (eventsEnabled && (env.IMAGE_SYNC_SUBSCRIBE_EVENTS ?? '').toLowerCase() !== 'true') {
  console.log('Subscribing imageWritten to image writes in each scanned subscription (one more provision).');
  run('azd', ['env', 'set', 'IMAGE_SYNC_SUBSCRIBE_EVENTS', 'true']);
  run('azd', ['provision', '--no-prompt']);
}

const principalId = env.AZURE_IDENTITY_PRINCIPAL_ID ?? '<AZURE_IDENTITY_PRINCIPAL_ID>';
const subscriptions = env.IMAGE_SYNC_SUBSCRIPTION_IDS ?? '<IMAGE_SYNC_SUBSCRIPTION_IDS>';
const grantArgs = [path.join(here, 'grant-graph-permission.mjs'), '--principal-id', principalId, '--subscription-ids', subscriptions];
if (env.GRAPH_ENDPOINT) grantArgs.push('--graph-endpoint', env.GRAPH_ENDPOINT);
if (env.ARM_ENDPOINT) grantArgs.push('--arm-endpoint', env.ARM_ENDPOINT);
if ((env.IMAGE_SYNC_GRANT_GRAPH_PERMISSION ?? '').toLowerCase() === 'true') {
  // Exit 2: granted, but Windows 365 still cannot read a subscription; it printed the fix.
  run(process.execPath, grantArgs, [0, 2]);
} else {
  console.log('\nNext (a Privileged Role Administrator, once): grant Microsoft Graph CloudPC.ReadWrite.All to the');
  console.log("app's identity and check Windows 365 can read the source subscriptions (add --dry-run to preview):");
  console.log(`  node scripts/grant-graph-permission.mjs --principal-id ${principalId} --subscription-ids ${subscriptions}`);
  console.log('Or set IMAGE_SYNC_GRANT_GRAPH_PERMISSION=true (azd env set) to have azd deploy run it.');
}
