import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = path.resolve(__dirname, '../../..');
const SCRIPT = path.join(REPO, 'scripts/check-infra.mjs');
const copies: string[] = [];
/** What the check reads. src/ only where a case needs it: the check skips the "events the app logs" test without it. */
const COPIED = ['infra', 'azure.yaml', 'package.json', 'scripts', 'docs/deployment.md', 'docs/monitoring.md'];

/** A copy of what the check reads, with one edit applied to each of the given files. */
function mutated(file: string, edit: (text: string) => string, ...more: Array<[string, (text: string) => string] | 'src'>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'image-sync-infra-'));
  copies.push(root);
  for (const entry of [...COPIED, ...(more.includes('src') ? ['src'] : [])]) {
    mkdirSync(path.dirname(path.join(root, entry)), { recursive: true });
    cpSync(path.join(REPO, entry), path.join(root, entry), { recursive: true });
  }
  for (const [target, change] of [
    [file, edit] as [string, (text: string) => string],
    ...more.filter((item): item is [string, (text: string) => string] => item !== 'src'),
  ]) {
    const full = path.join(root, target);
    const before = readFileSync(full, 'utf8');
    const after = change(before);
    if (after === before) throw new Error(`the edit of ${target} changed nothing: the test needs updating`);
    writeFileSync(full, after);
  }
  return root;
}

const EVENTS_FILE = 'infra/modules/image-written-subscription.bicep';
const WORKBOOK = 'infra/workbooks/image-sync.workbook.json';

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
  defaultDrift: () =>
    mutated('infra/main.bicep', (text) =>
      text.replace("param imageSyncTag string = 'cloudpc-sync=true'", "param imageSyncTag string = 'sync=yes'"),
    ),
  settingDropped: () => mutated('infra/main.bicep', (text) => text.replace('    IMAGE_SYNC_TABLE: imageSyncTable\n', '')),
  newSettingDropped: () => mutated('infra/main.bicep', (text) => text.replace('    IMAGE_SYNC_DISCOVERY: imageSyncDiscovery\n', '')),
  newSettingDrift: () =>
    mutated('infra/main.bicep', (text) => text.replace('param imageSyncRollout bool = false', 'param imageSyncRollout bool = true')),
  flexRejected: () =>
    mutated('infra/modules/function-app.bicep', (text) =>
      text.replace(
        '    AZURE_CLIENT_ID: identityClientId\n',
        "    AZURE_CLIENT_ID: identityClientId\n    FUNCTIONS_WORKER_RUNTIME: 'node'\n",
      ),
    ),
  sharedKeys: () =>
    mutated('infra/modules/storage.bicep', (text) => text.replace('allowSharedKeyAccess: false', 'allowSharedKeyAccess: true')),
  wrongDist: () => mutated('azure.yaml', (text) => text.replace('dist: artifacts/cloudpc-image-sync', 'dist: dist')),

  // Least privilege
  pipelineRoleOnAccount: () =>
    mutated('infra/modules/storage-access.bicep', (text) => text.replace('    scope: registerQueue\n', '    scope: account\n')),
  statusReaderRoleWidened: () =>
    mutated('infra/modules/storage-access.bicep', (text) =>
      text.replace(
        "roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.tableDataReader)",
        "roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.tableDataContributor)",
      ),
    ),
  appRoleBroader: () =>
    mutated('infra/modules/storage-access.bicep', (text) =>
      text.replace("blobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'", "blobDataOwner: 'b24988ac-6180-42a0-ab88-20f7382dd24c'"),
    ),
  pipelinesNotGranted: () =>
    mutated('infra/main.bicep', (text) =>
      text.replace('    imagePipelinePrincipals: imagePipelinePrincipals\n', '    imagePipelinePrincipals: operatorPrincipals\n'),
    ),

  // Event Grid delivery
  retryPolicyChanged: () =>
    mutated(EVENTS_FILE, (text) =>
      text.replace('maxDeliveryAttempts: 30', 'maxDeliveryAttempts: 5').replace('      eventTimeToLiveInMinutes: 1440\n', ''),
    ),
  keyBasedDeadLetter: () => mutated(EVENTS_FILE, (text) => text.replace('deadLetterWithResourceIdentity: {', 'deadLetterDestination: {')),
  topicWithoutIdentity: () =>
    mutated('infra/modules/image-events.bicep', (text) => text.replace("  identity: {\n    type: 'SystemAssigned'\n  }\n", '')),
  deadLetterContainerDropped: () =>
    mutated('infra/modules/storage.bicep', (text) =>
      text
        .replace(/resource deadLetterContainer [^]*?\n}\n/, '')
        .replace(
          'output deadLetterContainerName string = deadLetterContainer.name',
          'output deadLetterContainerName string = deadLetterContainerName',
        ),
    ),
  deadLetterRoleWidened: () =>
    mutated('infra/modules/dead-letter-access.bicep', (text) =>
      text
        .replace(
          "var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'",
          "var storageBlobDataContributor = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635'",
        )
        .replace('  scope: container\n', '  scope: account\n'),
    ),
  deadLetterRoleMissing: () =>
    mutated('infra/modules/image-events.bicep', (text) =>
      text.replace('    topicPrincipalId: topicPrincipalId\n', "    topicPrincipalId: '00000000-0000-0000-0000-000000000000'\n"),
    ),
  deadLetterUndocumented: () => mutated('docs/deployment.md', (text) => text.replaceAll('az storage blob list', 'az storage blob show')),
  subscriptionNotFromHook: () =>
    mutated('scripts/azd-postdeploy.mjs', (text) => text.replaceAll('infra/subscribe-image-events.bicep', 'infra/events.bicep')),
  subscriptionInProvision: () =>
    mutated('infra/main.bicep', (text) =>
      text.replace(
        'output AZURE_LOCATION string = location\n',
        `module events 'subscribe-image-events.bicep' = {
  name: 'events'
  params: {
    functionAppId: functionApp.outputs.id
    topics: []
    deadLetterResourceGroupName: rg.name
    deadLetterStorageAccountName: storage.outputs.name
  }
}

output AZURE_LOCATION string = location
`,
      ),
    ),
  existingTopicNotAttached: () =>
    mutated('infra/main.bicep', (text) =>
      text.replace('      existingSystemTopicIds: existingTopicIds\n', '      existingSystemTopicIds: []\n'),
    ),
  existingTopicUndocumented: () =>
    mutated('docs/deployment.md', (text) => text.replaceAll('az eventgrid system-topic update', 'az eventgrid system-topic show')),

  // The alert rule
  staleDocs: () => mutated('infra/modules/monitoring.bicep', (text) => text.replace('SeverityLevel >= 3', 'SeverityLevel >= 2')),
  alertValidated: () =>
    mutated('infra/modules/monitoring.bicep', (text) => text.replace('skipQueryValidation: true', 'skipQueryValidation: false')),
  alertNeedsTable: () =>
    mutated('infra/modules/monitoring.bicep', (text) =>
      text.replace(
        'union isfuzzy=true (datatable(TimeGenerated: datetime, Message: string, SeverityLevel: int)[]), AppTraces\n',
        'AppTraces\n',
      ),
    ),
  alertNotPerImage: () =>
    mutated('infra/modules/monitoring.bicep', (text) => text.replace(/ {12}\{\n {14}name: 'image'\n[^]*?\n {12}\}\n/, '')),
  alertDimensionNotProjected: () =>
    mutated('infra/modules/monitoring.bicep', (text) =>
      text.replace('| project TimeGenerated, image, errorCode, sourceImageResourceId, ', '| project TimeGenerated, image, errorCode, '),
    ),
  alertOnComponent: () =>
    mutated('infra/modules/monitoring.bicep', (text) =>
      text.replace('    scopes: [\n      workspace.id\n    ]', '    scopes: [\n      applicationInsights.id\n    ]'),
    ),

  // The workbook
  workbookMissing: () =>
    mutated('infra/modules/monitoring.bicep', (text) =>
      text
        .replace(/resource workbook [^]*?\n}\n/, '')
        .replace('output workbookId string = workbook.id\n', "output workbookId string = ''\n"),
    ),
  workbookNotLinked: () =>
    mutated('infra/modules/monitoring.bicep', (text) =>
      text.replace('    sourceId: workspace.id\n', '    sourceId: applicationInsights.id\n'),
    ),
  workbookInvalidJson: () => mutated(WORKBOOK, (text) => text.slice(0, text.length / 2)),
  workbookSectionMissing: () => mutated(WORKBOOK, (text) => text.replace('"name": "throttling"', '"name": "throttle"')),
  workbookSectionIncomplete: () =>
    mutated(WORKBOOK, (text) => text.replaceAll('\\"GraphThrottleNotShared\\"', '\\"ThrottleNotShared\\"'), 'src'),
  workbookUndocumented: () => mutated('docs/monitoring.md', (text) => text.replaceAll('Throttling over time', 'Throttling')),
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
    expect(found.moduleMismatch).toContainEqual(
      expect.stringMatching(/module identity passes "nmae", which identity\.bicep does not declare/),
    );
    expect(found.moduleMismatch).toContainEqual(expect.stringMatching(/module identity does not pass required param "name"/));
    expect(found.moduleMismatch).toContainEqual(expect.stringMatching(/identity\.outputs\.clientID is not an output of identity\.bicep/));
  });

  it('reports a setting whose default drifts from DESIGN §3, in main.bicep or main.parameters.json', () => {
    expect(found.defaultDrift).toContainEqual(
      'infra/main.bicep: param imageSyncTag (IMAGE_SYNC_TAG) defaults to "sync=yes", DESIGN §3 says "cloudpc-sync=true"',
    );
    expect(found.defaultDrift).toContainEqual(
      'infra/main.parameters.json: "imageSyncTag" defaults to "cloudpc-sync=true" but main.bicep to "sync=yes"',
    );
  });

  it('reports a DESIGN §3 setting that no longer reaches the Function App', () => {
    expect(found.settingDropped).toContainEqual('app settings: IMAGE_SYNC_TABLE (DESIGN §3) is not set on the Function App');
  });

  it('holds IMAGE_SYNC_ROLLOUT and IMAGE_SYNC_DISCOVERY to DESIGN §3 like every other setting', () => {
    expect(found.newSettingDropped).toContainEqual('app settings: IMAGE_SYNC_DISCOVERY (DESIGN §3) is not set on the Function App');
    expect(found.newSettingDrift).toContainEqual(
      'infra/main.bicep: param imageSyncRollout (IMAGE_SYNC_ROLLOUT) defaults to "true", DESIGN §3 says "false"',
    );
    expect(found.newSettingDrift).toContainEqual(
      'infra/main.parameters.json: "imageSyncRollout" defaults to "false" but main.bicep to "true"',
    );
  });

  it('reports settings Flex Consumption rejects and shared-key storage', () => {
    expect(found.flexRejected).toContainEqual('app settings: FUNCTIONS_WORKER_RUNTIME must not be set in Azure');
    expect(found.sharedKeys).toContainEqual('infra: the storage account must set allowSharedKeyAccess: false');
  });

  it('reports an azure.yaml that would deploy something other than the package', () => {
    expect(found.wrongDist).toContainEqual('azure.yaml: dist must be artifacts/cloudpc-image-sync (what npm run package writes)');
  });

  describe('least privilege (docs/permissions.md)', () => {
    const access = String.raw`^infra/modules/storage-access\.bicep:\d+: role assignment`;

    it('reports an image pipeline role scoped to the storage account instead of the register queue', () => {
      expect(found.pipelineRoleOnAccount).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `${access} pipelineSenders gives image pipelines \\(image-sync register\\) Storage Queue Data Message Sender on storage account account; they need only Storage Queue Data Message Sender on the queue named by imageSyncRegisterQueue$`,
          ),
        ),
      );
      expect(found.pipelineRoleOnAccount).toContainEqual(
        'infra: no Storage Queue Data Message Sender on the queue named by imageSyncRegisterQueue for image pipelines (image-sync register)',
      );
    });

    it('reports a status reader given more than Storage Table Data Reader', () => {
      expect(found.statusReaderRoleWidened).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `${access} statusReaders gives status readers \\(image-sync status\\) Storage Table Data Contributor on table table; they need only Storage Table Data Reader on the table named by imageSyncTable$`,
          ),
        ),
      );
    });

    it('reports a role the app does not need, such as Contributor', () => {
      expect(found.appRoleBroader).toContainEqual(
        expect.stringMatching(
          new RegExp(`${access} appBlobOwner assigns role b24988ac-6180-42a0-ab88-20f7382dd24c, which is not one the app needs`),
        ),
      );
      expect(found.appRoleBroader).toContainEqual("infra: no Storage Blob Data Owner on the storage account for the app's identity");
    });

    it('reports principals of a parameter that are granted nothing', () => {
      expect(found.pipelinesNotGranted).toContainEqual(
        'infra: no Storage Queue Data Message Sender on the queue named by imageSyncRegisterQueue for image pipelines (image-sync register)',
      );
    });
  });

  describe('Event Grid delivery', () => {
    const subscription = String.raw`^infra/modules/image-written-subscription\.bicep:\d+: event subscription imageWritten`;

    it("reports an event subscription whose retry policy is not Event Grid's, stated", () => {
      expect(found.retryPolicyChanged).toContainEqual(
        expect.stringMatching(new RegExp(`${subscription}: retryPolicy\\.maxDeliveryAttempts is 5, expected 30`)),
      );
      expect(found.retryPolicyChanged).toContainEqual(
        expect.stringMatching(new RegExp(`${subscription}: retryPolicy\\.eventTimeToLiveInMinutes is not set, expected 1440`)),
      );
    });

    it('reports key-based dead-lettering, which a storage account without shared keys refuses', () => {
      expect(found.keyBasedDeadLetter).toContainEqual(
        expect.stringMatching(new RegExp(`${subscription} uses deadLetterDestination, which writes with the account's keys`)),
      );
      expect(found.keyBasedDeadLetter).toContainEqual(
        expect.stringMatching(new RegExp(`${subscription} has no deadLetterWithResourceIdentity`)),
      );
    });

    it('reports a created system topic without the identity its event subscription dead-letters with', () => {
      expect(found.topicWithoutIdentity).toContainEqual(
        expect.stringMatching(
          /^infra\/modules\/image-events\.bicep:\d+: system topic createdTopic has no system-assigned identity, which its event subscription dead-letters with$/,
        ),
      );
    });

    it('reports a dead-letter container that the templates do not create', () => {
      expect(found.deadLetterContainerDropped).toContainEqual(
        'infra: no blob container "eventgrid-deadletter" is created for imageWritten\'s dead-lettered events',
      );
    });

    it('reports a dead-letter role wider than Storage Blob Data Contributor on the container, for a created or an attached topic', () => {
      for (const topic of ['createdTopic', 'attachedTopic']) {
        const grant = String.raw`^infra/modules/dead-letter-access\.bicep:\d+: role assignment deadLetterWriter for system topic ${topic}`;
        expect(found.deadLetterRoleWidened).toContainEqual(
          expect.stringMatching(new RegExp(`${grant} must be Storage Blob Data Contributor`)),
        );
        expect(found.deadLetterRoleWidened).toContainEqual(
          expect.stringMatching(new RegExp(`${grant} must be scoped to the dead-letter container "eventgrid-deadletter", not wider`)),
        );
      }
      expect(found.deadLetterRoleWidened).toContainEqual(
        expect.stringMatching(/deadLetterWriter assigns role 8e3af657-a8ff-443c-a75c-2fe8c4bcb635, which is not one the app needs/),
      );
    });

    it('reports a topic identity that is given no role on the container', () => {
      expect(found.deadLetterRoleMissing).toContainEqual(
        'infra: system topic createdTopic\'s identity has no role on the dead-letter container "eventgrid-deadletter" (Storage Blob Data Contributor)',
      );
      expect(found.deadLetterRoleMissing).toContainEqual(
        'infra: system topic attachedTopic\'s identity has no role on the dead-letter container "eventgrid-deadletter" (Storage Blob Data Contributor)',
      );
    });

    it('reports documentation that does not show how to inspect dead-lettered events', () => {
      expect(found.deadLetterUndocumented).toContainEqual(
        'docs/deployment.md: does not show how to list the dead-letter container "eventgrid-deadletter" (az storage blob list)',
      );
    });

    it('reports an event subscription that the postdeploy hook does not create', () => {
      expect(found.subscriptionNotFromHook).toContainEqual(
        expect.stringMatching(
          new RegExp(`${subscription}: infra/subscribe-image-events\\.bicep is not deployed by scripts/azd-postdeploy\\.mjs`),
        ),
      );
    });

    it('reports an event subscription that the provision would create before imageWritten exists', () => {
      expect(found.subscriptionInProvision).toContainEqual(
        expect.stringMatching(new RegExp(`${subscription} is deployed by main\\.bicep \\(azd provision\\), before the code`)),
      );
    });

    it('reports an existing-topic parameter that attaches to nothing, and its missing documentation', () => {
      expect(found.existingTopicNotAttached).toContainEqual(
        'infra: param existingSystemTopicIds does not reach an existing Microsoft.EventGrid/systemTopics resource, so nothing attaches to the topic it names',
      );
      expect(found.existingTopicUndocumented).toContainEqual(
        'docs/deployment.md: does not explain attaching to an existing system topic (az eventgrid system-topic update)',
      );
    });
  });

  describe('the alert rule', () => {
    const rule = String.raw`^infra/modules/monitoring\.bicep:\d+: alert rule failureAlert`;

    it('reports documentation that no longer shows the alert query', () => {
      expect(found.staleDocs).toContainEqual(
        "docs/monitoring.md: does not show the alert rule's query as infra/modules/monitoring.bicep has it",
      );
    });

    it('reports a rule that would fail to deploy on a new workspace', () => {
      expect(found.alertValidated).toContainEqual(expect.stringMatching(new RegExp(`${rule} must set skipQueryValidation: true`)));
      expect(found.alertNeedsTable).toContainEqual(
        expect.stringMatching(new RegExp(`${rule}: its query must read AppTraces as \`union isfuzzy=true`)),
      );
    });

    it('reports a rule that does not fire per image and error code', () => {
      expect(found.alertNotPerImage).toContainEqual(expect.stringMatching(new RegExp(`${rule} does not split by the dimension image`)));
      expect(found.alertDimensionNotProjected).toContainEqual(
        expect.stringMatching(new RegExp(`${rule}: dimension sourceImageResourceId is not a column its query projects`)),
      );
    });

    it('reports a rule that is not scoped to the workspace whose table it reads', () => {
      expect(found.alertOnComponent).toContainEqual(
        expect.stringMatching(new RegExp(`${rule} must be scoped to the Log Analytics workspace`)),
      );
    });
  });

  describe('the workbook', () => {
    it('reports a missing workbook, or one not linked to the workspace', () => {
      expect(found.workbookMissing).toContainEqual('infra: no Azure Monitor workbook (Microsoft.Insights/workbooks)');
      expect(found.workbookNotLinked).toContainEqual(
        expect.stringMatching(
          /^infra\/modules\/monitoring\.bicep:\d+: workbook workbook: sourceId must be the Log Analytics workspace's id/,
        ),
      );
    });

    it('reports workbook JSON that does not parse', () => {
      expect(found.workbookInvalidJson).toContainEqual(
        expect.stringMatching(/^infra\/workbooks\/image-sync\.workbook\.json: not valid JSON/),
      );
    });

    it('reports a missing or incomplete section, and events the app never logs', () => {
      expect(found.workbookSectionMissing).toContainEqual('infra/workbooks/image-sync.workbook.json: no query section "throttling"');
      expect(found.workbookSectionIncomplete).toContainEqual(
        'infra/workbooks/image-sync.workbook.json: section "throttling" does not query GraphThrottleNotShared',
      );
      expect(found.workbookSectionIncomplete).toContainEqual(
        'infra/workbooks/image-sync.workbook.json: query "throttling" selects ThrottleNotShared, which the app (src/) never logs',
      );
    });

    it('reports a section that docs/monitoring.md does not describe', () => {
      expect(found.workbookUndocumented).toContainEqual(
        'docs/monitoring.md: does not describe the workbook section "Throttling over time"',
      );
    });
  });
});
