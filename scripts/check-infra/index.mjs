// Static check of infra/ and azure.yaml, for a machine with no Bicep compiler (none installs from
// the npm registry: the npm wrappers download the CLI from elsewhere). It parses every .bicep file
// with the tree-sitter Bicep grammar (bicep.mjs) and runs the checks of this folder, one module each,
// in the order below, on what a reader of this project relies on:
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
//  - gallery sources (DESIGN §17, issue 22): IMAGE_SYNC_GALLERY_SOURCES is off, copy or direct; with
//    copy, one custom role of exactly disks and images read/write/delete, assignable only at the
//    staging group, deployed there only with copy and assigned there to the app's identity alone;
//    every event subscription lets gallery image version writes through;
//  - azure.yaml points at the infra, the packaged folder and scripts that exist.
// It does not type-check resource properties against the ARM schemas: `az bicep build` does that
// (docs/deployment.md).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { checkAlert } from './alertCheck.mjs';
import { collectAppSettings } from './appSettings.mjs';
import { checkAzureYaml } from './azureYamlCheck.mjs';
import { parseBicepFiles } from './bicep.mjs';
import { checkDeclarations } from './declarationsCheck.mjs';
import { checkEventDelivery } from './eventDeliveryCheck.mjs';
import { checkExistingTopic } from './existingTopicCheck.mjs';
import { collectFindings } from './findings.mjs';
import { checkFirstDeployment } from './firstDeploymentCheck.mjs';
import { checkGallerySources } from './galleryCheck.mjs';
import { checkInvariants } from './invariantsCheck.mjs';
import { checkParametersFile } from './parametersFileCheck.mjs';
import { checkRoleAssignments } from './roleAssignmentsCheck.mjs';
import { checkDesignSettings } from './settingsCheck.mjs';
import { checkSyntax } from './syntaxCheck.mjs';
import { checkWorkbook } from './workbookCheck.mjs';

export { DESIGN_SETTINGS } from './settingsCheck.mjs';
export { GRANTS, ROLES } from './roles.mjs';
export { WORKBOOK_SECTIONS } from './workbookCheck.mjs';

/** The findings of one checked tree (root: the folder that holds infra/, azure.yaml, docs/ ...). */
export async function checkInfra(root) {
  const infraDir = path.join(root, 'infra');
  if (!existsSync(path.join(infraDir, 'main.bicep'))) return ['infra/main.bicep is missing'];
  const { findings, problem } = collectFindings();
  const parsed = await parseBicepFiles(infraDir);
  const main = parsed.get(path.join(infraDir, 'main.bicep'));
  const context = { root, parsed, main, problem };
  checkSyntax(context);
  checkDeclarations(context);
  checkParametersFile(context);
  const appSettings = collectAppSettings(parsed, main, problem);
  for (const check of [
    checkDesignSettings,
    checkInvariants,
    checkRoleAssignments,
    checkEventDelivery,
    checkExistingTopic,
    checkAlert,
    checkWorkbook,
    checkFirstDeployment,
    checkGallerySources,
    checkAzureYaml,
  ])
    check({ ...context, appSettings });
  return findings;
}
