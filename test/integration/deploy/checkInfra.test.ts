import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(__dirname, '../../..');
const SCRIPT = path.join(REPO, 'scripts/check-infra.mjs');
const copies: string[] = [];

/** A copy of what the check reads, with one edit applied. */
function mutated(file: string, edit: (text: string) => string): string {
  const root = mkdtempSync(path.join(tmpdir(), 'image-sync-infra-'));
  copies.push(root);
  for (const entry of ['infra', 'azure.yaml', 'package.json', 'scripts', 'docs/deployment.md']) {
    mkdirSync(path.dirname(path.join(root, entry)), { recursive: true });
    cpSync(path.join(REPO, entry), path.join(root, entry), { recursive: true });
  }
  const target = path.join(root, file);
  const before = readFileSync(target, 'utf8');
  const after = edit(before);
  if (after === before) throw new Error(`the edit of ${file} changed nothing: the test needs updating`);
  writeFileSync(target, after);
  return root;
}

// Each case is one edit of a copy; all copies (and the repository) are checked in one run.
const cases = {
  committed: () => REPO,
  syntaxError: () => mutated('infra/modules/storage.bicep', (text) => text.replace("  name: 'default'\n}", "  name: 'default'\n")),
  noDescription: () => mutated('infra/modules/identity.bicep', (text) => text.replace("@description('Region of the identity.')\n", '')),
  moduleMismatch: () =>
    mutated('infra/main.bicep', (text) =>
      text
        .replace("    name: 'id-imagesync-${resourceToken}'\n", "    nmae: 'id-imagesync-${resourceToken}'\n")
        .replace('identity.outputs.clientId\n', 'identity.outputs.clientID\n'),
    ),
  defaultDrift: () => mutated('infra/main.bicep', (text) => text.replace("param imageSyncTag string = 'cloudpc-sync=true'", "param imageSyncTag string = 'sync=yes'")),
  settingDropped: () => mutated('infra/main.bicep', (text) => text.replace('    IMAGE_SYNC_TABLE: imageSyncTable\n', '')),
  flexRejected: () =>
    mutated('infra/modules/function-app.bicep', (text) =>
      text.replace('    AZURE_CLIENT_ID: identityClientId\n', "    AZURE_CLIENT_ID: identityClientId\n    FUNCTIONS_WORKER_RUNTIME: 'node'\n"),
    ),
  sharedKeys: () => mutated('infra/modules/storage.bicep', (text) => text.replace('allowSharedKeyAccess: false', 'allowSharedKeyAccess: true')),
  wrongDist: () => mutated('azure.yaml', (text) => text.replace('dist: artifacts/cloudpc-image-sync', 'dist: dist')),
  staleDocs: () => mutated('infra/modules/monitoring.bicep', (text) => text.replace('severityLevel >= 3', 'severityLevel >= 2')),
  retryPolicyChanged: () =>
    mutated('infra/modules/image-events.bicep', (text) =>
      text.replace('maxDeliveryAttempts: 30', 'maxDeliveryAttempts: 5').replace('      eventTimeToLiveInMinutes: 1440\n', ''),
    ),
  keyBasedDeadLetter: () => mutated('infra/modules/image-events.bicep', (text) => text.replace('deadLetterWithResourceIdentity: {', 'deadLetterDestination: {')),
  topicWithoutIdentity: () => mutated('infra/modules/image-events.bicep', (text) => text.replace("  identity: {\n    type: 'SystemAssigned'\n  }\n", '')),
  deadLetterContainerDropped: () =>
    mutated('infra/modules/storage.bicep', (text) =>
      text
        .replace(/resource deadLetterContainer [^]*?\n}\n/, '')
        .replace('output deadLetterContainerName string = deadLetterContainer.name', 'output deadLetterContainerName string = deadLetterContainerName'),
    ),
  deadLetterRoleWidened: () =>
    mutated('infra/modules/dead-letter-access.bicep', (text) =>
      text
        .replace("var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'", "var storageBlobDataContributor = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635'")
        .replace('  scope: container\n', '  scope: account\n'),
    ),
  deadLetterRoleNotAwaited: () =>
    mutated('infra/modules/image-events.bicep', (text) =>
      text
        .replace('deadLetterAccess.outputs.storageAccountId', "resourceId(deadLetterSubscriptionId, deadLetterResourceGroupName, 'Microsoft.Storage/storageAccounts', deadLetterStorageAccountName)")
        .replace('deadLetterAccess.outputs.containerName', 'deadLetterContainerName'),
    ),
  deadLetterRoleMissing: () =>
    mutated('infra/modules/image-events.bicep', (text) => text.replace('topicPrincipalId: topic.identity.principalId', "topicPrincipalId: '00000000-0000-0000-0000-000000000000'")),
  deadLetterUndocumented: () => mutated('docs/deployment.md', (text) => text.replaceAll('az storage blob list', 'az storage blob show')),
};
type Case = keyof typeof cases;
const found = {} as Record<Case, string[]>;

beforeAll(() => {
  const roots = Object.fromEntries(Object.entries(cases).map(([name, make]) => [name, make()])) as Record<Case, string>;
  const run = spawnSync(process.execPath, [SCRIPT, '--json', ...Object.values(roots).flatMap((root) => ['--root', root])], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(run.stderr).toBe('');
  const { byRoot } = JSON.parse(run.stdout) as { byRoot: Record<string, string[]> };
  for (const name of Object.keys(roots) as Case[]) found[name] = byRoot[roots[name]] ?? ['(not checked)'];
});

afterAll(() => {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
});

describe('scripts/check-infra.mjs (static check of infra/ and azure.yaml)', () => {
  it('finds nothing wrong in the templates as committed', () => {
    expect(found.committed).toEqual([]);
  });

  it('reports a Bicep syntax error with its file and line', () => {
    expect(found.syntaxError.some((finding) => /^infra\/modules\/storage\.bicep:\d+: syntax error/.test(finding))).toBe(true);
  });

  it('reports a param without a description', () => {
    expect(found.noDescription).toContainEqual(expect.stringMatching(/identity\.bicep:\d+: param location has no @description/));
  });

  it('reports module params that do not exist or are missing, and outputs that do not exist', () => {
    expect(found.moduleMismatch).toContainEqual(expect.stringMatching(/module identity passes "nmae", which identity\.bicep does not declare/));
    expect(found.moduleMismatch).toContainEqual(expect.stringMatching(/module identity does not pass required param "name"/));
    expect(found.moduleMismatch).toContainEqual(expect.stringMatching(/identity\.outputs\.clientID is not an output of identity\.bicep/));
  });

  it('reports a setting whose default drifts from DESIGN §3, in main.bicep or main.parameters.json', () => {
    expect(found.defaultDrift).toContainEqual('infra/main.bicep: param imageSyncTag (IMAGE_SYNC_TAG) defaults to "sync=yes", DESIGN §3 says "cloudpc-sync=true"');
    expect(found.defaultDrift).toContainEqual('infra/main.parameters.json: "imageSyncTag" defaults to "cloudpc-sync=true" but main.bicep to "sync=yes"');
  });

  it('reports a DESIGN §3 setting that no longer reaches the Function App', () => {
    expect(found.settingDropped).toContainEqual('app settings: IMAGE_SYNC_TABLE (DESIGN §3) is not set on the Function App');
  });

  it('reports settings Flex Consumption rejects and shared-key storage', () => {
    expect(found.flexRejected).toContainEqual('app settings: FUNCTIONS_WORKER_RUNTIME must not be set in Azure');
    expect(found.sharedKeys).toContainEqual('infra: the storage account must set allowSharedKeyAccess: false');
  });

  it('reports an azure.yaml that would deploy something other than the package', () => {
    expect(found.wrongDist).toContainEqual('azure.yaml: dist must be artifacts/cloudpc-image-sync (what npm run package writes)');
  });

  it('reports documentation that no longer shows the alert query', () => {
    expect(found.staleDocs).toContainEqual("docs/deployment.md: does not show the alert rule's query as infra/modules/monitoring.bicep has it");
  });

  describe('Event Grid delivery', () => {
    const subscription = String.raw`^infra/modules/image-events\.bicep:\d+: event subscription imageWritten`;

    it('reports an event subscription whose retry policy is not Event Grid\'s, stated', () => {
      expect(found.retryPolicyChanged).toContainEqual(expect.stringMatching(new RegExp(`${subscription}: retryPolicy\\.maxDeliveryAttempts is 5, expected 30`)));
      expect(found.retryPolicyChanged).toContainEqual(expect.stringMatching(new RegExp(`${subscription}: retryPolicy\\.eventTimeToLiveInMinutes is not set, expected 1440`)));
    });

    it('reports key-based dead-lettering, which a storage account without shared keys refuses', () => {
      expect(found.keyBasedDeadLetter).toContainEqual(expect.stringMatching(new RegExp(`${subscription} uses deadLetterDestination, which writes with the account's keys`)));
      expect(found.keyBasedDeadLetter).toContainEqual(expect.stringMatching(new RegExp(`${subscription} has no deadLetterWithResourceIdentity`)));
    });

    it('reports a system topic without the identity its event subscription dead-letters with', () => {
      expect(found.topicWithoutIdentity).toContainEqual(
        expect.stringMatching(/^infra\/modules\/image-events\.bicep:\d+: system topic topic has no system-assigned identity, which imageWritten dead-letters with$/),
      );
    });

    it('reports a dead-letter container that the templates do not create', () => {
      expect(found.deadLetterContainerDropped).toContainEqual('infra: no blob container "eventgrid-deadletter" is created for imageWritten\'s dead-lettered events');
    });

    it('reports a dead-letter role wider than Storage Blob Data Contributor on the container', () => {
      const grant = String.raw`^infra/modules/dead-letter-access\.bicep:\d+: role assignment deadLetterWriter for system topic topic`;
      expect(found.deadLetterRoleWidened).toContainEqual(expect.stringMatching(new RegExp(`${grant} must be Storage Blob Data Contributor`)));
      expect(found.deadLetterRoleWidened).toContainEqual(expect.stringMatching(new RegExp(`${grant} must be scoped to the dead-letter container "eventgrid-deadletter", not wider`)));
    });

    it('reports an event subscription that may be created before its identity can write to the container', () => {
      expect(found.deadLetterRoleNotAwaited).toEqual([expect.stringMatching(new RegExp(`${subscription} does not depend on deadLetterWriter`))]);
    });

    it('reports a topic identity that is given no role on the container', () => {
      expect(found.deadLetterRoleMissing).toContainEqual('infra: system topic topic\'s identity has no role on the dead-letter container "eventgrid-deadletter" (Storage Blob Data Contributor)');
    });

    it('reports documentation that does not show how to inspect dead-lettered events', () => {
      expect(found.deadLetterUndocumented).toContainEqual('docs/deployment.md: does not show how to list the dead-letter container "eventgrid-deadletter" (az storage blob list)');
    });
  });
});
