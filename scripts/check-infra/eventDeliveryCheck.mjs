// Event Grid delivery (DESIGN §1: events are the fast path, the timer the guarantee).
import path from 'node:path';
import { literal, propertyValue, stringValue, typeOf, where } from './bicep.mjs';
import { HOOK_SCRIPT, readRepoFile } from './findings.mjs';
import { ROLES } from './roles.mjs';
import { deploymentRoots, literals, mentions, provisionTree, resourceOf, trace } from './trace.mjs';

/** Event Grid's retry policy, stated on every event subscription (its default, and each value's maximum). */
const EVENT_RETRY_POLICY = { maxDeliveryAttempts: '30', eventTimeToLiveInMinutes: '1440' };
/** What Event Grid needs on a blob container to dead-letter into it. */
const STORAGE_BLOB_DATA_CONTRIBUTOR = ROLES['Storage Blob Data Contributor'];

/**
 * Event Grid delivery (DESIGN §1: events are the fast path, the timer the guarantee): every event
 * subscription states Event Grid's retry policy, dead-letters to a blob container that the
 * templates create, signing in with its system topic's own identity (the account has no shared
 * keys); it is created from the azd postdeploy hook once imageWritten exists, never by the
 * provision (the function does not exist yet then); and every system topic the provision creates
 * or attaches to has, for its identity, Storage Blob Data Contributor on that container and nothing
 * else, granted by the provision, before the hook runs. docs/deployment.md says where to look.
 */
export function checkEventDelivery({ root, parsed, main, problem }) {
  const files = [...parsed.values()];
  const docs = readRepoFile(root, 'docs/deployment.md') ?? '';
  const hook = readRepoFile(root, HOOK_SCRIPT) ?? '';
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
