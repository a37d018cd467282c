// Waiting for imageWritten: Event Grid accepts a subscription only to a function that exists.
import { setTimeout as sleep } from 'node:timers/promises';
import { HookError, capture, firstLine, parseJson, shown } from './azCli.mjs';
import { seconds } from './environment.mjs';

export const FUNCTION_NAME = 'imageWritten';

/**
 * Polls the function app until it lists imageWritten (enabled), for at most IMAGE_SYNC_FUNCTION_WAIT_SECONDS.
 * @param {import('./environment.mjs').Hook} hook
 */
export async function waitForFunction(hook, values) {
  const { dryRun } = hook;
  const waitSeconds = seconds(hook, 'IMAGE_SYNC_FUNCTION_WAIT_SECONDS', 600);
  const pollSeconds = seconds(hook, 'IMAGE_SYNC_FUNCTION_POLL_SECONDS', 15);
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
