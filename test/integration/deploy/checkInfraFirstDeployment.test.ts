// scripts/check-infra.mjs on what a first `azd up` from the README needs (issue 24): each template
// change of that issue, and an edit that undoes it, which the check must report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Edit, REPO, infraCopies } from './infraCopy';

const MAIN = 'infra/main.bicep';
const PARAMETERS = 'infra/main.parameters.json';
const ACCESS = 'infra/modules/storage-access.bicep';
const SCANNED = 'infra/modules/scanned-subscription.bicep';

const copies = infraCopies();
const edits = {
  operatorTypeDefaultsToUser: [[PARAMETERS, (text) => text.replace('${AZURE_PRINCIPAL_TYPE=}', '${AZURE_PRINCIPAL_TYPE=User}')]],
  operatorTypeNotFromDeployer: [
    [
      MAIN,
      (text) =>
        text
          .replace('    principalType: operatorType\n', '    principalType: operatorPrincipalType\n')
          .replace('    operatorPrincipalType: operatorType\n', '    operatorPrincipalType: operatorPrincipalType\n'),
    ],
  ],
  subscriptionsNotOutput: [[MAIN, (text) => text.replace(/output IMAGE_SYNC_SCANNED_SUBSCRIPTION_IDS .*\n/, '')]],
  hookReadsEnvOnly: [
    ['scripts/azd-postdeploy.mjs', (text) => text.replaceAll('IMAGE_SYNC_SCANNED_SUBSCRIPTION_IDS', 'IMAGE_SYNC_SUBSCRIPTION_IDS')],
  ],
  instancesFloorOf40: [[MAIN, (text) => text.replace('@minValue(1)\n@maxValue(1000)', '@minValue(40)\n@maxValue(1000)')]],
  instancesNotMapped: [[PARAMETERS, (text) => text.replace(/ {4}"maximumInstanceCount": .*\n/, '')]],
  instancesNotReachingApp: [
    ['infra/modules/function-app.bicep', (text) => text.replace('maximumInstanceCount: maximumInstanceCount', 'maximumInstanceCount: 40')],
  ],
  scaleOutUndocumented: [['docs/deployment.md', (text) => text.replaceAll('IMAGE_SYNC_MAXIMUM_INSTANCE_COUNT', 'MAX_INSTANCES')]],
  readerAlwaysOnSubscription: [
    [
      SCANNED,
      (text) => text.replace("roleAssignments@2022-04-01' = if (empty(readerResourceGroups)) {", "roleAssignments@2022-04-01' = {"),
    ],
  ],
  readerOnOtherGroups: [
    [MAIN, (text) => text.replace('readerResourceGroups: scannedResourceGroups', "readerResourceGroups: ['rg-other']")],
  ],
  appTableRoleOnAccount: [[ACCESS, (text) => text.replace(/(resource appTableContributor [^]*?)scope: table\n/, '$1scope: account\n')]],
  appQueueRoleOnAccount: [[ACCESS, (text) => text.replace('scope: appQueues[index]', 'scope: account')]],
} satisfies Record<string, Edit[]>;
type Case = keyof typeof edits | 'committed';
let found = {} as Record<Case, string[]>;

beforeAll(() => {
  const roots: Record<string, string> = { committed: REPO };
  for (const [name, list] of Object.entries(edits)) roots[name] = copies.edited(...list);
  found = copies.check(roots);
});

afterAll(() => copies.remove());

describe('scripts/check-infra.mjs: a first deployment (issue 24)', () => {
  it('finds nothing wrong in the templates as committed', () => {
    expect(found.committed).toEqual([]);
  });

  describe("the operator's principal type", () => {
    it('reports a parameters file that defaults AZURE_PRINCIPAL_TYPE to User (a pipeline then fails with UnmatchedPrincipalType)', () => {
      expect(found.operatorTypeDefaultsToUser).toContainEqual(
        expect.stringMatching(/^infra\/main\.parameters\.json: operatorPrincipalType defaults to "User": .*UnmatchedPrincipalType/),
      );
    });

    it("reports operator role assignments whose type does not come from the deployment's sign-in", () => {
      for (const assignment of ['pipelineSenders', 'statusReaders', 'operatorDeadLetterReader']) {
        expect(found.operatorTypeNotFromDeployer).toContainEqual(
          expect.stringMatching(
            new RegExp(
              `^infra/modules/storage-access\\.bicep:\\d+: role assignment ${assignment}: the operator's principalType does not come from .*deployer\\(\\)`,
            ),
          ),
        );
      }
    });
  });

  describe('the subscription list the postdeploy hook reads', () => {
    it('reports a provision that does not output it', () => {
      expect(found.subscriptionsNotOutput).toContainEqual(
        expect.stringMatching(/^infra\/main\.bicep: no output IMAGE_SYNC_SCANNED_SUBSCRIPTION_IDS from imageSyncSubscriptionIds/),
      );
    });

    it('reports a hook that does not read the output', () => {
      expect(found.hookReadsEnvOnly).toContainEqual(
        'scripts/azd-postdeploy.mjs: does not read the deployment output IMAGE_SYNC_SCANNED_SUBSCRIPTION_IDS',
      );
    });
  });

  describe('the scale-out cap', () => {
    it('reports a floor above 1', () => {
      expect(found.instancesFloorOf40).toContainEqual(
        expect.stringMatching(/^infra\/main\.bicep: param maximumInstanceCount has @minValue\(40\); Flex Consumption allows 1/),
      );
    });

    it('reports a cap that azd cannot set or that does not reach the Function App', () => {
      expect(found.instancesNotMapped).toContainEqual(
        'infra/main.parameters.json: maximumInstanceCount is not mapped to IMAGE_SYNC_MAXIMUM_INSTANCE_COUNT',
      );
      expect(found.instancesNotReachingApp).toContainEqual(
        "infra: param maximumInstanceCount does not reach the Function App's functionAppConfig.scaleAndConcurrency.maximumInstanceCount",
      );
    });

    it('reports documentation without the arithmetic', () => {
      expect(found.scaleOutUndocumented).toContainEqual(
        expect.stringMatching(/^docs\/deployment\.md: does not give the scale-out arithmetic/),
      );
    });
  });

  describe("the app's Reader and its storage roles, no wider than the scan and the ledger", () => {
    it('reports Reader on the whole subscription whatever IMAGE_SYNC_RESOURCE_GROUPS says', () => {
      expect(found.readerAlwaysOnSubscription).toContainEqual(
        expect.stringMatching(
          /^infra\/modules\/scanned-subscription\.bicep:\d+: role assignment reader gives the app's identity Reader on the whole subscription even when IMAGE_SYNC_RESOURCE_GROUPS narrows the scan/,
        ),
      );
    });

    it('reports Reader on resource groups that are not the scanned ones', () => {
      expect(found.readerOnOtherGroups).toContainEqual(
        expect.stringMatching(
          /^infra\/modules\/resource-group-reader\.bicep:\d+: role assignment reader gives the app's identity Reader on resource groups that are not those of imageSyncResourceGroups$/,
        ),
      );
    });

    it("reports the app's table role on the account instead of the ledger table", () => {
      expect(found.appTableRoleOnAccount).toContainEqual(
        expect.stringMatching(
          /^infra\/modules\/storage-access\.bicep:\d+: role assignment appTableContributor gives the app's identity Storage Table Data Contributor on storage account account; they need only /,
        ),
      );
      expect(found.appTableRoleOnAccount).toContainEqual(
        "infra: no Storage Table Data Contributor on the table named by imageSyncTable for the app's identity",
      );
    });

    it("reports the app's queue role on the account instead of its queues", () => {
      expect(found.appQueueRoleOnAccount).toContainEqual(
        "infra: no Storage Queue Data Contributor on the queues named by imageSyncRegisterQueue and imageSyncStatusQueue for the app's identity",
      );
    });
  });
});
