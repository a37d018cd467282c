// The two Azure Resource Graph queries of gallery discovery (IMAGE_SYNC_DISCOVERY=resource-graph,
// DESIGN §17): image definitions and image versions, each with its whole `properties`, ordered by
// id (Resource Graph pages reliably only over a sorted result). They are joined in memory, and the
// opt-in tag is matched there, on the definition's tags overlaid by the version's: a KQL filter on
// either alone would miss a version opted in by its definition, or one that opts out.
import type { ResourceGraphDiscoverySettings } from '../config';
import { kqlString } from './resourceGraphQuery';

export const GALLERY_DEFINITION_TYPE = 'microsoft.compute/galleries/images';
export const GALLERY_VERSION_TYPE = 'microsoft.compute/galleries/images/versions';

function galleryQuery(type: string, resourceGroups: ResourceGraphDiscoverySettings['resourceGroups']): string {
  const stages = ['Resources', `where type =~ '${type}'`];
  if (resourceGroups !== null) stages.push(`where resourceGroup in~ (${resourceGroups.map(kqlString).join(', ')})`);
  stages.push('project id, name, type, location, tags, properties', 'order by id asc');
  return stages.join(' | ');
}

export function galleryDefinitionsQuery(resourceGroups: ResourceGraphDiscoverySettings['resourceGroups']): string {
  return galleryQuery(GALLERY_DEFINITION_TYPE, resourceGroups);
}

export function galleryVersionsQuery(resourceGroups: ResourceGraphDiscoverySettings['resourceGroups']): string {
  return galleryQuery(GALLERY_VERSION_TYPE, resourceGroups);
}
