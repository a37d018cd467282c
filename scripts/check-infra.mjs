#!/usr/bin/env node
// Static check of infra/ and azure.yaml, for a machine with no Bicep compiler (none installs from
// the npm registry: the npm wrappers download the CLI from elsewhere). It parses every .bicep file
// with the tree-sitter Bicep grammar and checks what a reader of this project relies on:
//  - every file parses (no syntax errors);
//  - every param has a @description; every resource type carries an api version;
//  - module paths exist, module params exist in the module and required ones are passed, and
//    `<module>.outputs.<name>` names a real output;
//  - main.parameters.json maps only real params and every required one, with the same defaults;
//  - every DESIGN §3 setting reaches the Function App's app settings, with the DESIGN default;
//  - no shared keys, no settings that Flex Consumption rejects, the event filter;
//  - least privilege (docs/permissions.md): every role assignment is one of the few built-in roles
//    the app needs; the app's identity, the operator, image pipelines (Message Sender on the
//    register queue) and status readers (Table Data Reader on the ledger table) get exactly their
//    roles at exactly their scopes, nothing wider;
//  - Event Grid delivery: each event subscription states the retry policy and dead-letters, with
//    its system topic's own identity, to a blob container the templates create; it is created by
//    the azd postdeploy hook once imageWritten exists, never by the provision; every system topic
//    the provision creates or attaches to (existingSystemTopicIds) has Storage Blob Data
//    Contributor on that container and nothing else; docs/deployment.md shows how to list the
//    container and how to attach to an existing topic;
//  - the alert rule deploys on a new workspace (skipQueryValidation, a query that runs on an empty
//    AppTraces) and fires per image and error code (dimensions the query projects); the workbook
//    is valid JSON with its four sections, each querying events the app logs; docs/monitoring.md
//    shows the alert query and the panels;
//  - a first deployment (issue 24): the operator's principal type is worked out from the deployment's
//    own sign-in unless azd says it (a pipeline's service principal is not granted as a User); the
//    subscription list is a deployment output the postdeploy hook reads (a list typed at azd's prompt
//    is no env value); operators can cap maximumInstanceCount down to 1, and docs/deployment.md gives
//    the arithmetic; the app's Reader is on the subscription only when IMAGE_SYNC_RESOURCE_GROUPS is
//    empty, and otherwise on those groups only;
//  - azure.yaml points at the infra, the packaged folder and scripts that exist.
// It does not type-check resource properties against the ARM schemas: `az bicep build` does that
// (docs/deployment.md).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Language, Parser } from 'web-tree-sitter';
import YAML from 'yaml';

const require = createRequire(import.meta.url);

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
/** The built-in roles the templates may assign (ids checked against Azure's built-in role list), and no other. */
export const ROLES = {
  Reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb',
  'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
  'Storage Blob Data Contributor': 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
  'Storage Blob Data Reader': '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1',
  'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
  'Storage Queue Data Message Sender': 'c6a89b2d-59bc-44d0-9896-0f6e12d7b80a',
  'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
  'Storage Table Data Reader': '76199698-9eea-4c19-bc75-cec21354c6b6',
};
const SCOPE = {
  subscription: 'subscription',
  resourceGroup: 'resourceGroup',
  account: 'Microsoft.Storage/storageAccounts',
  queue: 'Microsoft.Storage/storageAccounts/queueServices/queues',
  table: 'Microsoft.Storage/storageAccounts/tableServices/tables',
  container: 'Microsoft.Storage/storageAccounts/blobServices/containers',
  applicationInsights: 'Microsoft.Insights/components',
};
/**
 * Who gets what (docs/permissions.md). `source`: what the principal id comes from in main.bicep (a
 * param, or a module output); `named`: what the scoped resource's name comes from in main.bicep.
 * Each caller gets exactly these grants: a missing one and any other one are both findings.
 */
export const GRANTS = [
  {
    source: 'identity.outputs.principalId',
    who: "the app's identity",
    grants: [
      { role: 'Storage Blob Data Owner', scope: SCOPE.account },
      { role: 'Storage Queue Data Contributor', scope: SCOPE.queue, named: ['imageSyncRegisterQueue', 'imageSyncStatusQueue'] },
      { role: 'Storage Table Data Contributor', scope: SCOPE.table, named: 'imageSyncTable' },
      { role: 'Monitoring Metrics Publisher', scope: SCOPE.applicationInsights },
      { role: 'Reader', scope: SCOPE.subscription },
      { role: 'Reader', scope: SCOPE.resourceGroup },
    ],
  },
  {
    source: 'imagePipelinePrincipalIds',
    who: 'image pipelines (image-sync register)',
    grants: [{ role: 'Storage Queue Data Message Sender', scope: SCOPE.queue, named: 'imageSyncRegisterQueue' }],
  },
  {
    source: 'statusReaderPrincipalIds',
    who: 'status readers (image-sync status)',
    grants: [{ role: 'Storage Table Data Reader', scope: SCOPE.table, named: 'imageSyncTable' }],
  },
  {
    source: 'operatorPrincipalId',
    who: 'the operator',
    grants: [
      { role: 'Storage Queue Data Message Sender', scope: SCOPE.queue, named: 'imageSyncRegisterQueue' },
      { role: 'Storage Table Data Reader', scope: SCOPE.table, named: 'imageSyncTable' },
      { role: 'Storage Blob Data Reader', scope: SCOPE.container, named: 'storage.outputs.deadLetterContainerName' },
    ],
  },
];
/** The main.bicep param that attaches to a subscription's existing system topic, and its azd variable. */
const EXISTING_TOPIC_PARAM = 'existingSystemTopicIds';
const EXISTING_TOPIC_VARIABLE = 'IMAGE_SYNC_EXISTING_SYSTEM_TOPICS';
/** The postdeploy hook, which creates the event subscriptions once imageWritten exists. */
const HOOK_SCRIPT = 'scripts/azd-postdeploy.mjs';
/** The alert: the event it matches, and the dimensions it must split by (columns its query projects). */
const FAILURE_EVENT = 'ImageSyncFailure';
const ALERT_DIMENSIONS = ['image', 'errorCode'];
/** The workbook's sections (item names) and what each must query. */
export const WORKBOOK_SECTIONS = {
  'registrations-by-state': [
    'RegisterJobQueued',
    'DeviceImageCreated',
    'DeviceImageReady',
    'ImageSyncFailure',
    'ImageSkipped',
    'DeviceImageRetired',
  ],
  'failures-and-warnings': ['ImageSyncFailure', 'ImageSyncWarning'],
  throttling: ['RetryAfterHeld', 'TransientRetryScheduled', 'GraphThrottleNotShared', 'AppDependencies', '429'],
  'latest-problems': ['ImageSyncProblem', 'ImageSyncFailure', 'detail', 'remediation'],
};
/** Event Grid's retry policy, stated on every event subscription (its default, and each value's maximum). */
const EVENT_RETRY_POLICY = { maxDeliveryAttempts: '30', eventTimeToLiveInMinutes: '1440' };
/** What Event Grid needs on a blob container to dead-letter into it. */
const STORAGE_BLOB_DATA_CONTRIBUTOR = ROLES['Storage Blob Data Contributor'];
const API_VERSIONED_TYPE = /^[A-Za-z]+\.[A-Za-z]+(\/[A-Za-z]+)+@\d{4}-\d{2}-\d{2}(-preview)?$/;
const SERVICE_NAME = 'imagesync';
const PACKAGE_FOLDER = 'artifacts/cloudpc-image-sync';

let parser;
async function bicepParser() {
  if (parser) return parser;
  await Parser.init();
  const language = await Language.load(require.resolve('tree-sitter-bicep/tree-sitter-bicep.wasm'));
  parser = new Parser();
  parser.setLanguage(language);
  return parser;
}

function* descendants(node) {
  for (const child of node.namedChildren) {
    yield child;
    yield* descendants(child);
  }
}

function stringValue(node) {
  if (node?.type !== 'string') return undefined;
  if (node.namedChildren.some((child) => child.type !== 'string_content')) return undefined; // interpolated
  return node.namedChildren.map((child) => child.text).join('');
}

function literal(node) {
  if (!node) return undefined;
  if (node.type === 'string') return stringValue(node);
  if (node.type === 'number' || node.type === 'boolean') return node.text;
  return undefined;
}

function propertyKey(property) {
  const key = property.namedChildren[0];
  return key?.type === 'string' ? stringValue(key) : key?.text;
}

function properties(object) {
  return object ? object.namedChildren.filter((child) => child.type === 'object_property') : [];
}

function propertyValue(object, key) {
  const property = properties(object).find((candidate) => propertyKey(candidate) === key);
  return property?.namedChildren[property.namedChildren.length - 1];
}

/** The `{ ... }` of a resource or module, through `if (...)` and `[for ...: ...]`. */
function bodyObject(node) {
  if (!node) return undefined;
  if (node.type === 'object') return node;
  if (node.type === 'if_statement' || node.type === 'for_statement') return bodyObject(node.namedChildren[node.namedChildren.length - 1]);
  return undefined;
}

function decoratorNames(declaration) {
  const previous = declaration.previousNamedSibling;
  if (previous?.type !== 'decorators') return [];
  return previous.namedChildren.map((decorator) => decorator.namedChildren[0]?.namedChildren[0]?.text?.replace(/^sys\./, '') ?? '');
}

function where(file, node, root) {
  return `${path.relative(root, file)}:${node.startPosition.row + 1}`;
}

/** One parsed .bicep file: its params, outputs, modules, resources and every object key it sets. */
function describe(file, tree) {
  const top = tree.rootNode.namedChildren;
  const params = new Map();
  for (const declaration of top.filter((node) => node.type === 'parameter_declaration')) {
    const [name, , defaultValue] = declaration.namedChildren;
    params.set(name.text, {
      node: declaration,
      hasDefault: defaultValue !== undefined,
      default: literal(defaultValue),
      defaultNode: defaultValue,
      decorators: decoratorNames(declaration),
    });
  }
  const outputValues = new Map(
    top
      .filter((node) => node.type === 'output_declaration')
      .map((node) => [node.namedChildren[0].text, node.namedChildren[node.namedChildren.length - 1]]),
  );
  const outputs = new Set(outputValues.keys());
  const modules = top
    .filter((node) => node.type === 'module_declaration')
    .map((node) => ({
      node,
      name: node.namedChildren[0].text,
      path: stringValue(node.namedChildren[1]),
      body: bodyObject(node.namedChildren[2]),
    }));
  const resources = top
    .filter((node) => node.type === 'resource_declaration')
    .map((node) => ({
      node,
      name: node.namedChildren[0].text,
      type: stringValue(node.namedChildren[1]),
      body: bodyObject(node.namedChildren[2]),
      existing: node.children.some((child) => child.type === 'existing'),
    }));
  const variables = new Map(
    top.filter((node) => node.type === 'variable_declaration').map((node) => [node.namedChildren[0].text, node.namedChildren[1]]),
  );
  const targetScope = stringValue(top.find((node) => node.type === 'target_scope_assignment')?.namedChildren[0]) ?? 'resourceGroup';
  return { file, tree, params, outputs, outputValues, modules, resources, variables, targetScope };
}

export async function checkInfra(root) {
  const findings = [];
  const problem = (message) => findings.push(message);
  const infraDir = path.join(root, 'infra');
  const files = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.bicep')) files.push(full);
    }
  };
  if (!existsSync(path.join(infraDir, 'main.bicep'))) return ['infra/main.bicep is missing'];
  walk(infraDir);

  const bicep = await bicepParser();
  const parsed = new Map();
  for (const file of files.sort()) {
    const tree = bicep.parse(readFileSync(file, 'utf8'));
    for (const node of [tree.rootNode, ...descendants(tree.rootNode)]) {
      if (node.type === 'ERROR' || node.isMissing) problem(`${where(file, node, root)}: syntax error near "${node.text.slice(0, 40)}"`);
    }
    for (const child of tree.rootNode.children) {
      if (child.isMissing) problem(`${where(file, child, root)}: syntax error, missing "${child.type}"`);
    }
    parsed.set(file, describe(file, tree));
  }

  for (const info of parsed.values()) {
    for (const [name, param] of info.params) {
      if (!param.decorators.includes('description')) problem(`${where(info.file, param.node, root)}: param ${name} has no @description`);
    }
    for (const resource of info.resources) {
      if (!resource.type || !API_VERSIONED_TYPE.test(resource.type)) {
        problem(
          `${where(info.file, resource.node, root)}: resource ${resource.name} type "${resource.type}" is not a full type with an api version`,
        );
      }
    }
    for (const module of info.modules) {
      const target = path.resolve(path.dirname(info.file), module.path ?? '');
      const callee = parsed.get(target);
      if (!callee) {
        problem(`${where(info.file, module.node, root)}: module ${module.name} path "${module.path}" does not exist`);
        continue;
      }
      const passed = properties(propertyValue(module.body, 'params')).map(propertyKey);
      for (const name of passed) {
        if (!callee.params.has(name))
          problem(
            `${where(info.file, module.node, root)}: module ${module.name} passes "${name}", which ${path.basename(target)} does not declare`,
          );
      }
      for (const [name, param] of callee.params) {
        if (!param.hasDefault && !passed.includes(name))
          problem(`${where(info.file, module.node, root)}: module ${module.name} does not pass required param "${name}"`);
      }
      for (const node of descendants(info.tree.rootNode)) {
        if (node.type !== 'member_expression') continue;
        const [object, property] = [node.namedChildren[0], node.namedChildren[1]];
        if (
          object?.type === 'member_expression' &&
          object.namedChildren[0]?.text === module.name &&
          object.namedChildren[1]?.text === 'outputs'
        ) {
          if (!callee.outputs.has(property.text))
            problem(
              `${where(info.file, node, root)}: ${module.name}.outputs.${property.text} is not an output of ${path.basename(target)}`,
            );
        }
      }
    }
  }

  const main = parsed.get(path.join(infraDir, 'main.bicep'));
  checkParametersFile(root, main, problem);
  const appSettings = collectAppSettings(parsed, main, problem);
  checkDesignSettings(root, main, appSettings, problem);
  checkInvariants(root, parsed, problem);
  checkRoleAssignments(root, parsed, main, problem);
  checkEventDelivery(root, parsed, main, problem);
  checkExistingTopic(root, parsed, main, problem);
  checkAlert(root, parsed, problem);
  checkWorkbook(root, parsed, problem);
  checkFirstDeployment(root, parsed, main, problem);
  checkAzureYaml(root, parsed, problem);
  return findings;
}

function checkParametersFile(root, main, problem) {
  const file = path.join(root, 'infra/main.parameters.json');
  if (!existsSync(file)) return problem('infra/main.parameters.json is missing');
  const parameters = JSON.parse(readFileSync(file, 'utf8')).parameters ?? {};
  for (const [name, entry] of Object.entries(parameters)) {
    const param = main.params.get(name);
    if (!param) {
      problem(`infra/main.parameters.json: "${name}" is not a param of main.bicep`);
      continue;
    }
    const match = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?\}$/s.exec(String(entry.value));
    if (match?.[2] !== undefined && param.default !== undefined && match[2] !== param.default) {
      problem(`infra/main.parameters.json: "${name}" defaults to "${match[2]}" but main.bicep to "${param.default}"`);
    }
  }
  for (const [name, param] of main.params) {
    if (!param.hasDefault && !(name in parameters))
      problem(`infra/main.parameters.json: required param "${name}" is not mapped to an azd environment value`);
  }
}

/** The Function App's app settings: keys of `config/appsettings` properties and the objects they union. */
function collectAppSettings(parsed, main, problem) {
  const functionModule = main.modules.find((module) => module.path === 'modules/function-app.bicep');
  const functionFile = [...parsed.values()].find((info) => info.file.endsWith(path.join('modules', 'function-app.bicep')));
  if (!functionModule || !functionFile) {
    problem('infra: main.bicep must deploy modules/function-app.bicep');
    return new Map();
  }
  const settings = new Map();
  const addObject = (object, source) => {
    for (const property of properties(object))
      settings.set(propertyKey(property), { value: property.namedChildren[property.namedChildren.length - 1], source });
  };
  const expand = (node, info, source) => {
    if (!node) return;
    if (node.type === 'object') return addObject(node, source);
    if (node.type === 'call_expression' && node.namedChildren[0]?.text === 'union') {
      for (const argument of node.namedChildren[1].namedChildren) expand(argument, info, source);
      return;
    }
    if (node.type === 'ternary_expression') {
      for (const branch of node.namedChildren.slice(1)) expand(branch, info, source);
      return;
    }
    if (node.type === 'parenthesized_expression') return expand(node.namedChildren[0], info, source);
    if (node.type === 'identifier' && info.variables.has(node.text)) return expand(info.variables.get(node.text), info, source);
    if (node.type === 'identifier' && info === functionFile && info.params.has(node.text)) {
      // A module param: follow what main.bicep passes for it.
      return expand(propertyValue(propertyValue(functionModule.body, 'params'), node.text), main, 'main.bicep');
    }
  };
  const config = functionFile.resources.find((resource) => resource.type?.startsWith('Microsoft.Web/sites/config@'));
  if (!config) {
    problem('infra/modules/function-app.bicep: no Microsoft.Web/sites/config (appsettings) resource');
    return settings;
  }
  expand(propertyValue(bodyObject(config.node.namedChildren[2]), 'properties'), functionFile, 'function-app.bicep');
  return settings;
}

/** Identifiers an expression depends on, through the file's variables. */
function references(node, info, seen = new Set()) {
  for (const child of [node, ...descendants(node)]) {
    if (child.type !== 'identifier' || seen.has(child.text)) continue;
    seen.add(child.text);
    const variable = info.variables.get(child.text);
    if (variable) references(variable, info, seen);
  }
  return seen;
}

function checkDesignSettings(root, main, appSettings, problem) {
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
  const sample = path.join(root, 'local.settings.sample.json');
  if (existsSync(sample)) {
    const values = JSON.parse(readFileSync(sample, 'utf8')).Values ?? {};
    for (const key of Object.keys(values)) {
      if (!LOCAL_ONLY_SETTINGS.has(key) && !appSettings.has(key))
        problem(`app settings: ${key} (local.settings.sample.json) is not set on the Function App`);
    }
  }
}

function checkInvariants(root, parsed, problem) {
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

/**
 * What an expression comes down to across the files: a variable's value, what each caller passes for
 * a param (or its default), a module output's expression, a resource's `name`. The leaves, each with
 * the file it is in.
 */
function trace(node, info, parsed, depth = 0) {
  if (!node || depth > 40) return [];
  const next = (child, where = info) => trace(child, where, parsed, depth + 1);
  if (node.type === 'parenthesized_expression') return next(node.namedChildren[0]);
  // `c ? a : b`: either branch may be what it comes down to.
  if (node.type === 'ternary_expression') return node.namedChildren.slice(1).flatMap((branch) => next(branch));
  if (node.type === 'identifier') {
    if (info.variables.has(node.text)) return next(info.variables.get(node.text));
    const param = info.params.get(node.text);
    if (param) {
      const callers = callersOf(info, parsed);
      if (callers.length === 0) return param.defaultNode ? next(param.defaultNode) : [{ node, info }];
      return callers.flatMap(({ module, caller }) => {
        const passed = propertyValue(propertyValue(module.body, 'params'), node.text);
        return passed ? next(passed, caller) : param.defaultNode ? next(param.defaultNode) : [];
      });
    }
  }
  if (node.type === 'member_expression') {
    const [object, property] = node.namedChildren;
    if (object?.type === 'member_expression' && object.namedChildren[1]?.text === 'outputs') {
      const module = info.modules.find((candidate) => candidate.name === object.namedChildren[0]?.text);
      const callee = module && moduleFile(info, module, parsed);
      const output = callee?.outputValues.get(property.text);
      if (output) return next(output, callee);
    }
    if (object?.type === 'identifier' && property?.text === 'name') {
      const resource = info.resources.find((candidate) => candidate.name === object.text);
      if (resource) return next(propertyValue(resource.body, 'name'));
    }
  }
  return [{ node, info }];
}

function moduleFile(info, module, parsed) {
  return parsed.get(path.resolve(path.dirname(info.file), module.path ?? ''));
}

/** The modules (in any file) that deploy this file. */
function callersOf(info, parsed) {
  return [...parsed.values()].flatMap((caller) =>
    caller.modules.filter((module) => moduleFile(caller, module, parsed) === info).map((module) => ({ module, caller })),
  );
}

/** The literal strings an expression comes down to; undefined if any branch is not a literal. */
function literals(node, info, parsed) {
  const values = trace(node, info, parsed).map((leaf) => stringValue(leaf.node));
  return values.length > 0 && values.every((value) => value !== undefined) ? [...new Set(values)] : undefined;
}

/** The resource an expression names (`x`, `x.id`, `x.identity.principalId`), with the member path. */
function resourceOf(leaf) {
  const members = [];
  let node = leaf.node;
  while (node?.type === 'member_expression') {
    members.unshift(node.namedChildren[1]?.text);
    node = node.namedChildren[0];
  }
  // `queues[index]`: one of a resource loop.
  if (node?.type === 'subscript_expression') node = node.namedChildren[0];
  const resource = node?.type === 'identifier' ? leaf.info.resources.find((candidate) => candidate.name === node.text) : undefined;
  return resource ? { resource, info: leaf.info, members: members.join('.') } : undefined;
}

/** Whether an expression, or a variable it uses, contains this text (a role definition id). */
function mentions(node, info, text) {
  return [...references(node, info)].some((name) => info.variables.get(name)?.text.includes(text)) || node.text.includes(text);
}

const typeOf = (resource, prefix) => resource.type?.startsWith(`${prefix}@`) ?? false;

/** The files main.bicep deploys, itself included: what `azd provision` deploys. */
function provisionTree(main, parsed) {
  const seen = new Set();
  const visit = (info) => {
    if (!info || seen.has(info)) return;
    seen.add(info);
    for (const module of info.modules) visit(moduleFile(info, module, parsed));
  };
  visit(main);
  return seen;
}

/** The top of the module tree a file belongs to: the file that deploys it (transitively), deployed by none. */
function deploymentRoots(info, parsed, seen = new Set()) {
  if (seen.has(info)) return [];
  seen.add(info);
  const callers = callersOf(info, parsed);
  return callers.length === 0 ? [info] : callers.flatMap(({ caller }) => deploymentRoots(caller, parsed, seen));
}

/**
 * What an expression's value comes from in main.bicep: the main.bicep params and `<module>.outputs.<name>`
 * expressions it is made of, followed through variables, module params (what each caller passes) and
 * module outputs. `identity.outputs.principalId`, `imagePipelinePrincipalIds`, ...
 */
function mainSources(node, info, parsed, main) {
  const found = new Set();
  const visit = (current, where, depth) => {
    if (!current || depth > 60) return;
    if (current.type === 'member_expression') {
      const [object, property] = current.namedChildren;
      if (object?.type === 'member_expression' && object.namedChildren[1]?.text === 'outputs') {
        if (where === main) {
          found.add(current.text);
          return;
        }
        const module = where.modules.find((candidate) => candidate.name === object.namedChildren[0]?.text);
        const callee = module && moduleFile(where, module, parsed);
        const output = callee?.outputValues.get(property?.text);
        if (output) visit(output, callee, depth + 1);
        return;
      }
    }
    if (current.type === 'identifier') {
      if (where.variables.has(current.text)) return visit(where.variables.get(current.text), where, depth + 1);
      const param = where.params.get(current.text);
      if (!param) return;
      if (where === main) {
        found.add(current.text);
        return;
      }
      const callers = callersOf(where, parsed);
      if (callers.length === 0) return visit(param.defaultNode, where, depth + 1);
      for (const { module, caller } of callers) {
        const passed = propertyValue(propertyValue(module.body, 'params'), current.text);
        if (passed) visit(passed, caller, depth + 1);
        else visit(param.defaultNode, where, depth + 1);
      }
      return;
    }
    // An object literal's keys are identifiers too; only its values matter.
    if (current.type === 'object_property') return visit(current.namedChildren[current.namedChildren.length - 1], where, depth + 1);
    for (const child of current.namedChildren) visit(child, where, depth + 1);
  };
  visit(node, info, 0);
  return found;
}

const GUID_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** The role definition ids a roleDefinitionId expression names, through variables and `roles.x` lookups. */
function roleIdsOf(node, info, depth = 0) {
  if (!node || depth > 20) return [];
  if (node.type === 'string') return [...node.text.matchAll(GUID_TEXT)].map((match) => match[0].toLowerCase());
  if (node.type === 'identifier') {
    const variable = info.variables.get(node.text);
    return variable ? roleIdsOf(variable, info, depth + 1) : [];
  }
  if (node.type === 'member_expression') {
    const [object, property] = node.namedChildren;
    const variable = object?.type === 'identifier' ? info.variables.get(object.text) : undefined;
    if (variable?.type === 'object') return roleIdsOf(propertyValue(variable, property?.text), info, depth + 1);
  }
  return node.namedChildren.flatMap((child) => roleIdsOf(child, info, depth + 1));
}

const ROLE_NAMES = new Map(Object.entries(ROLES).map(([name, id]) => [id, name]));
const roleName = (id) => ROLE_NAMES.get(id) ?? id;

/** What a role assignment is scoped to: a resource of the templates (its type, and where its name comes from) or, without `scope`, its file's target scope. */
function scopeOf(resource, info, parsed, main) {
  const scope = propertyValue(resource.body, 'scope');
  if (!scope) return [{ type: info.targetScope, named: new Set(), label: `the ${info.targetScope} it is deployed to` }];
  return trace(scope, info, parsed).map((leaf) => {
    const found = resourceOf(leaf);
    if (!found || found.members !== '') return { type: `(${leaf.node.text})`, named: new Set(), label: leaf.node.text };
    const type = found.resource.type?.split('@')[0] ?? '';
    // A resource loop (`for name in names`) is named by its collection.
    const loop = found.resource.node.namedChildren[2]?.type === 'for_statement' ? found.resource.node.namedChildren[2] : undefined;
    const collection = loop?.namedChildren[loop.namedChildren.length - 2];
    return {
      type,
      named: new Set([
        ...mainSources(propertyValue(found.resource.body, 'name'), found.info, parsed, main),
        ...(collection ? mainSources(collection, found.info, parsed, main) : []),
      ]),
      label: `${SCOPE_NOUNS[type] ?? type} ${found.resource.name}`,
    };
  });
}

const SCOPE_NOUNS = {
  [SCOPE.subscription]: 'subscription',
  [SCOPE.resourceGroup]: 'resource group',
  [SCOPE.account]: 'storage account',
  [SCOPE.queue]: 'queue',
  [SCOPE.table]: 'table',
  [SCOPE.container]: 'blob container',
  [SCOPE.applicationInsights]: 'Application Insights component',
};
const scopeLabel = (grant) =>
  grant.scope === SCOPE.subscription
    ? 'each scanned subscription'
    : grant.scope === SCOPE.resourceGroup
      ? 'each resource group of IMAGE_SYNC_RESOURCE_GROUPS'
      : `the ${SCOPE_NOUNS[grant.scope]}${[grant.named ?? []].flat().length > 1 ? 's' : ''}${grant.named ? ` named by ${[grant.named].flat().join(' and ')}` : ''}`;

/**
 * Least privilege (docs/permissions.md): every role assignment is one of ROLES; and each caller of
 * GRANTS gets exactly its grants, each at its scope (a queue or a table, not the account), nothing else.
 */
function checkRoleAssignments(root, parsed, main, problem) {
  const granted = new Map(GRANTS.map((entry) => [entry, new Set()]));
  for (const info of parsed.values()) {
    for (const resource of info.resources.filter(
      (candidate) => typeOf(candidate, 'Microsoft.Authorization/roleAssignments') && !candidate.existing,
    )) {
      const at = `${where(info.file, resource.node, root)}: role assignment ${resource.name}`;
      const props = propertyValue(resource.body, 'properties');
      const roleIds = [...new Set(roleIdsOf(propertyValue(props, 'roleDefinitionId'), info))];
      if (roleIds.length === 0) problem(`${at}: its roleDefinitionId names no role definition id`);
      for (const id of roleIds) {
        if (!ROLE_NAMES.has(id)) problem(`${at} assigns role ${id}, which is not one the app needs (${Object.keys(ROLES).join(', ')})`);
      }
      // The principal, through the loop's collection too (`for principal in principals: ... principal.principalId`).
      const loop = resource.node.namedChildren[2]?.type === 'for_statement' ? resource.node.namedChildren[2] : undefined;
      const principal = propertyValue(props, 'principalId');
      const sources = new Set([
        ...mainSources(principal, info, parsed, main),
        ...(loop ? mainSources(loop.namedChildren[loop.namedChildren.length - 2], info, parsed, main) : []),
      ]);
      const scopes = scopeOf(resource, info, parsed, main);
      for (const entry of GRANTS.filter((candidate) => sources.has(candidate.source))) {
        for (const scope of scopes) {
          const match = entry.grants.find(
            (grant) =>
              roleIds.length === 1 &&
              roleIds[0] === ROLES[grant.role] &&
              scope.type === grant.scope &&
              [grant.named ?? []].flat().every((name) => scope.named.has(name)),
          );
          if (match) granted.get(entry)?.add(match);
          else {
            problem(
              `${at} gives ${entry.who} ${roleIds.map(roleName).join(', ') || '(no role)'} on ${scope.label}; they need only ${entry.grants.map((grant) => `${grant.role} on ${scopeLabel(grant)}`).join(', ')}`,
            );
          }
        }
      }
    }
  }
  for (const [entry, found] of granted) {
    for (const grant of entry.grants.filter((candidate) => !found.has(candidate)))
      problem(`infra: no ${grant.role} on ${scopeLabel(grant)} for ${entry.who}`);
  }
}

/**
 * Event Grid delivery (DESIGN §1: events are the fast path, the timer the guarantee): every event
 * subscription states Event Grid's retry policy, dead-letters to a blob container that the
 * templates create, signing in with its system topic's own identity (the account has no shared
 * keys); it is created from the azd postdeploy hook once imageWritten exists, never by the
 * provision (the function does not exist yet then); and every system topic the provision creates
 * or attaches to has, for its identity, Storage Blob Data Contributor on that container and nothing
 * else, granted by the provision, before the hook runs. docs/deployment.md says where to look.
 */
function checkEventDelivery(root, parsed, main, problem) {
  const files = [...parsed.values()];
  const docsFile = path.join(root, 'docs/deployment.md');
  const docs = existsSync(docsFile) ? readFileSync(docsFile, 'utf8') : '';
  const hookFile = path.join(root, HOOK_SCRIPT);
  const hook = existsSync(hookFile) ? readFileSync(hookFile, 'utf8') : '';
  const provision = provisionTree(main, parsed);
  const isThisContainer = (containerName) => (found) =>
    found &&
    found.members === '' &&
    typeOf(found.resource, 'Microsoft.Storage/storageAccounts/blobServices/containers') &&
    (literals(propertyValue(found.resource.body, 'name'), found.info, parsed) ?? []).includes(containerName);
  const deadLetterContainers = new Set();
  let subscriptions = 0;
  for (const info of files) {
    for (const subscription of info.resources.filter((resource) =>
      typeOf(resource, 'Microsoft.EventGrid/systemTopics/eventSubscriptions'),
    )) {
      subscriptions += 1;
      const at = `${where(info.file, subscription.node, root)}: event subscription ${subscription.name}`;
      if (provision.has(info)) {
        problem(
          `${at} is deployed by main.bicep (azd provision), before the code: imageWritten does not exist yet then; create it from the postdeploy hook (${HOOK_SCRIPT})`,
        );
      } else {
        for (const top of deploymentRoots(info, parsed)) {
          const relative = path.relative(root, top.file).split(path.sep).join('/');
          if (!hook.includes(relative))
            problem(
              `${at}: ${relative} is not deployed by ${HOOK_SCRIPT}, so nothing creates the event subscription once imageWritten exists`,
            );
        }
      }
      const props = propertyValue(subscription.body, 'properties');
      const retryPolicy = propertyValue(props, 'retryPolicy');
      if (!retryPolicy)
        problem(
          `${at} does not state its retryPolicy (maxDeliveryAttempts ${EVENT_RETRY_POLICY.maxDeliveryAttempts}, eventTimeToLiveInMinutes ${EVENT_RETRY_POLICY.eventTimeToLiveInMinutes})`,
        );
      for (const [key, expected] of Object.entries(EVENT_RETRY_POLICY)) {
        const value = retryPolicy && literal(propertyValue(retryPolicy, key));
        if (retryPolicy && value !== expected)
          problem(`${at}: retryPolicy.${key} is ${value ?? 'not set'}, expected ${expected} (Event Grid's policy, stated)`);
      }
      if (propertyValue(props, 'deadLetterDestination')) {
        problem(
          `${at} uses deadLetterDestination, which writes with the account's keys; the storage account has shared keys disabled: use deadLetterWithResourceIdentity`,
        );
      }
      const deadLetter = propertyValue(props, 'deadLetterWithResourceIdentity');
      if (!deadLetter) {
        problem(`${at} has no deadLetterWithResourceIdentity: an event Event Grid cannot deliver would be dropped`);
        continue;
      }
      const identityType = literal(propertyValue(propertyValue(deadLetter, 'identity'), 'type'));
      const parentName = propertyValue(subscription.body, 'parent')?.text;
      const topic = info.resources.find((resource) => resource.name === parentName && typeOf(resource, 'Microsoft.EventGrid/systemTopics'));
      if (identityType !== 'SystemAssigned') {
        problem(
          `${at} dead-letters with identity type ${identityType ?? '(none)'}; expected SystemAssigned (the system topic's own identity)`,
        );
      } else if (!topic) {
        problem(`${at}: its parent is not a Microsoft.EventGrid/systemTopics resource of the same file`);
      }
      const destination = propertyValue(deadLetter, 'deadLetterDestination');
      if (literal(propertyValue(destination, 'endpointType')) !== 'StorageBlob')
        problem(`${at}: the dead-letter destination's endpointType must be StorageBlob`);
      const destinationProps = propertyValue(destination, 'properties');
      const isStorageAccountId = (leaf) => {
        const found = resourceOf(leaf);
        if (found) return found.members === 'id' && typeOf(found.resource, 'Microsoft.Storage/storageAccounts');
        const [callee, args] = leaf.node.type === 'call_expression' ? leaf.node.namedChildren : [];
        return callee?.text === 'resourceId' && args?.namedChildren.some((arg) => stringValue(arg) === 'Microsoft.Storage/storageAccounts');
      };
      const accounts = trace(propertyValue(destinationProps, 'resourceId'), info, parsed);
      if (accounts.length === 0 || !accounts.every(isStorageAccountId)) {
        problem(`${at}: the dead-letter resourceId does not come down to a storage account's id`);
      }
      const containerNames = literals(propertyValue(destinationProps, 'blobContainerName'), info, parsed);
      if (!containerNames) {
        problem(`${at}: the dead-letter blobContainerName does not come down to a container name`);
        continue;
      }
      for (const containerName of containerNames) {
        deadLetterContainers.add(containerName);
        const created = files.some((candidate) =>
          candidate.resources.some(
            (resource) => !resource.existing && isThisContainer(containerName)({ resource, info: candidate, members: '' }),
          ),
        );
        if (!created) problem(`infra: no blob container "${containerName}" is created for ${subscription.name}'s dead-lettered events`);
        if (!docs.includes(containerName) || !docs.includes('az storage blob list')) {
          problem(`docs/deployment.md: does not show how to list the dead-letter container "${containerName}" (az storage blob list)`);
        }
      }
    }
  }
  if (subscriptions === 0)
    problem('infra: no Microsoft.EventGrid/systemTopics/eventSubscriptions: nothing sends image writes to imageWritten');
  // The topics the provision creates or attaches to: each one's identity may write dead-lettered events, and nothing else.
  for (const info of provision) {
    for (const topic of info.resources.filter((resource) => typeOf(resource, 'Microsoft.EventGrid/systemTopics'))) {
      if (!topic.existing) {
        const topicIdentity = literal(propertyValue(propertyValue(topic.body, 'identity'), 'type'));
        if (!topicIdentity?.split(',').some((type) => type.trim() === 'SystemAssigned')) {
          problem(
            `${where(info.file, topic.node, root)}: system topic ${topic.name} has no system-assigned identity, which its event subscription dead-letters with`,
          );
        }
      }
      const topicPrincipal = `${topic.name}.identity.principalId`;
      const grants = files.flatMap((candidate) =>
        candidate.resources
          .filter((resource) => typeOf(resource, 'Microsoft.Authorization/roleAssignments'))
          .filter((resource) =>
            trace(propertyValue(propertyValue(resource.body, 'properties'), 'principalId'), candidate, parsed).some(
              (leaf) => leaf.info === info && leaf.node.text === topicPrincipal,
            ),
          )
          .map((resource) => ({ resource, info: candidate })),
      );
      for (const containerName of deadLetterContainers) {
        if (grants.length === 0)
          problem(
            `infra: system topic ${topic.name}'s identity has no role on the dead-letter container "${containerName}" (Storage Blob Data Contributor)`,
          );
        for (const grant of grants) {
          const grantAt = `${where(grant.info.file, grant.resource.node, root)}: role assignment ${grant.resource.name} for system topic ${topic.name}`;
          if (
            !mentions(
              propertyValue(propertyValue(grant.resource.body, 'properties'), 'roleDefinitionId'),
              grant.info,
              STORAGE_BLOB_DATA_CONTRIBUTOR,
            )
          ) {
            problem(
              `${grantAt} must be Storage Blob Data Contributor (${STORAGE_BLOB_DATA_CONTRIBUTOR}), the least Event Grid needs to dead-letter`,
            );
          }
          const scopes = trace(propertyValue(grant.resource.body, 'scope'), grant.info, parsed).map(resourceOf);
          if (scopes.length === 0 || !scopes.every(isThisContainer(containerName)))
            problem(`${grantAt} must be scoped to the dead-letter container "${containerName}", not wider`);
        }
      }
    }
  }
}

/**
 * A subscription can have only one Microsoft.Resources.Subscriptions system topic: main.bicep's
 * existingSystemTopicIds must reach an `existing` system topic of the provision (whose identity is
 * then granted the dead-letter role, checked above), azd must map it, and docs/deployment.md must
 * say how to use it and what the topic's owner does first (its system-assigned identity).
 */
function checkExistingTopic(root, parsed, main, problem) {
  if (!main.params.has(EXISTING_TOPIC_PARAM)) {
    problem(
      `infra/main.bicep: no param ${EXISTING_TOPIC_PARAM}: a subscription that already has its one Microsoft.Resources.Subscriptions system topic cannot be attached to`,
    );
    return;
  }
  const attached = [...provisionTree(main, parsed)].some((info) =>
    info.resources.some(
      (resource) =>
        resource.existing &&
        typeOf(resource, 'Microsoft.EventGrid/systemTopics') &&
        mainSources(propertyValue(resource.body, 'name'), info, parsed, main).has(EXISTING_TOPIC_PARAM),
    ),
  );
  if (!attached)
    problem(
      `infra: param ${EXISTING_TOPIC_PARAM} does not reach an existing Microsoft.EventGrid/systemTopics resource, so nothing attaches to the topic it names`,
    );
  const parametersFile = path.join(root, 'infra/main.parameters.json');
  const parameters = existsSync(parametersFile) ? (JSON.parse(readFileSync(parametersFile, 'utf8')).parameters ?? {}) : {};
  if (!String(parameters[EXISTING_TOPIC_PARAM]?.value ?? '').includes(EXISTING_TOPIC_VARIABLE)) {
    problem(`infra/main.parameters.json: ${EXISTING_TOPIC_PARAM} is not mapped to ${EXISTING_TOPIC_VARIABLE}`);
  }
  const docsFile = path.join(root, 'docs/deployment.md');
  const docs = existsSync(docsFile) ? readFileSync(docsFile, 'utf8') : '';
  for (const needle of [EXISTING_TOPIC_VARIABLE, EXISTING_TOPIC_PARAM, 'az eventgrid system-topic update']) {
    if (!docs.includes(needle)) problem(`docs/deployment.md: does not explain attaching to an existing system topic (${needle})`);
  }
}

/** The query string an expression comes down to (a variable holding a multi-line string). */
function queryText(node, info, parsed) {
  const values = literals(node, info, parsed);
  return values?.length === 1 ? values[0].trim() : undefined;
}

/** The columns a query's last `project` keeps. */
function projectedColumns(query) {
  const line =
    query
      .split('\n')
      .filter((candidate) => /^\s*\|\s*project\s/.test(candidate))
      .pop() ?? '';
  return new Set(
    line
      .replace(/^\s*\|\s*project\s+/, '')
      .split(',')
      .map((column) => column.split('=')[0].trim()),
  );
}

/** A KQL query that reads a table through `union isfuzzy=true (datatable(...)[]), Table`: it runs while the table does not exist yet. */
const survivesEmptyWorkspace = (query, table = 'AppTraces') =>
  new RegExp(`union\\s+isfuzzy\\s*=\\s*true\\s*\\(\\s*datatable\\([^)]*\\)\\s*\\[\\s*\\]\\s*\\)\\s*,\\s*${table}\\b`).test(query);

/**
 * The alert rule (DESIGN §9): it must deploy on a brand-new workspace (skipQueryValidation, and a
 * query that runs before AppTraces exists), read the workspace's own table, fire per image and
 * error code (dimensions that the query projects, the image named by its display name and version),
 * and docs/monitoring.md must show its query.
 */
function checkAlert(root, parsed, problem) {
  const rules = [...parsed.values()].flatMap((info) =>
    info.resources
      .filter((resource) => typeOf(resource, 'Microsoft.Insights/scheduledQueryRules') && !resource.existing)
      .map((resource) => ({ resource, info })),
  );
  if (rules.length === 0) return problem(`infra: no log alert rule (Microsoft.Insights/scheduledQueryRules) on ${FAILURE_EVENT}`);
  const docsFile = path.join(root, 'docs/monitoring.md');
  const docs = existsSync(docsFile) ? readFileSync(docsFile, 'utf8') : undefined;
  for (const { resource, info } of rules) {
    const at = `${where(info.file, resource.node, root)}: alert rule ${resource.name}`;
    const props = propertyValue(resource.body, 'properties');
    if (literal(propertyValue(props, 'skipQueryValidation')) !== 'true') {
      problem(
        `${at} must set skipQueryValidation: true: a new workspace has no AppTraces table until the app's first log line, and validating the query against it fails the deployment`,
      );
    }
    const scopes = propertyValue(props, 'scopes')?.namedChildren.flatMap((element) => trace(element, info, parsed)) ?? [];
    if (
      scopes.length === 0 ||
      !scopes.every(
        (leaf) => resourceOf(leaf)?.members === 'id' && typeOf(resourceOf(leaf)?.resource, 'Microsoft.OperationalInsights/workspaces'),
      )
    ) {
      problem(`${at} must be scoped to the Log Analytics workspace, whose AppTraces table its query reads`);
    }
    for (const condition of propertyValue(propertyValue(props, 'criteria'), 'allOf')?.namedChildren ?? []) {
      const query = queryText(propertyValue(condition, 'query'), info, parsed);
      if (!query) {
        problem(`${at}: its query does not come down to a string`);
        continue;
      }
      if (!query.includes(FAILURE_EVENT)) problem(`${at}: its query does not match the app's ${FAILURE_EVENT} log lines`);
      if (!survivesEmptyWorkspace(query))
        problem(
          `${at}: its query must read AppTraces as \`union isfuzzy=true (datatable(...)[]), AppTraces\`, so that it runs on a workspace that has no AppTraces table yet`,
        );
      const columns = projectedColumns(query);
      const dimensions = (propertyValue(condition, 'dimensions')?.namedChildren ?? []).map((dimension) =>
        literal(propertyValue(dimension, 'name')),
      );
      for (const name of ALERT_DIMENSIONS.filter((wanted) => !dimensions.includes(wanted))) {
        problem(
          `${at} does not split by the dimension ${name}: it must fire once per image and error code (${ALERT_DIMENSIONS.join(', ')})`,
        );
      }
      for (const name of dimensions.filter((dimension) => !columns.has(dimension)))
        problem(`${at}: dimension ${name} is not a column its query projects`);
      if (!/\|\s*extend\s+image\s*=.*displayName.*version/.test(query))
        problem(`${at}: the image dimension must name the image (its displayName and version)`);
      if (docs === undefined) problem('docs/monitoring.md is missing');
      else if (!docs.includes(query))
        problem("docs/monitoring.md: does not show the alert rule's query as infra/modules/monitoring.bicep has it");
    }
  }
}

/** The file a Bicep expression loads (loadJsonContent / loadTextContent), resolved from the Bicep file. */
function loadedFile(node, info) {
  for (const call of [node, ...descendants(node)].filter((candidate) => candidate.type === 'call_expression')) {
    if (!/^load(Json|Text)Content$/.test(call.namedChildren[0]?.text ?? '')) continue;
    const relative = stringValue(call.namedChildren[1]?.namedChildren[0]);
    if (relative) return path.resolve(path.dirname(info.file), relative);
  }
  return undefined;
}

/** Every item of a workbook, those in groups included. */
function* workbookItems(items) {
  for (const item of Array.isArray(items) ? items : []) {
    yield item;
    yield* workbookItems(item?.content?.items);
  }
}

/** The event names a query selects: `event in ("A", "B")`, `event == "A"`, `Message startswith "A"`. */
function queriedEvents(query) {
  const names = new Set();
  for (const match of query.matchAll(/\bevent\s+in\s*\(([^)]*)\)/g))
    for (const name of match[1].matchAll(/"([A-Za-z]+)"/g)) names.add(name[1]);
  for (const match of query.matchAll(/\bevent\s*==\s*"([A-Za-z]+)"/g)) names.add(match[1]);
  for (const match of query.matchAll(/Message\s+startswith\s+"([A-Za-z]+)/g)) names.add(match[1]);
  return names;
}

/** The app's source text (src/**.ts), to check that a query selects events the app logs. */
function sourceText(root) {
  const dir = path.join(root, 'src');
  if (!existsSync(dir)) return undefined;
  const texts = [];
  const walk = (current) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) texts.push(readFileSync(full, 'utf8'));
    }
  };
  walk(dir);
  return texts.join('\n');
}

/**
 * The workbook: deployed (Microsoft.Insights/workbooks) and linked to the workspace, its
 * serializedData valid workbook JSON with the sections of WORKBOOK_SECTIONS, each a query of the
 * events it is about; every query runs on an empty workspace and selects only events the app logs
 * (src/); docs/monitoring.md describes each section.
 */
function checkWorkbook(root, parsed, problem) {
  const workbooks = [...parsed.values()].flatMap((info) =>
    info.resources
      .filter((resource) => typeOf(resource, 'Microsoft.Insights/workbooks') && !resource.existing)
      .map((resource) => ({ resource, info })),
  );
  if (workbooks.length === 0) return problem('infra: no Azure Monitor workbook (Microsoft.Insights/workbooks)');
  const source = sourceText(root);
  const docsFile = path.join(root, 'docs/monitoring.md');
  const docs = existsSync(docsFile) ? readFileSync(docsFile, 'utf8') : '';
  for (const { resource, info } of workbooks) {
    const at = `${where(info.file, resource.node, root)}: workbook ${resource.name}`;
    const props = propertyValue(resource.body, 'properties');
    const sourceIds = trace(propertyValue(props, 'sourceId'), info, parsed);
    if (
      sourceIds.length === 0 ||
      !sourceIds.every(
        (leaf) => resourceOf(leaf)?.members === 'id' && typeOf(resourceOf(leaf)?.resource, 'Microsoft.OperationalInsights/workspaces'),
      )
    ) {
      problem(`${at}: sourceId must be the Log Analytics workspace's id (the workbook is linked to the workspace its queries read)`);
    }
    const serialized = propertyValue(props, 'serializedData');
    const file = serialized && loadedFile(serialized, info);
    if (!file) {
      problem(`${at}: serializedData must load the workbook from its JSON file (loadJsonContent or loadTextContent)`);
      continue;
    }
    const relative = path.relative(root, file).split(path.sep).join('/');
    if (!existsSync(file)) {
      problem(`${at}: ${relative} does not exist`);
      continue;
    }
    let workbook;
    try {
      workbook = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      problem(`${relative}: not valid JSON (${error.message})`);
      continue;
    }
    if (workbook?.version !== 'Notebook/1.0' || !Array.isArray(workbook.items))
      problem(`${relative}: not a workbook (version Notebook/1.0 with items)`);
    const items = [...workbookItems(workbook?.items)];
    for (const [name, terms] of Object.entries(WORKBOOK_SECTIONS)) {
      const item = items.find((candidate) => candidate?.name === name);
      const query = item?.type === 3 ? String(item.content?.query ?? '') : undefined;
      if (query === undefined) {
        problem(`${relative}: no query section "${name}"`);
        continue;
      }
      for (const term of terms.filter((wanted) => !query.includes(wanted)))
        problem(`${relative}: section "${name}" does not query ${term}`);
      const title = String(item.content?.title ?? '');
      if (!title || !docs.includes(title)) problem(`docs/monitoring.md: does not describe the workbook section "${title || name}"`);
    }
    for (const item of items.filter((candidate) => candidate?.type === 3)) {
      const query = String(item.content?.query ?? '');
      if (/\bAppTraces\b/.test(query) && !survivesEmptyWorkspace(query))
        problem(
          `${relative}: query "${item.name}" must read AppTraces as \`union isfuzzy=true (datatable(...)[]), AppTraces\` (a new workspace has no AppTraces table)`,
        );
      if (/\bAppDependencies\b/.test(query) && !survivesEmptyWorkspace(query, 'AppDependencies'))
        problem(
          `${relative}: query "${item.name}" must read AppDependencies through a fuzzy union (the table exists only when dependencies are collected)`,
        );
      for (const event of source === undefined ? [] : queriedEvents(query)) {
        if (!source?.includes(`'${event}'`)) problem(`${relative}: query "${item.name}" selects ${event}, which the app (src/) never logs`);
      }
    }
  }
}

/** The main.bicep param that narrows the scan, the output the hook reads, the scale-out cap and its azd variable. */
const RESOURCE_GROUPS_PARAM = 'imageSyncResourceGroups';
const SCANNED_SUBSCRIPTIONS_OUTPUT = 'IMAGE_SYNC_SCANNED_SUBSCRIPTION_IDS';
const MAXIMUM_INSTANCES_PARAM = 'maximumInstanceCount';
const MAXIMUM_INSTANCES_VARIABLE = 'IMAGE_SYNC_MAXIMUM_INSTANCE_COUNT';
const APP_PRINCIPAL = 'identity.outputs.principalId';

/** The text of every main.bicep expression an expression comes from (its variables expanded), across module params. */
function mainText(node, info, parsed, main) {
  const texts = [];
  const visit = (current, where, depth) => {
    if (!current || depth > 60) return;
    if (current.type === 'identifier') {
      const variable = where.variables.get(current.text);
      if (variable) {
        if (where === main) texts.push(variable.text);
        return visit(variable, where, depth + 1);
      }
      if (where !== main && where.params.has(current.text)) {
        for (const { module, caller } of callersOf(where, parsed))
          visit(propertyValue(propertyValue(module.body, 'params'), current.text), caller, depth + 1);
        return;
      }
    }
    if (where === main) texts.push(current.text);
    if (current.type === 'object_property') return visit(current.namedChildren[current.namedChildren.length - 1], where, depth + 1);
    for (const child of current.namedChildren) visit(child, where, depth + 1);
  };
  visit(node, info, 0);
  return texts.join('\n');
}

/** The role assignments of the templates, each with its file, roles and the main.bicep sources of its principal. */
function roleAssignments(parsed, main) {
  return [...parsed.values()].flatMap((info) =>
    info.resources
      .filter((resource) => typeOf(resource, 'Microsoft.Authorization/roleAssignments') && !resource.existing)
      .map((resource) => {
        const props = propertyValue(resource.body, 'properties');
        const loop = resource.node.namedChildren[2]?.type === 'for_statement' ? resource.node.namedChildren[2] : undefined;
        const collection = loop?.namedChildren[loop.namedChildren.length - 2];
        const principals = new Set([
          ...mainSources(propertyValue(props, 'principalId'), info, parsed, main),
          ...(collection ? mainSources(collection, info, parsed, main) : []),
        ]);
        return { resource, info, props, collection, principals, roleIds: roleIdsOf(propertyValue(props, 'roleDefinitionId'), info) };
      }),
  );
}

/**
 * What a first `azd up` from the README needs of the templates (issue 24): a pipeline's service
 * principal granted as what it is; a subscription list the hook can read whatever way azd got it; a
 * scale-out operators can cap; Reader no wider than the scan.
 */
function checkFirstDeployment(root, parsed, main, problem) {
  const parametersFile = path.join(root, 'infra/main.parameters.json');
  const parameters = existsSync(parametersFile) ? (JSON.parse(readFileSync(parametersFile, 'utf8')).parameters ?? {}) : {};
  const mappedDefault = (name) => /^\$\{[A-Za-z_][A-Za-z0-9_]*(?:=(.*))?\}$/s.exec(String(parameters[name]?.value ?? ''))?.[1];
  const assignments = roleAssignments(parsed, main);

  // The operator's principal type.
  if (mappedDefault('operatorPrincipalType')) {
    problem(
      `infra/main.parameters.json: operatorPrincipalType defaults to "${mappedDefault('operatorPrincipalType')}": azd signed in as a service principal (a pipeline) would grant it as that type and fail with UnmatchedPrincipalType; leave the default empty so main.bicep works it out from deployer()`,
    );
  }
  for (const { resource, info, props, collection } of assignments.filter((entry) => entry.principals.has('operatorPrincipalId'))) {
    // Through the loop's collection too: `for principal in principals: ... principal.principalType`.
    const typeText = [propertyValue(props, 'principalType'), collection].map((node) => mainText(node, info, parsed, main)).join('\n');
    if (!/\bdeployer\(\)/.test(typeText))
      problem(
        `${where(info.file, resource.node, root)}: role assignment ${resource.name}: the operator's principalType does not come from how the deployment is signed in (deployer()), so a pipeline's service principal is granted as a User (UnmatchedPrincipalType)`,
      );
  }

  // The subscription list, for the postdeploy hook.
  const output = main.outputValues.get(SCANNED_SUBSCRIPTIONS_OUTPUT);
  if (!output || !mainSources(output, main, parsed, main).has('imageSyncSubscriptionIds'))
    problem(
      `infra/main.bicep: no output ${SCANNED_SUBSCRIPTIONS_OUTPUT} from imageSyncSubscriptionIds: a list typed at azd's prompt is an infra parameter, not an env value, and the postdeploy hook would read it empty`,
    );
  const hookFile = path.join(root, HOOK_SCRIPT);
  if (!(existsSync(hookFile) ? readFileSync(hookFile, 'utf8') : '').includes(SCANNED_SUBSCRIPTIONS_OUTPUT))
    problem(`${HOOK_SCRIPT}: does not read the deployment output ${SCANNED_SUBSCRIPTIONS_OUTPUT}`);

  // The scale-out cap.
  const maximum = main.params.get(MAXIMUM_INSTANCES_PARAM);
  const minimum = maximum && /@(?:sys\.)?minValue\(\s*(\d+)\s*\)/.exec(maximum.node.previousNamedSibling?.text ?? '')?.[1];
  if (!maximum) problem(`infra/main.bicep: no param ${MAXIMUM_INSTANCES_PARAM}: operators cannot cap the scale-out`);
  else if (minimum !== undefined && minimum !== '1')
    problem(
      `infra/main.bicep: param ${MAXIMUM_INSTANCES_PARAM} has @minValue(${minimum}); Flex Consumption allows 1, and operators must be able to cap the scale-out (each instance works a batch of registrations against one Graph budget)`,
    );
  if (maximum && !String(parameters[MAXIMUM_INSTANCES_PARAM]?.value ?? '').includes(MAXIMUM_INSTANCES_VARIABLE))
    problem(`infra/main.parameters.json: ${MAXIMUM_INSTANCES_PARAM} is not mapped to ${MAXIMUM_INSTANCES_VARIABLE}`);
  const site = [...parsed.values()]
    .flatMap((info) => info.resources.map((resource) => ({ resource, info })))
    .find(({ resource }) => typeOf(resource, 'Microsoft.Web/sites') && !resource.existing);
  const scale = site
    ? propertyValue(
        propertyValue(propertyValue(propertyValue(site.resource.body, 'properties'), 'functionAppConfig'), 'scaleAndConcurrency'),
        'maximumInstanceCount',
      )
    : undefined;
  if (maximum && !(scale && mainSources(scale, site.info, parsed, main).has(MAXIMUM_INSTANCES_PARAM)))
    problem(
      `infra: param ${MAXIMUM_INSTANCES_PARAM} does not reach the Function App's functionAppConfig.scaleAndConcurrency.maximumInstanceCount`,
    );
  const docsFile = path.join(root, 'docs/deployment.md');
  const docs = existsSync(docsFile) ? readFileSync(docsFile, 'utf8') : '';
  if (!docs.includes(MAXIMUM_INSTANCES_VARIABLE) || !docs.includes('batchSize'))
    problem(
      `docs/deployment.md: does not give the scale-out arithmetic (${MAXIMUM_INSTANCES_VARIABLE} × the queue batch of host.json, batchSize + newBatchThreshold)`,
    );

  // The app's Reader: the subscription only when the scan is not narrowed, the groups otherwise.
  const readers = assignments.filter(
    (entry) => entry.principals.has(APP_PRINCIPAL) && entry.roleIds.length === 1 && entry.roleIds[0] === ROLES.Reader,
  );
  for (const { resource, info } of readers) {
    const at = `${where(info.file, resource.node, root)}: role assignment ${resource.name}`;
    const scopes = scopeOf(resource, info, parsed, main).map((scope) => scope.type);
    if (scopes.includes(SCOPE.subscription)) {
      const condition =
        resource.node.namedChildren[2]?.type === 'if_statement' ? resource.node.namedChildren[2].namedChildren[0] : undefined;
      if (!condition || !mainSources(condition, info, parsed, main).has(RESOURCE_GROUPS_PARAM))
        problem(
          `${at} gives the app's identity Reader on the whole subscription even when IMAGE_SYNC_RESOURCE_GROUPS narrows the scan: make it conditional on ${RESOURCE_GROUPS_PARAM} being empty`,
        );
    }
    if (scopes.includes(SCOPE.resourceGroup)) {
      const narrowed = callersOf(info, parsed).every(({ module, caller }) => {
        const loop = module.node.namedChildren[2]?.type === 'for_statement' ? module.node.namedChildren[2] : undefined;
        return loop && mainSources(loop.namedChildren[loop.namedChildren.length - 2], caller, parsed, main).has(RESOURCE_GROUPS_PARAM);
      });
      if (!narrowed) problem(`${at} gives the app's identity Reader on resource groups that are not those of ${RESOURCE_GROUPS_PARAM}`);
    }
  }
}

function checkAzureYaml(root, parsed, problem) {
  const file = path.join(root, 'azure.yaml');
  if (!existsSync(file)) return problem('azure.yaml is missing');
  const config = YAML.parse(readFileSync(file, 'utf8'));
  const infraPath = config.infra?.path ?? 'infra';
  if (!existsSync(path.join(root, infraPath, `${config.infra?.module ?? 'main'}.bicep`)))
    problem(`azure.yaml: infra ${infraPath}/${config.infra?.module ?? 'main'}.bicep does not exist`);
  const service = config.services?.[SERVICE_NAME];
  if (!service) return problem(`azure.yaml: no service "${SERVICE_NAME}" (the azd-service-name tag)`);
  if (service.host !== 'function') problem('azure.yaml: the service host must be function');
  if (!['ts', 'js', 'typescript', 'javascript'].includes(service.language)) problem('azure.yaml: the service language must be ts or js');
  if (service.dist !== PACKAGE_FOLDER) problem(`azure.yaml: dist must be ${PACKAGE_FOLDER} (what npm run package writes)`);
  if (service.remoteBuild !== false) problem('azure.yaml: remoteBuild must be false (the package is self-contained)');
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const hooks = [...Object.values(config.hooks ?? {}), ...Object.values(service.hooks ?? {})];
  for (const hook of hooks) {
    for (const shell of [hook, hook.posix, hook.windows].filter((value) => value?.run)) {
      const script = /node\s+(\S+\.mjs)/.exec(shell.run)?.[1];
      if (script && !existsSync(path.join(root, script))) problem(`azure.yaml: hook runs ${script}, which does not exist`);
      const npmScript = /npm run (\S+)/.exec(shell.run)?.[1];
      if (npmScript && !manifest.scripts?.[npmScript])
        problem(`azure.yaml: hook runs npm run ${npmScript}, which package.json does not define`);
    }
  }
  void parsed;
}

async function main() {
  const { values } = parseArgs({
    options: {
      root: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(
      'Usage: node scripts/check-infra.mjs [--root DIR]... [--json]\nStatic check of infra/*.bicep, infra/main.parameters.json and azure.yaml (see the header of this file).',
    );
    return 0;
  }
  const roots = (values.root ?? [process.cwd()]).map((root) => path.resolve(root));
  const byRoot = {};
  for (const root of roots) byRoot[root] = await checkInfra(root);
  const findings = Object.values(byRoot).flat();
  if (values.json) console.log(JSON.stringify({ findings, byRoot }, null, 2));
  else if (findings.length === 0)
    console.log(
      'infra: no findings (syntax, descriptions, modules, parameters, DESIGN §3 settings, least privilege, Event Grid delivery, existing system topics, alert rule, workbook, azure.yaml)',
    );
  else
    for (const [root, list] of Object.entries(byRoot))
      for (const finding of list) console.log(roots.length > 1 ? `${root}: ${finding}` : finding);
  return findings.length === 0 ? 0 : 1;
}

if (path.resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
