// Who may get which role where (docs/permissions.md), and readers of the templates' role assignments:
// the role definitions an assignment names, what it is scoped to, and whose principal it grants.
import { loopOf, propertyValue, typeOf } from './bicep.mjs';
import { mainSources, resourceOf, trace } from './trace.mjs';

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
/** The one custom role the templates define (DESIGN §17): what it is called in findings, and its actions, exactly. */
export const STAGING_ROLE = 'custom role (gallery staging)';
export const STAGING_ROLE_ACTIONS = [
  'Microsoft.Compute/disks/read',
  'Microsoft.Compute/disks/write',
  'Microsoft.Compute/disks/delete',
  'Microsoft.Compute/images/read',
  'Microsoft.Compute/images/write',
  'Microsoft.Compute/images/delete',
];
/** A role definition the templates define, as roleIdsOf names it: `custom:<its symbolic name>`. */
export const CUSTOM_ROLE_PREFIX = 'custom:';
export const SCOPE = {
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
      // IMAGE_SYNC_GALLERY_SOURCES=copy: the custom role of the staging group (galleryCheck.mjs holds it to its actions and scope).
      {
        role: STAGING_ROLE,
        custom: true,
        scope: SCOPE.resourceGroup,
        label: 'the staging resource group (IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP)',
      },
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

const GUID_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/**
 * The role definition ids a roleDefinitionId expression names, through variables and `roles.x` lookups;
 * a role definition of the same file (`stagingRole.name`, `stagingRole.id`) as `custom:stagingRole`.
 */
export function roleIdsOf(node, info, depth = 0) {
  if (!node || depth > 20) return [];
  const defined = customRoleOf(node, info);
  if (defined) return [`${CUSTOM_ROLE_PREFIX}${defined.name}`];
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

/** The role definition resource (of this file) an expression names: `x`, `x.id` or `x.name`. */
function customRoleOf(node, info) {
  const object = node.type === 'member_expression' && ['id', 'name'].includes(node.namedChildren[1]?.text) ? node.namedChildren[0] : node;
  if (object?.type !== 'identifier') return undefined;
  const resource = info.resources.find((candidate) => candidate.name === object.text);
  return resource && typeOf(resource, 'Microsoft.Authorization/roleDefinitions') && !resource.existing ? resource : undefined;
}

export const ROLE_NAMES = new Map(Object.entries(ROLES).map(([name, id]) => [id, name]));
export const isCustomRole = (id) => id.startsWith(CUSTOM_ROLE_PREFIX);
export const roleName = (id) => ROLE_NAMES.get(id) ?? (isCustomRole(id) ? `custom role ${id.slice(CUSTOM_ROLE_PREFIX.length)}` : id);

const SCOPE_NOUNS = {
  [SCOPE.subscription]: 'subscription',
  [SCOPE.resourceGroup]: 'resource group',
  [SCOPE.account]: 'storage account',
  [SCOPE.queue]: 'queue',
  [SCOPE.table]: 'table',
  [SCOPE.container]: 'blob container',
  [SCOPE.applicationInsights]: 'Application Insights component',
};

/** What a role assignment is scoped to: a resource of the templates (its type, and where its name comes from) or, without `scope`, its file's target scope. */
export function scopeOf(resource, info, parsed, main) {
  const scope = propertyValue(resource.body, 'scope');
  if (!scope) return [{ type: info.targetScope, named: new Set(), label: `the ${info.targetScope} it is deployed to` }];
  return trace(scope, info, parsed).map((leaf) => {
    const found = resourceOf(leaf);
    if (!found || found.members !== '') return { type: `(${leaf.node.text})`, named: new Set(), label: leaf.node.text };
    const type = found.resource.type?.split('@')[0] ?? '';
    // A resource loop (`for name in names`) is named by its collection.
    const loop = loopOf(found.resource);
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

export const scopeLabel = (grant) =>
  grant.label ??
  (grant.scope === SCOPE.subscription
    ? 'each scanned subscription'
    : grant.scope === SCOPE.resourceGroup
      ? 'each resource group of IMAGE_SYNC_RESOURCE_GROUPS'
      : `the ${SCOPE_NOUNS[grant.scope]}${[grant.named ?? []].flat().length > 1 ? 's' : ''}${grant.named ? ` named by ${[grant.named].flat().join(' and ')}` : ''}`);

/** The role assignments of the templates, each with its file, roles and the main.bicep sources of its principal. */
export function roleAssignments(parsed, main) {
  return [...parsed.values()].flatMap((info) =>
    info.resources
      .filter((resource) => typeOf(resource, 'Microsoft.Authorization/roleAssignments') && !resource.existing)
      .map((resource) => {
        const props = propertyValue(resource.body, 'properties');
        const loop = loopOf(resource);
        const collection = loop?.namedChildren[loop.namedChildren.length - 2];
        const principals = new Set([
          ...mainSources(propertyValue(props, 'principalId'), info, parsed, main),
          ...(collection ? mainSources(collection, info, parsed, main) : []),
        ]);
        return { resource, info, props, collection, principals, roleIds: roleIdsOf(propertyValue(props, 'roleDefinitionId'), info) };
      }),
  );
}
