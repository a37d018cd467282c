// The one Azure Resource Graph query of IMAGE_SYNC_DISCOVERY=resource-graph: the managed images in
// scope, filtered on the server by the opt-in tag, projected to what eligibility needs, ordered by
// id (Resource Graph pages reliably only over a sorted result). With listed subscriptions it also
// returns a row per subscription the identity can read, so a listed one that Resource Graph leaves
// out (no Reader, or no such subscription) is reported as ARM mode reports it: unreadable.
import type { ResourceGraphDiscoverySettings } from '../config';

/** Resource Graph answers at most 1,000 rows a page (`$top`). */
export const RESOURCE_GRAPH_MAX_PAGE = 1_000;

/** The row that says "this subscription is readable": only `id` (`/subscriptions/{guid}`) and `subscriptionId`. */
export const SUBSCRIPTION_ROW_TYPE = 'microsoft.resources/subscriptions';

/** A KQL string literal: single quotes, with backslash and quote escaped. */
export function kqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * Columns of an image row. `tostring()` of an absent property is '' (read as absent), and
 * `array_length()` of an absent list is null (no data disks), as the ARM reader reads them.
 */
const IMAGE_COLUMNS = [
  'id',
  'name',
  'location',
  'tags',
  'provisioningState = tostring(properties.provisioningState)',
  'hyperVGeneration = tostring(properties.hyperVGeneration)',
  'osDisk = properties.storageProfile.osDisk',
  'dataDiskCount = array_length(properties.storageProfile.dataDisks)',
  'sourceVirtualMachineId = tostring(properties.sourceVirtualMachine.id)',
];

export interface DiscoveryQueryOptions {
  readonly scope: ResourceGraphDiscoverySettings['scope'];
  readonly resourceGroups: ResourceGraphDiscoverySettings['resourceGroups'];
  /** Add a row per readable subscription (listed subscriptions: to tell which ones are missing). */
  readonly withSubscriptionRows: boolean;
}

/**
 * Tag names compare case-insensitively in Azure, but `tags['name']` in KQL does not: each tag is
 * expanded to a [name, value] pair and both are compared with `=~` (the value without surrounding
 * whitespace, as the planner's scope reads it). The expansion works on a copy (`optIn`), so the row
 * keeps its whole `tags`.
 */
export function discoveryQuery(options: DiscoveryQueryOptions): string {
  const stages = ['Resources', "where type =~ 'microsoft.compute/images'"];
  if (options.resourceGroups !== null) stages.push(`where resourceGroup in~ (${options.resourceGroups.map(kqlString).join(', ')})`);
  if (options.scope.kind === 'tag') {
    stages.push(
      'extend optIn = tags',
      'mv-expand bagexpansion=array optIn',
      `where tostring(optIn[0]) =~ ${kqlString(options.scope.name)} and trim(@'\\s+', tostring(optIn[1])) =~ ${kqlString(options.scope.value)}`,
    );
  }
  stages.push(`project ${IMAGE_COLUMNS.join(', ')}`);
  if (options.withSubscriptionRows)
    stages.push(`union (ResourceContainers | where type =~ '${SUBSCRIPTION_ROW_TYPE}' | project id, subscriptionId)`);
  stages.push('order by id asc');
  return stages.join('\n| ');
}
