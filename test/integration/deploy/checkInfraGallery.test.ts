// scripts/check-infra.mjs on Azure Compute Gallery sources (issue 22, DESIGN §17): each template part
// of that issue, and an edit that undoes or widens it, which the check must report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Edit, REPO, infraCopies } from './infraCopy';

const MAIN = 'infra/main.bicep';
const STAGING = 'infra/modules/gallery-staging-access.bicep';
const EVENTS = 'infra/modules/image-written-subscription.bicep';
const ROLE_AT = String.raw`^infra/modules/gallery-staging-access\.bicep:\d+: custom role stagingRole`;

const copies = infraCopies();
const edits = {
  roleGrowsAnAction: [
    [
      STAGING,
      (text) =>
        text.replace(
          "'Microsoft.Compute/images/delete'\n",
          "'Microsoft.Compute/images/delete'\n          'Microsoft.Compute/snapshots/write'\n",
        ),
    ],
  ],
  roleWildcard: [
    [
      STAGING,
      (text) =>
        text.replace(
          "          'Microsoft.Compute/disks/read'\n          'Microsoft.Compute/disks/write'\n          'Microsoft.Compute/disks/delete'\n",
          "          'Microsoft.Compute/disks/*'\n",
        ),
    ],
  ],
  roleOnData: [
    [STAGING, (text) => text.replace('        dataActions: []\n', "        dataActions: ['Microsoft.Compute/disks/download/action']\n")],
  ],
  roleAssignableOnSubscription: [
    [
      STAGING,
      (text) =>
        text.replace('    assignableScopes: [\n      resourceGroup().id\n    ]', '    assignableScopes: [\n      subscription().id\n    ]'),
    ],
  ],
  assignmentMissing: [[STAGING, (text) => text.replace(/resource stagingWriter [^]*?\n}\n/, '')]],
  assignedToOperator: [
    [
      MAIN,
      (text) =>
        text.replace(
          '    appPrincipalId: identity.outputs.principalId\n  }\n}\n\noutput AZURE_LOCATION',
          '    appPrincipalId: operatorPrincipalId\n  }\n}\n\noutput AZURE_LOCATION',
        ),
    ],
  ],
  stagingScopeNotFromSetting: [
    [MAIN, (text) => text.replace('scope: resourceGroup(stagingGroup.subscriptionId, stagingGroup.name)', 'scope: rg')],
  ],
  roleWithoutCopy: [
    [
      MAIN,
      (text) => text.replace("'modules/gallery-staging-access.bicep' = if (galleryCopy) {", "'modules/gallery-staging-access.bicep' = {"),
    ],
  ],
  filterWithoutVersions: [[EVENTS, (text) => text.replace("            'Microsoft.Compute/galleries/images/versions/write'\n", '')]],
  sourcesSettingDropped: [[MAIN, (text) => text.replace('    IMAGE_SYNC_GALLERY_SOURCES: imageSyncGallerySources\n', '')]],
  stagingSettingDropped: [
    [
      MAIN,
      (text) =>
        text.replace(
          '  empty(imageSyncGalleryStagingResourceGroup) ? {} : { IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP: imageSyncGalleryStagingResourceGroup }\n',
          '  {}\n',
        ),
    ],
  ],
  sourcesDefaultCopy: [
    [MAIN, (text) => text.replace("param imageSyncGallerySources string = 'off'", "param imageSyncGallerySources string = 'copy'")],
    ['infra/main.parameters.json', (text) => text.replace('${IMAGE_SYNC_GALLERY_SOURCES=off}', '${IMAGE_SYNC_GALLERY_SOURCES=copy}')],
  ],
  gallerySourcesUndocumented: [
    ['docs/deployment.md', (text) => text.replaceAll('IMAGE_SYNC_GALLERY_SOURCES copy', 'IMAGE_SYNC_GALLERY_SOURCES=copy')],
  ],
  sourcesAnyString: [[MAIN, (text) => text.replace("@allowed([\n  'off'\n  'copy'\n  'direct'\n])\n", '')]],
} satisfies Record<string, Edit[]>;
type Case = keyof typeof edits | 'committed';
let found = {} as Record<Case, string[]>;

beforeAll(() => {
  const roots: Record<string, string> = { committed: REPO };
  for (const [name, list] of Object.entries(edits)) roots[name] = copies.edited(...list);
  found = copies.check(roots);
});

afterAll(() => copies.remove());

describe('scripts/check-infra.mjs: gallery sources (issue 22)', () => {
  it('finds nothing wrong in the templates as committed', () => {
    expect(found.committed).toEqual([]);
  });

  describe('the custom role of the staging group', () => {
    it('reports an action beyond disks and images read, write and delete', () => {
      expect(found.roleGrowsAnAction).toContainEqual(
        expect.stringMatching(new RegExp(`${ROLE_AT}: its actions must be exactly .*; remove Microsoft\\.Compute/snapshots/write$`)),
      );
    });

    it('reports a wildcard in place of the three disk actions', () => {
      expect(found.roleWildcard).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `${ROLE_AT}: its actions must be exactly .*; remove Microsoft\\.Compute/disks/\\*; add Microsoft\\.Compute/disks/read, Microsoft\\.Compute/disks/write, Microsoft\\.Compute/disks/delete$`,
          ),
        ),
      );
    });

    it('reports data actions', () => {
      expect(found.roleOnData).toContainEqual(
        expect.stringMatching(new RegExp(`${ROLE_AT}: dataActions must be empty .*Microsoft\\.Compute/disks/download/action$`)),
      );
    });

    it('reports a role assignable beyond the staging group', () => {
      expect(found.roleAssignableOnSubscription).toContainEqual(
        expect.stringMatching(
          new RegExp(`${ROLE_AT}: assignableScopes must be \\[resourceGroup\\(\\)\\.id\\] alone .*subscription\\(\\)\\.id`),
        ),
      );
    });

    it('reports a role deployed somewhere other than the staging group, or without copy', () => {
      expect(found.stagingScopeNotFromSetting).toContainEqual(
        expect.stringMatching(
          /^infra\/main\.bicep:\d+: module galleryStaging deploys custom role stagingRole at a scope that does not come from imageSyncGalleryStagingResourceGroup/,
        ),
      );
      expect(found.roleWithoutCopy).toContainEqual(
        expect.stringMatching(/^infra\/main\.bicep:\d+: module galleryStaging is not conditional on imageSyncGallerySources/),
      );
    });
  });

  describe('its assignment', () => {
    it("reports a staging role that is not assigned to the app's identity", () => {
      expect(found.assignmentMissing).toContainEqual(
        expect.stringMatching(new RegExp(`${ROLE_AT} is not assigned to the app's identity at the staging group`)),
      );
      expect(found.assignmentMissing).toContainEqual(
        "infra: no custom role (gallery staging) on the staging resource group (IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP) for the app's identity",
      );
    });

    it('reports the staging role given to someone else', () => {
      expect(found.assignedToOperator).toContainEqual(
        expect.stringMatching(
          /gallery-staging-access\.bicep:\d+: role assignment stagingWriter gives stagingRole to someone other than the app's identity$/,
        ),
      );
      expect(found.assignedToOperator).toContainEqual(
        expect.stringMatching(
          /gallery-staging-access\.bicep:\d+: role assignment stagingWriter gives the operator custom role stagingRole on the resourceGroup it is deployed to/,
        ),
      );
    });
  });

  it('reports an event filter without gallery image version writes', () => {
    expect(found.filterWithoutVersions).toContainEqual(
      expect.stringMatching(
        /^infra\/modules\/image-written-subscription\.bicep:\d+: event subscription imageWritten: its filter \(data\.operationName StringIn\) does not include Microsoft\.Compute\/galleries\/images\/versions\/write/,
      ),
    );
  });

  it('reports documentation that does not say how to turn gallery sources on', () => {
    expect(found.gallerySourcesUndocumented).toContainEqual(
      'docs/deployment.md: does not explain turning gallery sources on (IMAGE_SYNC_GALLERY_SOURCES copy)',
    );
  });

  describe('the settings (DESIGN §3)', () => {
    it('reports a gallery setting that does not reach the Function App', () => {
      expect(found.sourcesSettingDropped).toContainEqual(
        'app settings: IMAGE_SYNC_GALLERY_SOURCES (DESIGN §3) is not set on the Function App',
      );
      expect(found.stagingSettingDropped).toContainEqual(
        'app settings: IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP (DESIGN §3) is not set on the Function App',
      );
    });

    it('reports a default other than off, and a value other than off, copy or direct', () => {
      expect(found.sourcesDefaultCopy).toContainEqual(
        'infra/main.bicep: param imageSyncGallerySources (IMAGE_SYNC_GALLERY_SOURCES) defaults to "copy", DESIGN §3 says "off"',
      );
      expect(found.sourcesAnyString).toContainEqual(
        "infra/main.bicep: param imageSyncGallerySources must be @allowed(['off', 'copy', 'direct']) (DESIGN §3), not any string",
      );
    });
  });
});
