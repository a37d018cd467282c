// Azure Compute Gallery image versions as sources (DESIGN §17, issue 22): IMAGE_SYNC_GALLERY_SOURCES is
// off, copy or direct and nothing else; with copy, the templates define one custom role whose actions
// are exactly read, write and delete on disks and images, assignable only at the group it is deployed
// to, which is the staging group (IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP) and only with copy, and
// assign it there to the app's identity and to no one else; every event subscription lets gallery image
// version writes through to imageWritten. (The two settings reaching the app with their DESIGN §3
// defaults is settingsCheck.mjs's, Reader on the galleries the Reader of roleAssignmentsCheck.mjs.)
// docs/deployment.md says how to turn it on, Windows 365's Reader on the staging subscription included.
import { literal, propertyValue, typeOf, where } from './bicep.mjs';
import { readRepoFile } from './findings.mjs';
import { CUSTOM_ROLE_PREFIX, STAGING_ROLE_ACTIONS, roleAssignments } from './roles.mjs';
import { callersOf, mainSources } from './trace.mjs';

const SOURCES_PARAM = 'imageSyncGallerySources';
const SOURCES_ALLOWED = ['off', 'copy', 'direct'];
const STAGING_PARAM = 'imageSyncGalleryStagingResourceGroup';
const APP_PRINCIPAL = 'identity.outputs.principalId';
const VERSION_WRITE = 'Microsoft.Compute/galleries/images/versions/write';
const PERMISSION_LISTS = ['actions', 'notActions', 'dataActions', 'notDataActions'];

export function checkGallerySources({ root, parsed, main, problem }) {
  checkSourcesParam(main, problem);
  const roles = [...parsed.values()].flatMap((info) =>
    info.resources
      .filter((resource) => typeOf(resource, 'Microsoft.Authorization/roleDefinitions') && !resource.existing)
      .map((resource) => ({ resource, info })),
  );
  if (roles.length === 0)
    problem(
      `infra: no custom role (Microsoft.Authorization/roleDefinitions) for ${SOURCES_PARAM} copy: the app's identity cannot make its disks and managed images in the staging group`,
    );
  const assignments = roleAssignments(parsed, main);
  for (const { resource, info } of roles) {
    const at = `${where(info.file, resource.node, root)}: custom role ${resource.name}`;
    checkPermissions(at, propertyValue(resource.body, 'properties'), problem);
    checkDeployedAtStagingGroup(root, at, resource, info, parsed, main, problem);
    const id = `${CUSTOM_ROLE_PREFIX}${resource.name}`;
    const assigned = assignments.filter((entry) => entry.info === info && entry.roleIds.includes(id));
    if (!assigned.some((entry) => entry.principals.has(APP_PRINCIPAL)))
      problem(`${at} is not assigned to the app's identity at the staging group: ${SOURCES_PARAM} copy could make no disk or image there`);
    // roleIdsOf names a role definition only in its own file: every assignment of it is at the staging group.
    for (const entry of assigned.filter((candidate) => candidate.principals.size !== 1 || !candidate.principals.has(APP_PRINCIPAL)))
      problem(
        `${where(entry.info.file, entry.resource.node, root)}: role assignment ${entry.resource.name} gives ${resource.name} to someone other than the app's identity`,
      );
  }
  checkEventFilters(root, parsed, problem);
  const docs = readRepoFile(root, 'docs/deployment.md') ?? '';
  for (const needle of ['IMAGE_SYNC_GALLERY_SOURCES copy', 'IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP', '--apply-windows365-reader'])
    if (!docs.includes(needle)) problem(`docs/deployment.md: does not explain turning gallery sources on (${needle})`);
}

function checkSourcesParam(main, problem) {
  const param = main.params.get(SOURCES_PARAM);
  if (!param) return; // settingsCheck.mjs reports the missing param
  const decorators = param.node.previousNamedSibling?.type === 'decorators' ? param.node.previousNamedSibling.text : '';
  const allowed = /@(?:sys\.)?allowed\(\s*\[([^\]]*)\]\s*\)/.exec(decorators)?.[1];
  const values = allowed === undefined ? [] : [...allowed.matchAll(/'([^']*)'/g)].map((match) => match[1]);
  if (values.length !== SOURCES_ALLOWED.length || !SOURCES_ALLOWED.every((value) => values.includes(value)))
    problem(
      `infra/main.bicep: param ${SOURCES_PARAM} must be @allowed([${SOURCES_ALLOWED.map((value) => `'${value}'`).join(', ')}]) (DESIGN §3), not ${allowed === undefined ? 'any string' : `[${values.join(', ')}]`}`,
    );
}

/** Exactly the actions of STAGING_ROLE_ACTIONS, in one permissions entry, nothing denied or on data, assignable at resourceGroup().id alone. */
function checkPermissions(at, props, problem) {
  const permissions = propertyValue(props, 'permissions')?.namedChildren ?? [];
  if (permissions.length !== 1) problem(`${at} must have exactly one permissions entry, not ${permissions.length}`);
  const lists = Object.fromEntries(
    PERMISSION_LISTS.map((key) => [
      key,
      permissions.flatMap((entry) => (propertyValue(entry, key)?.namedChildren ?? []).map((item) => literal(item) ?? item.text)),
    ]),
  );
  const extra = lists.actions.filter((action) => !STAGING_ROLE_ACTIONS.includes(action));
  const missing = STAGING_ROLE_ACTIONS.filter((action) => !lists.actions.includes(action));
  if (extra.length > 0 || missing.length > 0 || lists.actions.length !== STAGING_ROLE_ACTIONS.length)
    problem(
      `${at}: its actions must be exactly ${STAGING_ROLE_ACTIONS.join(', ')}${extra.length > 0 ? `; remove ${extra.join(', ')}` : ''}${missing.length > 0 ? `; add ${missing.join(', ')}` : ''}`,
    );
  for (const key of PERMISSION_LISTS.slice(1)) {
    if (lists[key].length > 0)
      problem(`${at}: ${key} must be empty (the role is disks and images, read, write, delete), not ${lists[key].join(', ')}`);
  }
  // By its text: the grammar splits `resourceGroup().id` in two when it is an array's item.
  const scopes = (propertyValue(props, 'assignableScopes')?.text ?? '').replace(/^\[|\]$/g, '').trim();
  if (scopes.replace(/\s/g, '') !== 'resourceGroup().id')
    problem(`${at}: assignableScopes must be [resourceGroup().id] alone (the staging group), not [${scopes.split(/\s+/).join(', ')}]`);
}

/** The file that defines the role is deployed at a resource group, only by modules scoped at the staging group and only with copy. */
function checkDeployedAtStagingGroup(root, at, role, info, parsed, main, problem) {
  if (info.targetScope !== 'resourceGroup')
    problem(`${at}: its file must be deployed at the staging resource group (targetScope resourceGroup), not ${info.targetScope}`);
  const callers = callersOf(info, parsed);
  if (callers.length === 0) problem(`${at}: no module of main.bicep deploys its file at the staging group`);
  for (const { module, caller } of callers) {
    const moduleAt = `${where(caller.file, module.node, root)}: module ${module.name}`;
    if (!mainSources(propertyValue(module.body, 'scope'), caller, parsed, main).has(STAGING_PARAM))
      problem(
        `${moduleAt} deploys custom role ${role.name} at a scope that does not come from ${STAGING_PARAM} (IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP)`,
      );
    const condition = module.node.namedChildren[2]?.type === 'if_statement' ? module.node.namedChildren[2].namedChildren[0] : undefined;
    if (!condition || !mainSources(condition, caller, parsed, main).has(SOURCES_PARAM))
      problem(`${moduleAt} is not conditional on ${SOURCES_PARAM}: the staging role must exist only with copy`);
  }
}

/** Every event subscription's operationName filter lets gallery image version writes through. */
function checkEventFilters(root, parsed, problem) {
  for (const info of parsed.values()) {
    for (const subscription of info.resources.filter((resource) =>
      typeOf(resource, 'Microsoft.EventGrid/systemTopics/eventSubscriptions'),
    )) {
      const filter = propertyValue(propertyValue(subscription.body, 'properties'), 'filter');
      const operations = (propertyValue(filter, 'advancedFilters')?.namedChildren ?? [])
        .filter(
          (entry) =>
            literal(propertyValue(entry, 'key')) === 'data.operationName' && literal(propertyValue(entry, 'operatorType')) === 'StringIn',
        )
        .flatMap((entry) => (propertyValue(entry, 'values')?.namedChildren ?? []).map(literal));
      if (!operations.includes(VERSION_WRITE))
        problem(
          `${where(info.file, subscription.node, root)}: event subscription ${subscription.name}: its filter (data.operationName StringIn) does not include ${VERSION_WRITE}: gallery image versions would wait for the reconcile timer (DESIGN §17)`,
        );
    }
  }
}
