// The app's settings as the scripts need them, read from the one list (src/settings/settings.json,
// which src/settings/list.ts parses for the app). Plain JSON, so any script reads it with fs.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * @typedef {{ name: string, concern: string, required: boolean, default: string | number | boolean | null,
 *   bicepParam: string | null, azure: 'param' | 'template' | 'never' | 'unset', sample: boolean,
 *   sampleValue?: string, designRow?: string, doc: string }} SettingEntry
 */

/** @param {string} root the repository root */
export function readSettingsList(root) {
  /** @type {{ sampleHostValues: Record<string, string>, settings: SettingEntry[] }} */
  const list = JSON.parse(readFileSync(path.join(root, 'src/settings/settings.json'), 'utf8'));
  const names = (/** @type {(entry: SettingEntry) => boolean} */ keep) => list.settings.filter(keep).map((entry) => entry.name);
  return {
    settings: list.settings,
    /**
     * The settings fed from a Bicep parameter of the same default: `default` as the Bicep param's
     * default string, '' when the app has none, null when the setting is required (no Bicep default).
     */
    paramSettings: list.settings
      .filter((entry) => entry.azure === 'param')
      .map((entry) => ({
        setting: entry.name,
        param: /** @type {string} */ (entry.bicepParam),
        default: entry.required ? null : entry.default === null ? '' : String(entry.default),
      })),
    /** Set by the templates from the deployment's own resources (identity, storage account). */
    templateSettings: names((entry) => entry.azure === 'template'),
    /** Never set in Azure (a shared-key connection string, the emulator's token). */
    neverInAzure: names((entry) => entry.azure === 'never'),
    /** Keys of local.settings.sample.json the Function App does not get: the local host's own and the app's local-only ones. */
    localOnlySampleKeys: [
      ...Object.keys(list.sampleHostValues),
      ...names((entry) => entry.sample && (entry.azure === 'never' || entry.azure === 'unset')),
    ],
  };
}
