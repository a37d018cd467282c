// What a first `azd up` from the README needs of the templates (issue 24).
import { propertyValue, typeOf, where } from './bicep.mjs';
import { HOOK_SCRIPT, readParameters, readRepoFile } from './findings.mjs';
import { ROLES, SCOPE, roleAssignments, scopeOf } from './roles.mjs';
import { callersOf, mainSources, mainText } from './trace.mjs';

/** The main.bicep param that narrows the scan, the output the hook reads, the scale-out cap and its azd variable. */
const RESOURCE_GROUPS_PARAM = 'imageSyncResourceGroups';
const SCANNED_SUBSCRIPTIONS_OUTPUT = 'IMAGE_SYNC_SCANNED_SUBSCRIPTION_IDS';
const MAXIMUM_INSTANCES_PARAM = 'maximumInstanceCount';
const MAXIMUM_INSTANCES_VARIABLE = 'IMAGE_SYNC_MAXIMUM_INSTANCE_COUNT';
const APP_PRINCIPAL = 'identity.outputs.principalId';

/**
 * What a first `azd up` from the README needs of the templates (issue 24): a pipeline's service
 * principal granted as what it is; a subscription list the hook can read whatever way azd got it; a
 * scale-out operators can cap; Reader no wider than the scan.
 */
export function checkFirstDeployment({ root, parsed, main, problem }) {
  const parameters = readParameters(root);
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
  if (!(readRepoFile(root, HOOK_SCRIPT) ?? '').includes(SCANNED_SUBSCRIPTIONS_OUTPUT))
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
  const docs = readRepoFile(root, 'docs/deployment.md') ?? '';
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
