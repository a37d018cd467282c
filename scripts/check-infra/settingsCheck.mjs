// DESIGN §3: every setting reaches the Function App's app settings from its main.bicep param, with
// the DESIGN default; the identity settings are set; nothing that must not be in Azure is; every key
// of local.settings.sample.json is set (but those that only make sense on a developer's machine).
// The settings come from the app's one list (src/settings/settings.json, read by scripts/settings-list.mjs).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSettingsList } from '../settings-list.mjs';
import { readRepoFile } from './findings.mjs';
import { references } from './trace.mjs';

const LIST = readSettingsList(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..'));

/** DESIGN §3, from the app's one list (src/settings/settings.json): the app setting, the main.bicep param that feeds it, and its default (null: none). */
export const DESIGN_SETTINGS = LIST.paramSettings;
/** Set from the deployment's own resources, not from params. */
const IDENTITY_SETTINGS = LIST.templateSettings;
/** Never in Azure: what the list marks so (a shared-key connection string, the emulator token) and what Flex Consumption rejects. */
const FORBIDDEN_SETTINGS = [
  ...LIST.neverInAzure,
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
];
/** local.settings.sample.json keys that only make sense on a developer's machine. */
const LOCAL_ONLY_SETTINGS = new Set([...LIST.localOnlySampleKeys, 'NODE_EXTRA_CA_CERTS', 'AzureWebJobsFeatureFlags']);

export function checkDesignSettings({ root, main, appSettings, problem }) {
  for (const { setting, param, default: expected } of DESIGN_SETTINGS) {
    const entry = appSettings.get(setting);
    if (!entry) {
      problem(`app settings: ${setting} (DESIGN §3) is not set on the Function App`);
      continue;
    }
    const declared = main.params.get(param);
    if (!declared) {
      problem(`infra/main.bicep: no param ${param} for ${setting}`);
      continue;
    }
    if (!references(entry.value, main).has(param))
      problem(`app settings: ${setting} is not fed from param ${param} (it is "${entry.value.text}")`);
    if (expected === null ? declared.hasDefault : declared.default !== expected) {
      problem(
        `infra/main.bicep: param ${param} (${setting}) defaults to ${declared.hasDefault ? `"${declared.default}"` : 'nothing'}, DESIGN §3 says ${expected === null ? 'required' : `"${expected}"`}`,
      );
    }
  }
  for (const setting of IDENTITY_SETTINGS) {
    if (!appSettings.has(setting)) problem(`app settings: ${setting} is not set on the Function App`);
  }
  for (const setting of FORBIDDEN_SETTINGS) {
    if (appSettings.has(setting)) problem(`app settings: ${setting} must not be set in Azure`);
  }
  const sample = readRepoFile(root, 'local.settings.sample.json');
  if (sample !== undefined) {
    const values = JSON.parse(sample).Values ?? {};
    for (const key of Object.keys(values)) {
      if (!LOCAL_ONLY_SETTINGS.has(key) && !appSettings.has(key))
        problem(`app settings: ${key} (local.settings.sample.json) is not set on the Function App`);
    }
  }
}
