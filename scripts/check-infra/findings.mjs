// What every check shares besides the Bicep: the list its findings go to, and the repository files it
// reads next to the templates (a missing one reads as undefined, for the check to say what is missing).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The findings of one root, in the order the checks report them. */
export function collectFindings() {
  const findings = [];
  return { findings, problem: (message) => void findings.push(message) };
}

/** A file of the checked tree, or undefined when it does not exist. */
export function readRepoFile(root, relative) {
  const file = path.join(root, relative);
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

/** The `parameters` of infra/main.parameters.json ({} when it is missing). */
export function readParameters(root) {
  const text = readRepoFile(root, 'infra/main.parameters.json');
  return text === undefined ? {} : (JSON.parse(text).parameters ?? {});
}

/** The postdeploy hook, which creates the event subscriptions once imageWritten exists. */
export const HOOK_SCRIPT = 'scripts/azd-postdeploy.mjs';
