// Step 1: the Event Grid subscriptions that deliver image writes to imageWritten, made with one
// subscription-scope deployment once the function exists.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HookError, errnoCode, quoteForCmd, shown } from './azCli.mjs';
import { deploymentValues, flag, list } from './environment.mjs';
import { FUNCTION_NAME, waitForFunction } from './functionWait.mjs';
import { findTopics } from './systemTopics.mjs';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where the deployment's parameters are kept: next to the azd environment, so the printed command stays valid. */
function parametersPath(root, envName) {
  const azdDir = path.join(root, '.azure', envName);
  return existsSync(azdDir)
    ? path.join(azdDir, 'image-events.parameters.json')
    : path.join(tmpdir(), `imagesync-events-${envName.replace(/[^A-Za-z0-9-]/g, '-')}.parameters.json`);
}

function deploymentCommand(values, template, parametersFile) {
  return [
    'deployment',
    'sub',
    'create',
    '--subscription',
    values.subscriptionId,
    '--name',
    `imagesync-events-${values.envName}`.slice(0, 64),
    '--location',
    values.location,
    '--template-file',
    template,
    '--parameters',
    `@${parametersFile}`,
    '--output',
    'none',
  ];
}

/**
 * Step 1: the event subscriptions, one deployment of `template` for the `scanned` subscriptions.
 * Returns the manual fix when it could not make them, or null.
 * @param {import('./environment.mjs').Hook} hook
 */
export async function subscribeImageEvents(hook, template, scanned) {
  const { dryRun, env, root } = hook;
  if (!flag(env.IMAGE_SYNC_EVENTS_ENABLED, true)) {
    console.log('Event Grid: off (IMAGE_SYNC_EVENTS_ENABLED=false); the reconcile timer finds new images.');
    return null;
  }
  const subscriptionIds = list(scanned);
  if (subscriptionIds.length === 1 && subscriptionIds[0] === '*') {
    console.log('Event Grid: IMAGE_SYNC_SUBSCRIPTION_IDS=* names no subscription to subscribe to; the reconcile timer finds new images.');
    return null;
  }
  let command;
  try {
    const values = deploymentValues(hook);
    for (const id of subscriptionIds)
      if (!dryRun && !GUID.test(id)) throw new HookError(`IMAGE_SYNC_SUBSCRIPTION_IDS: "${id}" is not a subscription id`);
    if (subscriptionIds.length === 0 && !dryRun)
      throw new HookError(
        'neither IMAGE_SYNC_SCANNED_SUBSCRIPTION_IDS (the deployment output) nor IMAGE_SYNC_SUBSCRIPTION_IDS is set: run azd provision first',
      );
    console.log(
      `Event Grid: subscribing ${FUNCTION_NAME} to image writes in ${subscriptionIds.length || '<IMAGE_SYNC_SUBSCRIPTION_IDS>'} subscription(s).`,
    );
    const topics = findTopics(hook, values, subscriptionIds.length > 0 ? subscriptionIds : ['<IMAGE_SYNC_SUBSCRIPTION_IDS>']);
    const parametersFile = parametersPath(root, values.envName);
    const parameters = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#',
      contentVersion: '1.0.0.0',
      parameters: {
        functionAppId: {
          value: `/subscriptions/${values.subscriptionId}/resourceGroups/${values.resourceGroup}/providers/Microsoft.Web/sites/${values.functionApp}`,
        },
        topics: { value: topics },
        deadLetterSubscriptionId: { value: values.subscriptionId },
        deadLetterResourceGroupName: { value: values.resourceGroup },
        deadLetterStorageAccountName: { value: values.storageAccount },
        deadLetterContainerName: { value: values.deadLetterContainer },
      },
    };
    command = deploymentCommand(values, template, parametersFile);
    if (dryRun) console.log(`would write ${parametersFile}:\n${JSON.stringify(parameters, null, 2)}`);
    else {
      mkdirSync(path.dirname(parametersFile), { recursive: true });
      writeFileSync(parametersFile, `${JSON.stringify(parameters, null, 2)}\n`);
    }
    await waitForFunction(hook, values);
    // The template path relative to the project folder, which is where azd runs hooks; absolute when run.
    const args = command.map((arg) => (arg === template ? path.join(root, template) : arg));
    console.log(`${dryRun ? 'would run' : 'running'}: ${shown('az', command)}`);
    if (!dryRun) {
      const windows = process.platform === 'win32';
      const result = spawnSync('az', windows ? args.map(quoteForCmd) : args, { stdio: 'inherit', shell: windows });
      if (errnoCode(result.error) === 'ENOENT')
        throw new HookError('"az" is not installed or not on PATH: install the Azure CLI and sign in (az login)');
      if (result.status !== 0) throw new HookError(`the deployment of ${template} failed (exit ${result.status}); its error is above`);
      console.log(`Event Grid: ${topics.length} event subscription(s) deliver image writes to ${FUNCTION_NAME}.`);
    }
    return null;
  } catch (error) {
    if (!(error instanceof HookError)) throw error;
    const lines = [
      `postdeploy: the Event Grid subscriptions were not created: ${error.message}.`,
      'The app itself is deployed and works without them: the reconcile timer (IMAGE_SYNC_SCHEDULE) finds every new image, only later.',
      'Once the cause is fixed, create them with:',
      '  azd hooks run postdeploy',
    ];
    if (command) lines.push(`or by hand, from the project folder, once ${FUNCTION_NAME} is listed:`, `  ${shown('az', command)}`);
    return lines.join('\n');
  }
}
