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
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/** @param {Error | undefined} error @returns {string | undefined} the Node.js error code (ENOENT, ...) */
const errnoCode = (error) => /** @type {NodeJS.ErrnoException | undefined} */ (error)?.code;

const dryRun = process.argv.includes('--dry-run');
const env = process.env;
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');

/** The event subscriptions' template (also what scripts/check-infra.mjs looks for here). */
const TEMPLATE = 'infra/subscribe-image-events.bicep';
const FUNCTION_NAME = 'imageWritten';
const TOPIC_TYPE = 'microsoft.resources.subscriptions';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class HookError extends Error {}

const flag = (value, fallback) => (value === undefined || value.trim() === '' ? fallback : value.trim().toLowerCase() === 'true');
function seconds(name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new HookError(`${name} "${raw}" is not a number of seconds`);
  return value;
}
const list = (value) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

function quoteForCmd(arg) {
  return /[\s"&|<>^]/.test(arg) ? `"${arg.replace(/"/g, '""')}"` : arg;
}
const shown = (command, args) => [command, ...args].map((arg) => (/\s/.test(arg) ? `"${arg}"` : arg)).join(' ');

/** Runs a command; returns { status, stdout, stderr }. Output is captured, not shown. */
function capture(command, args) {
  const windows = process.platform === 'win32';
  const result = spawnSync(command, windows ? args.map(quoteForCmd) : args, {
    encoding: 'utf8',
    shell: windows,
    maxBuffer: 32 * 1024 * 1024,
  });
  if (errnoCode(result.error) === 'ENOENT')
    throw new HookError(
      `"${command}" is not installed or not on PATH${command === 'az' ? ': install the Azure CLI and sign in (az login)' : ''}`,
    );
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** Runs a command with its output shown. */
function run(command, args, acceptedCodes = [0]) {
  console.log(`${dryRun ? 'would run' : 'running'}: ${shown(command, args)}`);
  if (dryRun) return 0;
  const windows = process.platform === 'win32';
  const result = spawnSync(command, windows ? args.map(quoteForCmd) : args, { stdio: 'inherit', shell: windows });
  if (errnoCode(result.error) === 'ENOENT') throw new HookError(`"${command}" is not installed or not on PATH`);
  if (!acceptedCodes.includes(result.status ?? -1))
    throw new HookError(`"${shown(command, args)}" failed (exit ${result.status ?? result.error?.message})`);
  return result.status;
}

const firstLine = (text) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line !== '') ?? '';

function parseJson(text, what) {
  try {
    return JSON.parse(text);
  } catch {
    throw new HookError(`${what}: the Azure CLI did not answer JSON (${firstLine(text) || 'no output'})`);
  }
}

/**
 * The subscriptions the deployment scans: its output IMAGE_SYNC_SCANNED_SUBSCRIPTION_IDS. A list typed
 * at azd's prompt is kept as an infra parameter, not as the env value IMAGE_SYNC_SUBSCRIPTION_IDS,
 * which is then empty; that value is read only when the output is missing (a provision of an
 * earlier release).
 */
function scannedSubscriptionIds() {
  const output = (env.IMAGE_SYNC_SCANNED_SUBSCRIPTION_IDS ?? '').trim();
  return output !== '' ? output : (env.IMAGE_SYNC_SUBSCRIPTION_IDS ?? '').trim();
}

/** What the hook needs from the deployment outputs, or placeholders in a dry run. */
function deploymentValues() {
  const names = [
    'AZURE_ENV_NAME',
    'AZURE_SUBSCRIPTION_ID',
    'AZURE_LOCATION',
    'AZURE_RESOURCE_GROUP',
    'AZURE_FUNCTION_APP_NAME',
    'AZURE_STORAGE_ACCOUNT_NAME',
  ];
  const missing = names.filter((name) => (env[name] ?? '').trim() === '');
  if (missing.length > 0 && !dryRun) {
    throw new HookError(
      `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set: run this from azd (azd hooks run postdeploy), after azd provision`,
    );
  }
  const value = (name) => (env[name] ?? '').trim() || `<${name}>`;
  const envName = value('AZURE_ENV_NAME');
  return {
    envName,
    subscriptionId: value('AZURE_SUBSCRIPTION_ID'),
    location: value('AZURE_LOCATION'),
    resourceGroup: value('AZURE_RESOURCE_GROUP'),
    functionApp: value('AZURE_FUNCTION_APP_NAME'),
    storageAccount: value('AZURE_STORAGE_ACCOUNT_NAME'),
    deadLetterContainer: (env.IMAGE_SYNC_DEAD_LETTER_CONTAINER ?? '').trim() || 'eventgrid-deadletter',
    eventsResourceGroup: (env.IMAGE_SYNC_EVENTS_RESOURCE_GROUP ?? '').trim() || `rg-${envName}-image-events`,
  };
}

/** An existing system topic's id, split: /subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.EventGrid/systemTopics/{n}. */
function parseTopicId(id) {
  const match = /^\/?subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.EventGrid\/systemTopics\/([^/]+)$/i.exec(
    id.trim(),
  );
  if (!match)
    throw new HookError(
      `IMAGE_SYNC_EXISTING_SYSTEM_TOPICS: "${id}" is not a system topic id (/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.EventGrid/systemTopics/{name})`,
    );
  return { subscriptionId: match[1], resourceGroup: match[2], name: match[3] };
}

/** Event subscription names: 3-64 letters, digits and hyphens. */
const subscriptionNameFor = (envName) => `imagesync-${envName.replace(/[^A-Za-z0-9-]/g, '-')}`.slice(0, 64);

/**
 * The system topic of each scanned subscription: the existing one listed in
 * IMAGE_SYNC_EXISTING_SYSTEM_TOPICS, else the one the provision created in the events resource group.
 */
function findTopics(values, subscriptionIds) {
  const existing = list(env.IMAGE_SYNC_EXISTING_SYSTEM_TOPICS).map(parseTopicId);
  return subscriptionIds.map((subscriptionId) => {
    const attached = existing.find((topic) => topic.subscriptionId.toLowerCase() === subscriptionId.toLowerCase());
    const resourceGroup = attached?.resourceGroup ?? values.eventsResourceGroup;
    // On a topic the app created, the name it always had; on someone else's topic, one that names this deployment.
    const eventSubscriptionName = attached ? subscriptionNameFor(values.envName) : 'image-written';
    const args = [
      'eventgrid',
      'system-topic',
      'list',
      '--subscription',
      subscriptionId,
      '--resource-group',
      resourceGroup,
      '--output',
      'json',
    ];
    if (dryRun) {
      console.log(
        `would run: ${shown('az', args)}   (the ${attached ? `existing topic ${attached.name}` : 'Microsoft.Resources.Subscriptions system topic'})`,
      );
      return { subscriptionId, resourceGroup, name: attached?.name ?? `<system topic of ${subscriptionId}>`, eventSubscriptionName };
    }
    const answer = capture('az', args);
    if (answer.status !== 0)
      throw new HookError(
        `could not list the system topics of resource group ${resourceGroup} in subscription ${subscriptionId}: ${firstLine(answer.stderr)}`,
      );
    const topics = parseJson(answer.stdout, `system topics of ${resourceGroup}`);
    const topic = Array.isArray(topics)
      ? topics.find((candidate) =>
          attached
            ? candidate?.name?.toLowerCase() === attached.name.toLowerCase()
            : String(candidate?.topicType ?? '').toLowerCase() === TOPIC_TYPE,
        )
      : undefined;
    if (!topic) {
      throw new HookError(
        attached
          ? `the system topic ${attached.name} (IMAGE_SYNC_EXISTING_SYSTEM_TOPICS) is not in resource group ${resourceGroup} of subscription ${subscriptionId}`
          : `subscription ${subscriptionId} has no Microsoft.Resources.Subscriptions system topic in ${resourceGroup}: run azd provision (with IMAGE_SYNC_EVENTS_ENABLED=true); if the subscription already has such a topic elsewhere, list it in IMAGE_SYNC_EXISTING_SYSTEM_TOPICS`,
      );
    }
    if (!String(topic.identity?.type ?? '').includes('SystemAssigned')) {
      throw new HookError(
        `the system topic ${topic.name} has no system-assigned identity, which Event Grid dead-letters with. Its owner enables it (az eventgrid system-topic update --name ${topic.name} --resource-group ${resourceGroup} --subscription ${subscriptionId} --identity systemassigned), then run azd provision (which grants it the dead-letter container) and azd hooks run postdeploy`,
      );
    }
    console.log(
      `  subscription ${subscriptionId}: system topic ${topic.name} (${resourceGroup}${attached ? ', existing' : ''}), event subscription ${eventSubscriptionName}`,
    );
    return { subscriptionId, resourceGroup, name: topic.name, eventSubscriptionName };
  });
}

/** Where the deployment's parameters are kept: next to the azd environment, so the printed command stays valid. */
function parametersPath(envName) {
  const azdDir = path.join(root, '.azure', envName);
  return existsSync(azdDir)
    ? path.join(azdDir, 'image-events.parameters.json')
    : path.join(tmpdir(), `imagesync-events-${envName.replace(/[^A-Za-z0-9-]/g, '-')}.parameters.json`);
}

function deploymentCommand(values, parametersFile) {
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
    TEMPLATE,
    '--parameters',
    `@${parametersFile}`,
    '--output',
    'none',
  ];
}

/** Polls the function app until it lists imageWritten (enabled), for at most IMAGE_SYNC_FUNCTION_WAIT_SECONDS. */
async function waitForFunction(values) {
  const waitSeconds = seconds('IMAGE_SYNC_FUNCTION_WAIT_SECONDS', 600);
  const pollSeconds = seconds('IMAGE_SYNC_FUNCTION_POLL_SECONDS', 15);
  const args = [
    'functionapp',
    'function',
    'show',
    '--subscription',
    values.subscriptionId,
    '--resource-group',
    values.resourceGroup,
    '--name',
    values.functionApp,
    '--function-name',
    FUNCTION_NAME,
    '--output',
    'json',
  ];
  if (dryRun) {
    console.log(
      `would wait (up to ${waitSeconds} s, every ${pollSeconds} s) until ${values.functionApp} lists ${FUNCTION_NAME}: ${shown('az', args)}`,
    );
    return;
  }
  console.log(
    `Waiting until ${values.functionApp} lists ${FUNCTION_NAME} (up to ${waitSeconds} s): Event Grid accepts a subscription only to a function that exists.`,
  );
  const started = Date.now();
  for (;;) {
    const answer = capture('az', args);
    let state;
    if (answer.status === 0) {
      const fn = parseJson(answer.stdout, `function ${FUNCTION_NAME}`);
      if (fn?.isDisabled !== true) {
        console.log(`  ${FUNCTION_NAME} is listed (after ${Math.round((Date.now() - started) / 1000)} s).`);
        return;
      }
      state = 'listed, but disabled (enable it, or remove AzureWebJobs.imageWritten.Disabled from the app settings)';
    } else {
      state = /not ?found|404/i.test(answer.stderr) ? 'not listed yet' : firstLine(answer.stderr) || `az exited ${answer.status}`;
    }
    const elapsed = (Date.now() - started) / 1000;
    if (elapsed + pollSeconds > waitSeconds) {
      throw new HookError(
        `${FUNCTION_NAME} was not listed on ${values.functionApp} within ${waitSeconds} s (last: ${state}). Check the deployment (az functionapp function list --resource-group ${values.resourceGroup} --name ${values.functionApp}; the app's Log stream)`,
      );
    }
    console.log(`  ${Math.round(elapsed)} s: ${state}; checking again in ${pollSeconds} s`);
    await sleep(pollSeconds * 1000);
  }
}

/** Step 1: the event subscriptions. Returns the manual fix when it could not make them, or null. */
async function subscribeImageEvents() {
  if (!flag(env.IMAGE_SYNC_EVENTS_ENABLED, true)) {
    console.log('Event Grid: off (IMAGE_SYNC_EVENTS_ENABLED=false); the reconcile timer finds new images.');
    return null;
  }
  const subscriptionIds = list(scannedSubscriptionIds());
  if (subscriptionIds.length === 1 && subscriptionIds[0] === '*') {
    console.log('Event Grid: IMAGE_SYNC_SUBSCRIPTION_IDS=* names no subscription to subscribe to; the reconcile timer finds new images.');
    return null;
  }
  let command;
  try {
    const values = deploymentValues();
    for (const id of subscriptionIds)
      if (!dryRun && !GUID.test(id)) throw new HookError(`IMAGE_SYNC_SUBSCRIPTION_IDS: "${id}" is not a subscription id`);
    if (subscriptionIds.length === 0 && !dryRun)
      throw new HookError(
        'neither IMAGE_SYNC_SCANNED_SUBSCRIPTION_IDS (the deployment output) nor IMAGE_SYNC_SUBSCRIPTION_IDS is set: run azd provision first',
      );
    console.log(
      `Event Grid: subscribing ${FUNCTION_NAME} to image writes in ${subscriptionIds.length || '<IMAGE_SYNC_SUBSCRIPTION_IDS>'} subscription(s).`,
    );
    const topics = findTopics(values, subscriptionIds.length > 0 ? subscriptionIds : ['<IMAGE_SYNC_SUBSCRIPTION_IDS>']);
    const parametersFile = parametersPath(values.envName);
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
    command = deploymentCommand(values, parametersFile);
    if (dryRun) console.log(`would write ${parametersFile}:\n${JSON.stringify(parameters, null, 2)}`);
    else {
      mkdirSync(path.dirname(parametersFile), { recursive: true });
      writeFileSync(parametersFile, `${JSON.stringify(parameters, null, 2)}\n`);
    }
    await waitForFunction(values);
    // The template path relative to the project folder, which is where azd runs hooks; absolute when run.
    const args = command.map((arg) => (arg === TEMPLATE ? path.join(root, TEMPLATE) : arg));
    console.log(`${dryRun ? 'would run' : 'running'}: ${shown('az', command)}`);
    if (!dryRun) {
      const windows = process.platform === 'win32';
      const result = spawnSync('az', windows ? args.map(quoteForCmd) : args, { stdio: 'inherit', shell: windows });
      if (errnoCode(result.error) === 'ENOENT')
        throw new HookError('"az" is not installed or not on PATH: install the Azure CLI and sign in (az login)');
      if (result.status !== 0) throw new HookError(`the deployment of ${TEMPLATE} failed (exit ${result.status}); its error is above`);
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

/** Step 2: the Graph permission. */
function grantGraphPermission() {
  const principalId = env.AZURE_IDENTITY_PRINCIPAL_ID ?? '<AZURE_IDENTITY_PRINCIPAL_ID>';
  // `*` lists no subscription to check the Windows 365 prerequisite in.
  const scanned = scannedSubscriptionIds();
  const subscriptions = scanned === '*' ? '' : scanned || '<IMAGE_SYNC_SUBSCRIPTION_IDS>';
  const grantArgs = [path.join(here, 'grant-graph-permission.mjs'), '--principal-id', principalId];
  if (subscriptions !== '') grantArgs.push('--subscription-ids', subscriptions);
  if (env.GRAPH_ENDPOINT) grantArgs.push('--graph-endpoint', env.GRAPH_ENDPOINT);
  if (env.ARM_ENDPOINT) grantArgs.push('--arm-endpoint', env.ARM_ENDPOINT);
  if (flag(env.IMAGE_SYNC_GRANT_GRAPH_PERMISSION, false)) {
    // Exit 2: granted, but Windows 365 still cannot read a subscription; it printed the fix.
    run(process.execPath, grantArgs, [0, 2]);
    return;
  }
  const shownSubscriptions = subscriptions === '' ? '' : ` --subscription-ids ${subscriptions}`;
  console.log('\nNext (a Privileged Role Administrator, once): grant Microsoft Graph CloudPC.ReadWrite.All to the');
  console.log("app's identity and check Windows 365 can read the source subscriptions (add --dry-run to preview):");
  console.log(`  node scripts/grant-graph-permission.mjs --principal-id ${principalId}${shownSubscriptions}`);
  console.log('Or set IMAGE_SYNC_GRANT_GRAPH_PERMISSION=true (azd env set) to have azd deploy run it.');
}

async function main() {
  const eventsFailure = await subscribeImageEvents();
  try {
    grantGraphPermission();
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
