// What holds across all the templates: no storage account keys, the storage account refuses shared
// keys, the event filter and function endpoint, the Flex Consumption plan and the alert are there, the
// alert webhook is a secure param, and the Function App carries azd's service tag.
import path from 'node:path';

export const SERVICE_NAME = 'imagesync';

export function checkInvariants({ root, parsed, problem }) {
  const all = [...parsed.values()].map((info) => ({ info, text: info.tree.rootNode.text }));
  const joined = all.map(({ text }) => text).join('\n');
  for (const { info, text } of all) {
    if (/\blistKeys\s*\(/.test(text) || /AccountKey=/.test(text)) problem(`${path.relative(root, info.file)}: uses storage account keys`);
  }
  if (!/allowSharedKeyAccess:\s*false/.test(joined)) problem('infra: the storage account must set allowSharedKeyAccess: false');
  for (const needle of [
    "'Microsoft.Resources.Subscriptions'",
    "'Microsoft.Resources.ResourceWriteSuccess'",
    "'StringIn'",
    "'data.operationName'",
    "'Microsoft.Compute/images/write'",
    "'AzureFunction'",
    '/functions/imageWritten',
    "'FlexConsumption'",
    'ImageSyncFailure',
  ]) {
    if (!joined.includes(needle)) problem(`infra: expected ${needle} (event filter, function endpoint, plan or alert)`);
  }
  const main = parsed.get(path.join(root, 'infra/main.bicep'));
  const webhook = main?.params.get('imageSyncAlertWebhookUrl');
  if (webhook && !webhook.decorators.includes('secure')) problem('infra/main.bicep: param imageSyncAlertWebhookUrl must be @secure()');
  const tagged = joined.includes(`'azd-service-name': '${SERVICE_NAME}'`);
  if (!tagged) problem(`infra: the Function App must carry the tag azd-service-name: ${SERVICE_NAME}`);
}
