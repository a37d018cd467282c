// DESIGN §3: every setting reaches the Function App's app settings from its main.bicep param, with
// the DESIGN default; the identity settings are set; nothing that must not be in Azure is; every key
// of local.settings.sample.json is set (but those that only make sense on a developer's machine).
// DESIGN_SETTINGS is the one list of this check: point it at the app's own list of settings when
// there is one.
import { readRepoFile } from './findings.mjs';
import { references } from './trace.mjs';

/** DESIGN §3: the app setting, the main.bicep param that feeds it, and its default (null: none). */
export const DESIGN_SETTINGS = [
  { setting: 'IMAGE_SYNC_SUBSCRIPTION_IDS', param: 'imageSyncSubscriptionIds', default: null },
  { setting: 'IMAGE_SYNC_RESOURCE_GROUPS', param: 'imageSyncResourceGroups', default: '' },
  { setting: 'IMAGE_SYNC_TAG', param: 'imageSyncTag', default: 'cloudpc-sync=true' },
  { setting: 'IMAGE_SYNC_SCHEDULE', param: 'imageSyncSchedule', default: '0 */15 * * * *' },
  { setting: 'IMAGE_SYNC_POLL_INTERVAL_SECONDS', param: 'imageSyncPollIntervalSeconds', default: '300' },
  { setting: 'IMAGE_SYNC_POLL_MAX_INTERVAL_SECONDS', param: 'imageSyncPollMaxIntervalSeconds', default: '1800' },
  { setting: 'IMAGE_SYNC_UPLOAD_TIMEOUT_HOURS', param: 'imageSyncUploadTimeoutHours', default: '24' },
  { setting: 'IMAGE_SYNC_MAX_RETRY_UPLOADS', param: 'imageSyncMaxRetryUploads', default: '2' },
  { setting: 'IMAGE_SYNC_REGISTER_QUEUE', param: 'imageSyncRegisterQueue', default: 'image-register' },
  { setting: 'IMAGE_SYNC_STATUS_QUEUE', param: 'imageSyncStatusQueue', default: 'image-status' },
  { setting: 'IMAGE_SYNC_TABLE', param: 'imageSyncTable', default: 'imagesync' },
  { setting: 'GRAPH_ENDPOINT', param: 'graphEndpoint', default: 'https://graph.microsoft.com' },
  { setting: 'GRAPH_API_VERSION', param: 'graphApiVersion', default: 'v1.0' },
  { setting: 'IMAGE_SYNC_SUBSCRIPTION_CONCURRENCY', param: 'imageSyncSubscriptionConcurrency', default: '8' },
  { setting: 'ARM_ENDPOINT', param: 'armEndpoint', default: 'https://management.azure.com' },
  { setting: 'IMAGE_SYNC_ALERT_WEBHOOK_URL', param: 'imageSyncAlertWebhookUrl', default: '' },
  { setting: 'IMAGE_SYNC_TENANT_IMAGE_LIMIT', param: 'imageSyncTenantImageLimit', default: '20' },
  { setting: 'IMAGE_SYNC_KEEP_VERSIONS', param: 'imageSyncKeepVersions', default: '0' },
  { setting: 'IMAGE_SYNC_EXPIRY_WARNING_DAYS', param: 'imageSyncExpiryWarningDays', default: '30' },
  { setting: 'IMAGE_SYNC_TRANSIENT_RETRY_HOURS', param: 'imageSyncTransientRetryHours', default: '24' },
  { setting: 'IMAGE_SYNC_ROLLOUT', param: 'imageSyncRollout', default: 'false' },
  { setting: 'IMAGE_SYNC_RING_SOAK_HOURS', param: 'imageSyncRingSoakHours', default: '24' },
  { setting: 'IMAGE_SYNC_RING_MAX_FAILED', param: 'imageSyncRingMaxFailed', default: '1' },
  { setting: 'IMAGE_SYNC_RING_MIN_PROVISIONED', param: 'imageSyncRingMinProvisioned', default: '0' },
  { setting: 'IMAGE_SYNC_DISCOVERY', param: 'imageSyncDiscovery', default: 'arm' },
  { setting: 'IMAGE_SYNC_MAX_PATCH_LAG', param: 'imageSyncMaxPatchLag', default: '1' },
  { setting: 'IMAGE_SYNC_REBUILD_WEBHOOK_URL', param: 'imageSyncRebuildWebhookUrl', default: '' },
  { setting: 'IMAGE_SYNC_GALLERY_SOURCES', param: 'imageSyncGallerySources', default: 'off' },
  { setting: 'IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP', param: 'imageSyncGalleryStagingResourceGroup', default: '' },
];
/** Set from the deployment's own resources, not from params. */
const IDENTITY_SETTINGS = [
  'AZURE_CLIENT_ID',
  'AzureWebJobsStorage__accountName',
  'AzureWebJobsStorage__credential',
  'AzureWebJobsStorage__clientId',
];
/** Never in Azure: a shared-key connection string, the emulator token, and what Flex Consumption rejects. */
const FORBIDDEN_SETTINGS = [
  'AzureWebJobsStorage',
  'IMAGE_SYNC_STATIC_TOKEN',
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
];
/** local.settings.sample.json keys that only make sense on a developer's machine. */
const LOCAL_ONLY_SETTINGS = new Set([
  'FUNCTIONS_WORKER_RUNTIME',
  'AzureWebJobsStorage',
  'IMAGE_SYNC_STATIC_TOKEN',
  'NODE_EXTRA_CA_CERTS',
  'AzureWebJobsFeatureFlags',
  // The public client a person signs in to with image-sync login (DESIGN §19): the command's, never the app's.
  'IMAGE_SYNC_CLIENT_ID',
]);

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
