// scripts/settings-list.mjs: how the plain-Node scripts (the infra check) read the one list.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { SETTINGS, sampleValues } from '../../../src/settings/list';
import { REPO_ROOT } from '../../support/functionApp';

interface ScriptView {
  readonly settings: unknown[];
  readonly paramSettings: { setting: string; param: string; default: string | null }[];
  readonly templateSettings: string[];
  readonly neverInAzure: string[];
  readonly localOnlySampleKeys: string[];
}

const view = JSON.parse(
  execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      "import { readSettingsList } from './scripts/settings-list.mjs'; console.log(JSON.stringify(readSettingsList('.')));",
    ],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  ),
) as ScriptView;

describe('scripts/settings-list.mjs', () => {
  it('reads the same list the app parses', () => {
    expect(view.settings).toEqual(SETTINGS);
  });

  it("gives each Bicep-fed setting its param and the param's default ('' for none, null for required)", () => {
    expect(view.paramSettings).toHaveLength(SETTINGS.filter((entry) => entry.azure === 'param').length);
    expect(view.paramSettings).toEqual(
      expect.arrayContaining([
        { setting: 'IMAGE_SYNC_SUBSCRIPTION_IDS', param: 'imageSyncSubscriptionIds', default: null },
        { setting: 'IMAGE_SYNC_RESOURCE_GROUPS', param: 'imageSyncResourceGroups', default: '' },
        { setting: 'IMAGE_SYNC_POLL_INTERVAL_SECONDS', param: 'imageSyncPollIntervalSeconds', default: '300' },
        { setting: 'IMAGE_SYNC_ROLLOUT', param: 'imageSyncRollout', default: 'false' },
      ]),
    );
  });

  it('splits the rest into set by the templates, never in Azure, and local-only keys of the sample', () => {
    expect(view.templateSettings).toEqual(expect.arrayContaining(['AZURE_CLIENT_ID', 'AzureWebJobsStorage__accountName']));
    expect(view.neverInAzure).toEqual(['AzureWebJobsStorage', 'IMAGE_SYNC_STATIC_TOKEN']);
    expect(view.localOnlySampleKeys).toEqual(
      expect.arrayContaining(['FUNCTIONS_WORKER_RUNTIME', 'AzureWebJobsStorage', 'IMAGE_SYNC_STATIC_TOKEN', 'IMAGE_SYNC_CLIENT_ID']),
    );
    const sampleKeys = Object.keys(sampleValues());
    for (const key of view.localOnlySampleKeys) expect(sampleKeys).toContain(key);
  });
});
