// What the hook reads from azd's environment (the deployment outputs and `azd env set` values).
import { HookError } from './azCli.mjs';

/**
 * What every step is given: whether this is a dry run, the environment, the project folder and this
 * scripts folder.
 * @typedef {{ dryRun: boolean, env: NodeJS.ProcessEnv, root: string, scriptsDir: string }} Hook
 */

export const flag = (value, fallback) => (value === undefined || value.trim() === '' ? fallback : value.trim().toLowerCase() === 'true');
/** @param {Hook} hook */
export function seconds(hook, name, fallback) {
  const raw = hook.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new HookError(`${name} "${raw}" is not a number of seconds`);
  return value;
}
export const list = (value) =>
  (value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/**
 * What the hook needs from the deployment outputs, or placeholders in a dry run.
 * @param {Hook} hook
 */
export function deploymentValues(hook) {
  const { dryRun, env } = hook;
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
