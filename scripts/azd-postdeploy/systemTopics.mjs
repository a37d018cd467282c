// The system topic of each scanned subscription, which the event subscriptions hang off.
import { HookError, capture, firstLine, parseJson, shown } from './azCli.mjs';
import { list } from './environment.mjs';

const TOPIC_TYPE = 'microsoft.resources.subscriptions';

/** An existing system topic's id, split: /subscriptions/{s}/resourceGroups/{g}/providers/Microsoft.EventGrid/systemTopics/{n}. */
function parseTopicId(id) {
  const match = /^\/?subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.EventGrid\/systemTopics\/([^/]+)$/i.exec(
    id.trim(),
  );
  if (!match)
    throw new HookError(
      `IMAGE_SYNC_EXISTING_SYSTEM_TOPICS: "${id}" is not a system topic id (/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.EventGrid/systemTopics/{name})`,
    );
  return { subscriptionId: match[1], resourceGroup: match[2], name: match[3] };
}

/** Event subscription names: 3-64 letters, digits and hyphens. */
const subscriptionNameFor = (envName) => `imagesync-${envName.replace(/[^A-Za-z0-9-]/g, '-')}`.slice(0, 64);

/**
 * The system topic of each scanned subscription: the existing one listed in
 * IMAGE_SYNC_EXISTING_SYSTEM_TOPICS, else the one the provision created in the events resource group.
 * @param {import('./environment.mjs').Hook} hook
 */
export function findTopics(hook, values, subscriptionIds) {
  const { dryRun, env } = hook;
  const existing = list(env.IMAGE_SYNC_EXISTING_SYSTEM_TOPICS).map(parseTopicId);
  return subscriptionIds.map((subscriptionId) => {
    const attached = existing.find((topic) => topic.subscriptionId.toLowerCase() === subscriptionId.toLowerCase());
    const resourceGroup = attached?.resourceGroup ?? values.eventsResourceGroup;
    // On a topic the app created, the name it always had; on someone else's topic, one that names this deployment.
    const eventSubscriptionName = attached ? subscriptionNameFor(values.envName) : 'image-written';
    const args = [
      'eventgrid',
      'system-topic',
      'list',
      '--subscription',
      subscriptionId,
      '--resource-group',
      resourceGroup,
      '--output',
      'json',
    ];
    if (dryRun) {
      console.log(
        `would run: ${shown('az', args)}   (the ${attached ? `existing topic ${attached.name}` : 'Microsoft.Resources.Subscriptions system topic'})`,
      );
      return { subscriptionId, resourceGroup, name: attached?.name ?? `<system topic of ${subscriptionId}>`, eventSubscriptionName };
    }
    const answer = capture('az', args);
    if (answer.status !== 0)
      throw new HookError(
        `could not list the system topics of resource group ${resourceGroup} in subscription ${subscriptionId}: ${firstLine(answer.stderr)}`,
      );
    const topics = parseJson(answer.stdout, `system topics of ${resourceGroup}`);
    const topic = Array.isArray(topics)
      ? topics.find((candidate) =>
          attached
            ? candidate?.name?.toLowerCase() === attached.name.toLowerCase()
            : String(candidate?.topicType ?? '').toLowerCase() === TOPIC_TYPE,
        )
      : undefined;
    if (!topic) {
      throw new HookError(
        attached
          ? `the system topic ${attached.name} (IMAGE_SYNC_EXISTING_SYSTEM_TOPICS) is not in resource group ${resourceGroup} of subscription ${subscriptionId}`
          : `subscription ${subscriptionId} has no Microsoft.Resources.Subscriptions system topic in ${resourceGroup}: run azd provision (with IMAGE_SYNC_EVENTS_ENABLED=true); if the subscription already has such a topic elsewhere, list it in IMAGE_SYNC_EXISTING_SYSTEM_TOPICS`,
      );
    }
    if (!String(topic.identity?.type ?? '').includes('SystemAssigned')) {
      throw new HookError(
        `the system topic ${topic.name} has no system-assigned identity, which Event Grid dead-letters with. Its owner enables it (az eventgrid system-topic update --name ${topic.name} --resource-group ${resourceGroup} --subscription ${subscriptionId} --identity systemassigned), then run azd provision (which grants it the dead-letter container) and azd hooks run postdeploy`,
      );
    }
    console.log(
      `  subscription ${subscriptionId}: system topic ${topic.name} (${resourceGroup}${attached ? ', existing' : ''}), event subscription ${eventSubscriptionName}`,
    );
    return { subscriptionId, resourceGroup, name: topic.name, eventSubscriptionName };
  });
}
