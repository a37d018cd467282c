// The Windows 365 prerequisite: its service principal reads every source subscription (checked, and
// with --apply-windows365-reader assigned).
import { randomUUID } from 'node:crypto';
import { servicePrincipalByAppId } from './clients.mjs';
import { printCommand } from './reporting.mjs';

export const WINDOWS_365_APP_ID = '0af06dc6-e4b5-4f28-818e-e78e62d137a5';
const READER_ROLE_ID = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
/** Built-in roles that include read access to a subscription: Reader, Contributor, Owner. */
const READ_ROLE_IDS = new Set([READER_ROLE_ID, 'b24988ac-6180-42a0-ab88-20f7382dd24c', '8e3af657-a8ff-443c-a75c-2fe8c4bcb635']);
const ARM_ROLE_API = '2022-04-01';

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
export async function checkWindows365Reader(graph, armFor, options) {
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
