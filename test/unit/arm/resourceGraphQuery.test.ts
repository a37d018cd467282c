import { describe, expect, it } from 'vitest';
import { discoveryQuery, kqlString } from '../../../src/arm/resourceGraphQuery';
import { recogniseQuery } from '../../../src/emulator/resourceGraphQuery';

const TAG = { kind: 'tag', name: 'cloudpc-sync', value: 'true' } as const;

describe('discoveryQuery', () => {
  it('filters managed images by the opt-in tag on the server, name and value case-insensitively, and projects what eligibility needs', () => {
    expect(discoveryQuery({ scope: TAG, resourceGroups: null, withSubscriptionRows: false })).toBe(
      [
        'Resources',
        "| where type =~ 'microsoft.compute/images'",
        '| extend optIn = tags',
        '| mv-expand bagexpansion=array optIn',
        "| where tostring(optIn[0]) =~ 'cloudpc-sync' and trim(@'\\s+', tostring(optIn[1])) =~ 'true'",
        '| project id, name, location, tags, provisioningState = tostring(properties.provisioningState), hyperVGeneration = tostring(properties.hyperVGeneration), osDisk = properties.storageProfile.osDisk, dataDiskCount = array_length(properties.storageProfile.dataDisks), sourceVirtualMachineId = tostring(properties.sourceVirtualMachine.id)',
        '| order by id asc',
      ].join('\n'),
    );
  });

  it('takes every image for IMAGE_SYNC_TAG=*, narrows to the resource groups, and adds the readable subscriptions for listed ones', () => {
    const query = discoveryQuery({ scope: { kind: 'all' }, resourceGroups: ['rg-images', 'RG-Build'], withSubscriptionRows: true });
    expect(query).not.toMatch(/optIn/);
    expect(query).toContain("| where resourceGroup in~ ('rg-images', 'RG-Build')");
    expect(query).toContain(
      "| union (ResourceContainers | where type =~ 'microsoft.resources/subscriptions' | project id, subscriptionId)\n| order by id asc",
    );
  });

  it('escapes quotes and backslashes in tag names and values', () => {
    expect(kqlString("it's a \\ test")).toBe("'it\\'s a \\\\ test'");
    expect(
      discoveryQuery({ scope: { kind: 'tag', name: "team's", value: 'a\\b' }, resourceGroups: null, withSubscriptionRows: false }),
    ).toContain("=~ 'team\\'s' and trim(@'\\s+', tostring(optIn[1])) =~ 'a\\\\b'");
  });

  it('is a shape the emulator recognises, in every combination the settings allow', () => {
    for (const scope of [TAG, { kind: 'all' } as const, { kind: 'tag', name: "o'dd", value: 'x\\y' } as const]) {
      for (const resourceGroups of [null, ['rg-a', 'rg-b']]) {
        for (const withSubscriptionRows of [false, true]) {
          const recognised = recogniseQuery(discoveryQuery({ scope, resourceGroups, withSubscriptionRows }));
          expect(recognised.tag).toEqual(scope.kind === 'tag' ? { name: scope.name, value: scope.value } : null);
          expect(recognised.resourceGroups).toEqual(resourceGroups);
          expect(recognised.withSubscriptionRows).toBe(withSubscriptionRows);
          expect(recognised.orderedById).toBe(true);
        }
      }
    }
  });

  it.each([
    ['another table', 'ResourceContainers | project id'],
    ['another resource type', "Resources | where type =~ 'microsoft.compute/virtualmachines' | project id"],
    ['a limit', "Resources | where type =~ 'microsoft.compute/images' | project id | limit 5"],
    ['no id column', "Resources | where type =~ 'microsoft.compute/images' | project name"],
    ['an unknown function', "Resources | where type =~ 'microsoft.compute/images' | project id, n = toupper(name)"],
    ['an unbalanced quote', "Resources | where type =~ 'microsoft.compute/images | project id"],
  ])('is refused by the emulator with a 400 for %s', (_what, query) => {
    expect(() => recogniseQuery(query)).toThrow(
      expect.objectContaining({ status: 400, message: expect.stringMatching(/does not serve this query/) }),
    );
  });
});
