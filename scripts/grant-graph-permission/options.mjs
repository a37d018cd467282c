// The command line (and the environment values it falls back on), parsed and checked, and its --help.
import { parseArgs } from 'node:util';
import { CATALOGUE, CLOUD_PC } from './graphPermissions.mjs';
import { ScriptError } from './reporting.mjs';
import { WINDOWS_365_APP_ID } from './windows365Reader.mjs';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const HELP = `Usage: node scripts/grant-graph-permission.mjs --principal-id ID [options]

Grants the managed identity (its service principal object id, the "principalId" output of the
deployment) the Microsoft Graph application permissions ${CLOUD_PC.value} (device images and
provisioning policies) and ${CATALOGUE.value} (the Windows release catalogue that image currency
reads, IMAGE_SYNC_MAX_PATCH_LAG), and checks that the Windows 365 service principal (appId
${WINDOWS_365_APP_ID}) can read each source subscription.

Run it as a Privileged Role Administrator or Global Administrator (az login). Tokens come from
"az account get-access-token" unless given.

  --principal-id ID          managed identity's principal (object) id
                             (default: env AZURE_IDENTITY_PRINCIPAL_ID)
  --subscription-ids A,B     source subscriptions to check for the Windows 365 Reader role
                             (default: env IMAGE_SYNC_SUBSCRIPTION_IDS; none or *: skip the check)
  --apply-windows365-reader  assign Reader to Windows 365 where it is missing (needs Owner or
                             User Access Administrator on those subscriptions)
  --without-catalogue        do not grant ${CATALOGUE.value} (with IMAGE_SYNC_MAX_PATCH_LAG=off
                             the app never reads the catalogue)
  --dry-run                  print what would be done; change nothing
  --token TOKEN              Microsoft Graph access token (default: env GRAPH_TOKEN, else az)
  --arm-token TOKEN          Azure Resource Manager access token (default: env ARM_TOKEN, else az)
  --graph-endpoint URL       default https://graph.microsoft.com (US Gov: https://graph.microsoft.us)
  --arm-endpoint URL         default https://management.azure.com
  --help                     this text

Exit codes: 0 done (or nothing to do); 2 done, but a prerequisite still needs attention
(Windows 365 cannot read a subscription); 1 could not run.`;

function origin(value, name) {
  let url;
  try {
    url = new URL(value);
  } catch {
    throw new ScriptError(`${name} "${value}" is not a URL`);
  }
  if (url.protocol !== 'https:') throw new ScriptError(`${name} must be https, not "${value}"`);
  return url.origin;
}

export function parseOptions(argv, env) {
  const { values } = parseArgs({
    args: argv,
    options: {
      'principal-id': { type: 'string' },
      'subscription-ids': { type: 'string' },
      'apply-windows365-reader': { type: 'boolean', default: false },
      'without-catalogue': { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      token: { type: 'string' },
      'arm-token': { type: 'string' },
      'graph-endpoint': { type: 'string' },
      'arm-endpoint': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return { help: true };
  const principalId = (values['principal-id'] ?? env.AZURE_IDENTITY_PRINCIPAL_ID ?? '').trim();
  if (!GUID.test(principalId)) {
    throw new ScriptError(
      principalId === ''
        ? "--principal-id is required: the managed identity's principal id (azd env get-value AZURE_IDENTITY_PRINCIPAL_ID)"
        : `--principal-id "${principalId}" is not a GUID`,
    );
  }
  // `*` (IMAGE_SYNC_SUBSCRIPTION_IDS with resource-graph discovery: every subscription the identity can
  // read) names no subscription to check: the Windows 365 check is then skipped, as with none.
  const subscriptionIds = (values['subscription-ids'] ?? env.IMAGE_SYNC_SUBSCRIPTION_IDS ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '' && id !== '*');
  for (const id of subscriptionIds) {
    if (!GUID.test(id)) throw new ScriptError(`subscription id "${id}" is not a GUID`);
  }
  return {
    help: false,
    principalId,
    subscriptionIds,
    applyReader: values['apply-windows365-reader'],
    permissions: values['without-catalogue'] ? [CLOUD_PC] : [CLOUD_PC, CATALOGUE],
    dryRun: values['dry-run'],
    graphToken: values.token ?? env.GRAPH_TOKEN,
    armToken: values['arm-token'] ?? env.ARM_TOKEN,
    graphEndpoint: origin(values['graph-endpoint'] ?? 'https://graph.microsoft.com', '--graph-endpoint'),
    armEndpoint: origin(values['arm-endpoint'] ?? 'https://management.azure.com', '--arm-endpoint'),
  };
}
