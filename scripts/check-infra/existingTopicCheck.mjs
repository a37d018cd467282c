// Attaching to a subscription's existing system topic (Azure allows one Microsoft.Resources.Subscriptions
// system topic per subscription).
import { propertyValue, typeOf } from './bicep.mjs';
import { readParameters, readRepoFile } from './findings.mjs';
import { mainSources, provisionTree } from './trace.mjs';

/** The main.bicep param that attaches to a subscription's existing system topic, and its azd variable. */
const EXISTING_TOPIC_PARAM = 'existingSystemTopicIds';
const EXISTING_TOPIC_VARIABLE = 'IMAGE_SYNC_EXISTING_SYSTEM_TOPICS';

/**
 * A subscription can have only one Microsoft.Resources.Subscriptions system topic: main.bicep's
 * existingSystemTopicIds must reach an `existing` system topic of the provision (whose identity is
 * then granted the dead-letter role, checked above), azd must map it, and docs/deployment.md must
 * say how to use it and what the topic's owner does first (its system-assigned identity).
 */
export function checkExistingTopic({ root, parsed, main, problem }) {
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
  const parameters = readParameters(root);
  if (!String(parameters[EXISTING_TOPIC_PARAM]?.value ?? '').includes(EXISTING_TOPIC_VARIABLE)) {
    problem(`infra/main.parameters.json: ${EXISTING_TOPIC_PARAM} is not mapped to ${EXISTING_TOPIC_VARIABLE}`);
  }
  const docs = readRepoFile(root, 'docs/deployment.md') ?? '';
  for (const needle of [EXISTING_TOPIC_VARIABLE, EXISTING_TOPIC_PARAM, 'az eventgrid system-topic update']) {
    if (!docs.includes(needle)) problem(`docs/deployment.md: does not explain attaching to an existing system topic (${needle})`);
  }
}
