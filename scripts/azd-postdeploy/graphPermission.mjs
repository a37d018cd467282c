// Step 2: Microsoft Graph's CloudPC.ReadWrite.All for the app's identity needs a Privileged Role
// Administrator: run scripts/grant-graph-permission.mjs when IMAGE_SYNC_GRANT_GRAPH_PERMISSION=true,
// otherwise print the command.
import path from 'node:path';
import { run } from './azCli.mjs';
import { flag } from './environment.mjs';

/**
 * Step 2: the Graph permission, for the `scanned` subscriptions.
 * @param {import('./environment.mjs').Hook} hook
 */
export function grantGraphPermission(hook, scanned) {
  const { dryRun, env, scriptsDir } = hook;
  const principalId = env.AZURE_IDENTITY_PRINCIPAL_ID ?? '<AZURE_IDENTITY_PRINCIPAL_ID>';
  // `*` lists no subscription to check the Windows 365 prerequisite in.
  const subscriptions = scanned === '*' ? '' : scanned || '<IMAGE_SYNC_SUBSCRIPTION_IDS>';
  const grantArgs = [path.join(scriptsDir, 'grant-graph-permission.mjs'), '--principal-id', principalId];
  if (subscriptions !== '') grantArgs.push('--subscription-ids', subscriptions);
  if (env.GRAPH_ENDPOINT) grantArgs.push('--graph-endpoint', env.GRAPH_ENDPOINT);
  if (env.ARM_ENDPOINT) grantArgs.push('--arm-endpoint', env.ARM_ENDPOINT);
  if (flag(env.IMAGE_SYNC_GRANT_GRAPH_PERMISSION, false)) {
    // Exit 2: granted, but Windows 365 still cannot read a subscription; it printed the fix.
    run(dryRun, process.execPath, grantArgs, [0, 2]);
    return;
  }
  const shownSubscriptions = subscriptions === '' ? '' : ` --subscription-ids ${subscriptions}`;
  console.log('\nNext (a Privileged Role Administrator, once): grant Microsoft Graph CloudPC.ReadWrite.All to the');
  console.log("app's identity and check Windows 365 can read the source subscriptions (add --dry-run to preview):");
  console.log(`  node scripts/grant-graph-permission.mjs --principal-id ${principalId}${shownSubscriptions}`);
  console.log('Or set IMAGE_SYNC_GRANT_GRAPH_PERMISSION=true (azd env set) to have azd deploy run it.');
}
