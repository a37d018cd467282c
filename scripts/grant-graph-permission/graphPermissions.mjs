// The Microsoft Graph application permissions, granted to the managed identity as app role assignments.
import { servicePrincipalByAppId } from './clients.mjs';
import { ScriptError, printCommand } from './reporting.mjs';

const MICROSOFT_GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
/** The permissions and the ids Microsoft publishes for them (only compared with what the tenant answers). */
export const CLOUD_PC = { value: 'CloudPC.ReadWrite.All', publishedId: '3b4349e1-8cf5-45a3-95b7-69d1751d3e6a' };
export const CATALOGUE = { value: 'DeviceManagementConfiguration.Read.All', publishedId: 'dc377aa6-52d8-4e23-b271-2a7ae04cedf3' };

export async function grantPermissions(graph, options) {
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
