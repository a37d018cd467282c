#!/usr/bin/env node
// Grants the managed identity the Microsoft Graph application permissions CloudPC.ReadWrite.All and
// DeviceManagementConfiguration.Read.All (the Windows release catalogue of image currency, DESIGN
// §16; --without-catalogue leaves it out) as app role assignments (the admin consent for an identity
// that cannot be consented to interactively), and checks the Windows 365 prerequisite: its service
// principal must be able to read every source subscription. No dependencies: fetch, and the Azure CLI for tokens.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const MICROSOFT_GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const WINDOWS_365_APP_ID = '0af06dc6-e4b5-4f28-818e-e78e62d137a5';
/** The permissions and the ids Microsoft publishes for them (only compared with what the tenant answers). */
const CLOUD_PC = { value: 'CloudPC.ReadWrite.All', publishedId: '3b4349e1-8cf5-45a3-95b7-69d1751d3e6a' };
const CATALOGUE = { value: 'DeviceManagementConfiguration.Read.All', publishedId: 'dc377aa6-52d8-4e23-b271-2a7ae04cedf3' };
const READER_ROLE_ID = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
/** Built-in roles that include read access to a subscription: Reader, Contributor, Owner. */
const READ_ROLE_IDS = new Set([READER_ROLE_ID, 'b24988ac-6180-42a0-ab88-20f7382dd24c', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635']);
const ARM_ROLE_API = '2022-04-01';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const HELP = `Usage: node scripts/grant-graph-permission.mjs --principal-id ID [options]

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

class ScriptError extends Error {}

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

function parseOptions(argv, env) {
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

function azToken(resourceType) {
  try {
    return execFileSync('az', ['account', 'get-access-token', '--resource-type', resourceType, '--query', 'accessToken', '-o', 'tsv'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
    }).trim();
  } catch (error) {
    const detail = String(error.stderr ?? error.message)
      .trim()
      .split('\n')[0];
    throw new ScriptError(
      `could not get a ${resourceType} token from the Azure CLI (${detail}); run "az login", or pass --${resourceType === 'ms-graph' ? 'token' : 'arm-token'}`,
    );
  }
}

function client(base, token, service) {
  const request = async (method, pathAndQuery, body) => {
    const url = pathAndQuery.startsWith('https://') ? pathAndQuery : `${base}${pathAndQuery}`;
    const response = await fetch(url, {
      method,
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    const json = text === '' ? {} : JSON.parse(text);
    if (!response.ok) {
      const error = json.error ?? {};
      const hint =
        response.status === 401 || response.status === 403 ? ' (sign in with an account that holds the role named in --help)' : '';
      throw new ScriptError(
        `${service} ${method} ${url} answered ${response.status} ${error.code ?? ''} ${error.message ?? ''}`.trim() + hint,
      );
    }
    return json;
  };
  const list = async (pathAndQuery) => {
    const items = [];
    let next = pathAndQuery;
    while (next) {
      const page = await request('GET', next);
      items.push(...(page.value ?? []));
      next = page['@odata.nextLink'] ?? page.nextLink;
    }
    return items;
  };
  return { request, list };
}

async function servicePrincipalByAppId(graph, appId) {
  const filter = encodeURIComponent(`appId eq '${appId}'`);
  const found = await graph.list(`/v1.0/servicePrincipals?$filter=${filter}&$select=id,appId,displayName,appRoles`);
  return found[0];
}

function printCommand(line) {
  console.log(`    ${line}`);
}

async function grantPermissions(graph, options) {
  const graphSp = await servicePrincipalByAppId(graph, MICROSOFT_GRAPH_APP_ID);
  if (!graphSp) throw new ScriptError(`the Microsoft Graph service principal (appId ${MICROSOFT_GRAPH_APP_ID}) is not in this tenant`);
  console.log(`Microsoft Graph service principal: ${graphSp.id}`);
  const roles = options.permissions.map((permission) => {
    const role = (graphSp.appRoles ?? []).find(
      (candidate) =>
        candidate.value === permission.value &&
        (candidate.allowedMemberTypes ?? []).includes('Application') &&
        candidate.isEnabled !== false,
    );
    if (!role) throw new ScriptError(`Microsoft Graph offers no enabled application permission named ${permission.value} in this tenant`);
    console.log(`Application permission ${permission.value}: app role ${role.id}`);
    if (role.id.toLowerCase() !== permission.publishedId)
      console.log(`  (note: differs from the published id ${permission.publishedId}; using the tenant's)`);
    return { permission: permission.value, role };
  });

  const identity = await graph.request(
    'GET',
    `/v1.0/servicePrincipals/${options.principalId}?$select=id,appId,displayName,servicePrincipalType`,
  );
  console.log(
    `Managed identity: ${identity.id} (${identity.displayName ?? 'no name'}, ${identity.servicePrincipalType ?? 'unknown type'})`,
  );

  const assignments = await graph.list(`/v1.0/servicePrincipals/${options.principalId}/appRoleAssignments`);
  for (const { permission, role } of roles) {
    const existing = assignments.find(
      (assignment) =>
        assignment.resourceId?.toLowerCase() === graphSp.id.toLowerCase() && assignment.appRoleId?.toLowerCase() === role.id.toLowerCase(),
    );
    if (existing) {
      console.log(`Already granted: ${permission} (assignment ${existing.id}). Nothing to do.`);
      continue;
    }
    const body = { principalId: options.principalId, resourceId: graphSp.id, appRoleId: role.id };
    const target = `/v1.0/servicePrincipals/${graphSp.id}/appRoleAssignedTo`;
    if (options.dryRun) {
      console.log(`Would grant ${permission}: POST ${options.graphEndpoint}${target}`);
      printCommand(JSON.stringify(body));
      continue;
    }
    const created = await graph.request('POST', target, body);
    console.log(
      `Granted ${permission} (assignment ${created.id ?? 'created'}). Admin consent is this assignment; nothing else to approve.`,
    );
  }
}

function canReadSubscription(assignment, subscriptionId) {
  const { scope = '', roleDefinitionId = '' } = assignment.properties ?? {};
  const scopeLower = scope.toLowerCase();
  const atOrAbove =
    scopeLower === `/subscriptions/${subscriptionId.toLowerCase()}` ||
    scopeLower === '/' ||
    scopeLower.startsWith('/providers/microsoft.management/managementgroups/');
  return atOrAbove && READ_ROLE_IDS.has(roleDefinitionId.split('/').pop()?.toLowerCase() ?? '');
}

/** Returns the subscriptions Windows 365 still cannot read. */
async function checkWindows365Reader(graph, armFor, options) {
  if (options.subscriptionIds.length === 0) {
    console.log('Windows 365 Reader check skipped: no --subscription-ids (or IMAGE_SYNC_SUBSCRIPTION_IDS).');
    return [];
  }
  const w365 = await servicePrincipalByAppId(graph, WINDOWS_365_APP_ID);
  if (!w365) {
    console.log(`Windows 365 service principal (appId ${WINDOWS_365_APP_ID}) is not in this tenant: Windows 365 is not set up yet.`);
    console.log('  Sign in to the Windows 365 / Intune admin center once with a licensed tenant, then run this again.');
    return [...options.subscriptionIds];
  }
  console.log(`Windows 365 service principal: ${w365.id}`);
  const arm = armFor();
  const missing = [];
  for (const subscriptionId of options.subscriptionIds) {
    const filter = encodeURIComponent(`principalId eq '${w365.id}'`);
    const assignments = await arm.list(
      `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleAssignments?$filter=${filter}&api-version=${ARM_ROLE_API}`,
    );
    if (assignments.some((assignment) => canReadSubscription(assignment, subscriptionId))) {
      console.log(`  subscription ${subscriptionId}: Windows 365 can read it.`);
      continue;
    }
    const scope = `/subscriptions/${subscriptionId}`;
    if (options.applyReader && !options.dryRun) {
      const name = randomUUID();
      await arm.request('PUT', `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}?api-version=${ARM_ROLE_API}`, {
        properties: {
          roleDefinitionId: `${scope}/providers/Microsoft.Authorization/roleDefinitions/${READER_ROLE_ID}`,
          principalId: w365.id,
          principalType: 'ServicePrincipal',
        },
      });
      console.log(`  subscription ${subscriptionId}: assigned Reader to Windows 365 (role assignment ${name}).`);
      continue;
    }
    missing.push(subscriptionId);
    const verb = options.applyReader ? 'Would assign' : 'Missing';
    console.log(
      `  subscription ${subscriptionId}: ${verb} Reader for Windows 365. ${options.applyReader ? 'Command:' : 'Fix (or rerun with --apply-windows365-reader):'}`,
    );
    printCommand(
      `az role assignment create --assignee-object-id ${w365.id} --assignee-principal-type ServicePrincipal --role Reader --scope ${scope}`,
    );
  }
  return missing;
}

export async function run(argv, env) {
  const options = parseOptions(argv, env);
  if (options.help) {
    console.log(HELP);
    return 0;
  }
  if (options.dryRun) console.log('Dry run: reading only, nothing will be changed.');
  const graph = client(`${options.graphEndpoint}`, options.graphToken ?? azToken('ms-graph'), 'Microsoft Graph');
  let arm;
  const armFor = () => (arm ??= client(options.armEndpoint, options.armToken ?? azToken('arm'), 'Azure Resource Manager'));
  await grantPermissions(graph, options);
  const missing = await checkWindows365Reader(graph, armFor, options);
  if (options.dryRun) console.log('Dry run: nothing was changed.');
  if (missing.length > 0) {
    console.log(
      `Needs attention: Windows 365 cannot read ${missing.length} source subscription(s); uploads from them fail with sourceImageNotFound.`,
    );
    return 2;
  }
  return 0;
}

if (path.resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = await run(process.argv.slice(2), process.env);
  } catch (error) {
    const message =
      error instanceof ScriptError || String(error?.code).startsWith('ERR_PARSE_ARGS') ? error.message : String(error?.stack ?? error);
    console.error(`grant-graph-permission: ${message}\nRun with --help for usage.`);
    process.exitCode = 1;
  }
}
