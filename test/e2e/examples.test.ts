// The examples an image team pastes (examples/), run where they run code: the `image-sync register`
// line of each pipeline with its own settings (the storage account swapped for the run's Azurite),
// the Image Builder template's artifactTags as the tags of a managed image in the emulator, and the
// PowerShell script read as text (pwsh is not part of the test environment).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Emulator } from '../../src/emulator';
import { estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../src/emulator';
import { decodeMessageText } from '../../src/queue/messageEncoding';
import { runImageSync } from '../support/cliProcess';
import { startTestEmulator } from '../support/emulator';
import { REPO_ROOT } from '../support/functionApp';
import { testConnectionString, testStorageClients, uniqueQueueName, uniqueTableName } from '../support/storage';

const EXAMPLES = path.join(REPO_ROOT, 'examples');
const SUB = '55555555-5555-4555-8555-555555555555';
const GROUP = 'rg-images';
/** What the pipelines' placeholder build writes: an untagged image, named without a version. */
const PIPELINE_IMAGE = 'win11-ent';
/** Where the Image Builder test puts what the template's distributor writes (a group of its own). */
const AIB_GROUP = 'rg-aib';
const PIPELINE_VERSION = '1.4.0';
/** The one setting the examples name that the test cannot use: identity-based storage. */
const ACCOUNT_SETTING = 'AzureWebJobsStorage__accountName';

const readExample = (file: string): string => readFileSync(path.join(EXAMPLES, file), 'utf8');

let emulator: Emulator | null = null;
afterEach(async () => {
  await emulator?.stop();
  emulator = null;
});

async function freshTenant(): Promise<Emulator> {
  emulator = await startTestEmulator(
    estate({
      subscriptions: [
        subscription({
          id: SUB,
          resourceGroups: [
            resourceGroup(GROUP, [managedImage({ name: PIPELINE_IMAGE, tags: {}, upload: { outcome: 'ready', seconds: 0.3 } })]),
          ],
        }),
      ],
    }),
  );
  return emulator;
}

/**
 * The settings an example hands the CLI, made to run here: the storage account becomes the run's
 * Azurite (there is no Azure identity in a test), the endpoints the emulator's, the names this test's own.
 */
function runnableSettings(tenant: Emulator, exampleEnv: Record<string, string>): Record<string, string> {
  const { [ACCOUNT_SETTING]: account, ...rest } = exampleEnv;
  expect(account, `the example sets ${ACCOUNT_SETTING}`).toMatch(/^[a-z0-9]{3,24}$/);
  const { NODE_EXTRA_CA_CERTS: _inherited, IMAGE_SYNC_SUBSCRIPTION_IDS: _emulated, ...endpoints } = tenant.settings();
  return {
    ...rest,
    AzureWebJobsStorage: testConnectionString(),
    ...endpoints,
    IMAGE_SYNC_REGISTER_QUEUE: uniqueQueueName('examples-register'),
    IMAGE_SYNC_STATUS_QUEUE: uniqueQueueName('examples-status'),
    IMAGE_SYNC_TABLE: uniqueTableName('examples'),
    IMAGE_SYNC_POLL_INTERVAL_SECONDS: '1',
    IMAGE_SYNC_POLL_MAX_INTERVAL_SECONDS: '2',
  };
}

/** Replaces every `pattern` match through `lookup`; an expression the test does not know fails it. */
function substitute(text: string, pattern: RegExp, lookup: Readonly<Record<string, string>>): string {
  return text.replace(pattern, (whole, name: string) => {
    const value = lookup[name.trim()];
    if (value === undefined) throw new Error(`the example uses ${whole}, which this test does not provide`);
    return value;
  });
}

function substituteAll(
  values: Readonly<Record<string, unknown>>,
  pattern: RegExp,
  lookup: Readonly<Record<string, string>>,
): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, substitute(String(value), pattern, lookup)]));
}

/** `$NAME` and `${NAME}` of a bash word, from the step's env as bash would; a name the step does not set fails the test. */
function expandShell(word: string, env: Readonly<Record<string, string>>): string {
  return word.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_whole, name: string) => {
    const value = env[name];
    if (value === undefined) throw new Error(`the script uses $${name}, which its step does not set`);
    return value;
  });
}

/** The image id the placeholder build step reports (its `image_id="…"` line, expanded from its env). */
function builtImageId(script: string, env: Readonly<Record<string, string>>): string {
  const match = /image_id="([^"]+)"/.exec(script);
  if (match?.[1] === undefined) throw new Error('the build step sets no image_id');
  return expandShell(match[1], env);
}

/** The arguments of the script's one `npx image-sync register …` line, "$VAR" expanded from env as bash would. */
function registerArguments(script: string, env: Readonly<Record<string, string>>): string[] {
  const lines = script
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /\bimage-sync register\b/.test(line));
  expect(lines).toHaveLength(1);
  const words = [...(lines[0] ?? '').matchAll(/"([^"]*)"|(\S+)/g)].map((word) => word[1] ?? word[2] ?? '');
  expect(words.slice(0, 3)).toEqual(['npx', 'image-sync', 'register']);
  return words.slice(2).map((word) => expandShell(word, env));
}

/** The job the command queued, read off the register queue as the function app would. */
async function queuedJobs(queueName: string): Promise<Record<string, unknown>[]> {
  const peeked = await testStorageClients().queue(queueName).peekMessages({ numberOfMessages: 32 });
  return peeked.peekedMessageItems.map((item) => JSON.parse(decodeMessageText(item.messageText)) as Record<string, unknown>);
}

async function expectQueued(tenant: Emulator, settings: Record<string, string>, args: string[]): Promise<void> {
  const imageId = managedImageResourceId(SUB, GROUP, PIPELINE_IMAGE);
  expect(args).toEqual(['register', imageId, '--version', PIPELINE_VERSION]);
  const run = await runImageSync(args, settings);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(new RegExp(`Queued ${PIPELINE_IMAGE} ${PIPELINE_VERSION.replace(/\./g, '\\.')} for registration`));
  const jobs = await queuedJobs(settings.IMAGE_SYNC_REGISTER_QUEUE ?? '');
  expect(jobs).toEqual([
    expect.objectContaining({
      sourceImageResourceId: expect.stringMatching(new RegExp(`^${imageId}$`, 'i')),
      displayName: PIPELINE_IMAGE,
      version: PIPELINE_VERSION,
      trigger: 'manual',
      requested: true,
    }),
  ]);
  // The command only queues: the function app (or `image-sync sync`) plans it and posts to Graph.
  expect(tenant.requests.filter((request) => request.service === 'graph')).toEqual([]);
  const status = JSON.parse((await runImageSync(['status', '--json'], settings)).stdout) as { images: unknown[] };
  expect(status.images).toEqual([]);
}

/** A YAML value that should be text; anything else reads as empty. */
const textOf = (value: unknown): string => (typeof value === 'string' ? value : '');

type Step = Record<string, unknown> & { env?: Record<string, unknown> };

describe('examples/github-actions/register-image.yml', () => {
  const workflow = parse(readExample('github-actions/register-image.yml')) as {
    permissions: Record<string, string>;
    env?: Record<string, unknown>;
    jobs: Record<string, { env?: Record<string, unknown>; steps: Step[] }>;
  };
  const [job] = Object.values(workflow.jobs);
  const steps = job?.steps ?? [];
  const stepUsing = (action: string) => steps.find((step) => textOf(step.uses).startsWith(action));
  const registerStep = steps.find((step) => /image-sync register/.test(textOf(step.run)));

  it('signs in with OIDC after the build and the install, right before the command, and keeps no Azure secret in the file', () => {
    expect(workflow.permissions['id-token']).toBe('write');
    const login = stepUsing('azure/login@');
    expect(login?.with).toEqual({
      'client-id': '${{ vars.AZURE_CLIENT_ID }}',
      'tenant-id': '${{ vars.AZURE_TENANT_ID }}',
      'subscription-id': '${{ vars.AZURE_SUBSCRIPTION_ID }}',
    });
    const order = (step: Step | undefined) => (step === undefined ? -1 : steps.indexOf(step));
    const build = steps.find((step) => step.id === 'build');
    expect(order(build)).toBeGreaterThanOrEqual(0);
    expect(order(build)).toBeLessThan(order(login));
    const install = steps.find((step) => /npm install\b/.test(textOf(step.run)));
    expect(order(install)).toBeGreaterThan(order(build));
    expect(order(install)).toBeLessThan(order(login));
    expect(order(login)).toBe(order(registerStep) - 1);
    const text = readExample('github-actions/register-image.yml');
    expect(text).not.toMatch(/client-secret|creds:|AZURE_CLIENT_SECRET/);
    // The one secret it may use reads the CLI's release asset, not Azure.
    expect([...text.matchAll(/secrets\.([A-Za-z_]+)/g)].map((match) => match[1])).toEqual(['IMAGE_SYNC_RELEASE_TOKEN']);
  });

  it('installs the CLI from a release asset, the tarball npm pack makes, not from a registry it cannot sign in to', () => {
    const download = steps.find((step) => /gh release download/.test(textOf(step.run)));
    expect(textOf(download?.run)).toMatch(/--pattern 'cloudpc-image-sync-\*\.tgz'/);
    expect(download?.env).toEqual(expect.objectContaining({ GH_TOKEN: expect.stringMatching(/github\.token/) }));
    const install = steps.find((step) => /npm install\b/.test(textOf(step.run)));
    expect(textOf(install?.run)).toMatch(/cloudpc-image-sync-\*\.tgz/);
    expect(steps.indexOf(download as Step)).toBeLessThan(steps.indexOf(install as Step));
  });

  it('passes inputs and variables to scripts through env, never as ${{ }} in a script', () => {
    for (const step of steps.filter((candidate) => typeof candidate.run === 'string')) {
      expect(textOf(step.run), String(step.name)).not.toMatch(/\$\{\{/);
    }
  });

  it('names the OIDC subject its environment makes, for the federated credential', () => {
    expect(textOf((job as { environment?: unknown } | undefined)?.environment)).toBe('images');
    expect(readExample('github-actions/register-image.yml')).toContain('repo:<owner>/<repo>:environment:images');
  });

  it('queues the built image at its version, with the settings it sets, exit code 0', async () => {
    const tenant = await freshTenant();
    const vars: Record<string, string> = {
      'vars.AZURE_SUBSCRIPTION_ID': SUB,
      'vars.IMAGE_RESOURCE_GROUP': GROUP,
      'vars.IMAGE_SYNC_STORAGE_ACCOUNT': 'stimgsyncexample',
      'vars.IMAGE_SYNC_SUBSCRIPTION_IDS': SUB,
      'inputs.version': PIPELINE_VERSION,
    };
    const expression = /\$\{\{\s*([^}]+?)\s*\}\}/g;
    const build = steps.find((step) => step.id === 'build');
    const outputs = {
      'steps.build.outputs.image-id': builtImageId(textOf(build?.run), substituteAll(build?.env ?? {}, expression, vars)),
      'steps.build.outputs.version': PIPELINE_VERSION,
    };
    const lookup = { ...vars, ...outputs };
    const env = {
      ...substituteAll(workflow.env ?? {}, expression, lookup),
      ...substituteAll(job?.env ?? {}, expression, lookup),
      ...substituteAll(registerStep?.env ?? {}, expression, lookup),
    };
    expect(Object.keys(env)).toEqual(expect.arrayContaining([ACCOUNT_SETTING, 'IMAGE_SYNC_SUBSCRIPTION_IDS']));
    expect(env.IMAGE_SYNC_SUBSCRIPTION_IDS).toBe(SUB);
    await expectQueued(tenant, runnableSettings(tenant, env), registerArguments(textOf(registerStep?.run), env));
  });
});

describe('examples/azure-devops/register-image.yml', () => {
  const pipeline = parse(readExample('azure-devops/register-image.yml')) as {
    parameters: { name: string; default?: string }[];
    variables: { group?: string }[];
    jobs: { steps: Step[] }[];
  };
  const steps = pipeline.jobs[0]?.steps ?? [];
  const cliTask = steps.find((step) => textOf(step.task).startsWith('AzureCLI@2'));
  const inputs = (cliTask?.inputs ?? {}) as Record<string, string>;

  it('runs register in an AzureCLI@2 task on a service connection, after the install, and keeps no secret in the file', () => {
    expect(inputs.azureSubscription).toBe('${{ parameters.serviceConnection }}');
    expect(pipeline.parameters.map((parameter) => parameter.name)).toContain('serviceConnection');
    expect(inputs.scriptType).toBe('bash');
    expect(inputs.inlineScript).toMatch(/image-sync register/);
    expect(steps.findIndex((step) => step.name === 'build')).toBeLessThan(steps.indexOf(cliTask as Step));
    const install = steps.findIndex((step) => /npm install\b/.test(textOf(step.bash)));
    expect(install).toBeGreaterThan(0);
    expect(install).toBeLessThan(steps.indexOf(cliTask as Step));
    expect(readExample('azure-devops/register-image.yml')).not.toMatch(/servicePrincipalKey|clientSecret|AccountKey=/i);
  });

  it('installs the CLI from the tarball of a pipeline artifact', () => {
    const download = steps.find((step) => textOf(step.task).startsWith('DownloadPipelineArtifact@'));
    expect(download?.inputs).toEqual(expect.objectContaining({ buildType: 'specific', artifactName: 'image-sync-cli' }));
    const install = steps.find((step) => /npm install\b/.test(textOf(step.bash)));
    expect(textOf(install?.bash)).toMatch(/image-sync\/cloudpc-image-sync-\*\.tgz/);
    expect(steps.indexOf(download as Step)).toBeLessThan(steps.indexOf(install as Step));
  });

  it('passes parameters and variables to scripts through env, never as ${{ }} or $( ) in a script', () => {
    for (const script of [...steps.map((step) => textOf(step.bash)), inputs.inlineScript ?? '']) {
      expect(script).not.toMatch(/\$\{\{|\$\(/);
    }
  });

  it('queues the built image at its version, with the settings it sets, exit code 0', async () => {
    const tenant = await freshTenant();
    const macros: Record<string, string> = {
      IMAGE_SUBSCRIPTION_ID: SUB,
      IMAGE_RESOURCE_GROUP: GROUP,
      IMAGE_SYNC_STORAGE_ACCOUNT: 'stimgsyncexample',
      IMAGE_SYNC_SUBSCRIPTION_IDS: SUB,
    };
    const parameters = { 'parameters.version': PIPELINE_VERSION };
    const macro = /\$\(([A-Za-z0-9_.]+)\)/g;
    const template = /\$\{\{\s*([^}]+?)\s*\}\}/g;
    const build = steps.find((step) => step.name === 'build');
    const buildScript = textOf(build?.bash);
    expect(buildScript).toMatch(/##vso\[task\.setvariable variable=imageId;isOutput=true\]/);
    const buildEnv = substituteAll(substituteAll(build?.env ?? {}, template, parameters), macro, macros);
    const lookup = { ...macros, 'build.imageId': builtImageId(buildScript, buildEnv), 'build.version': PIPELINE_VERSION };
    const env = substituteAll(cliTask?.env ?? {}, macro, lookup);
    expect(Object.keys(env)).toEqual(expect.arrayContaining([ACCOUNT_SETTING, 'IMAGE_SYNC_SUBSCRIPTION_IDS']));
    await expectQueued(tenant, runnableSettings(tenant, env), registerArguments(inputs.inlineScript ?? '', env));
  });
});

describe('examples/image-builder/win11-template.json', () => {
  interface Distributor {
    type: string;
    imageId: string;
    artifactTags: Record<string, string>;
  }
  const template = JSON.parse(readExample('image-builder/win11-template.json')) as {
    parameters: Record<string, { defaultValue?: string }>;
    resources: {
      type: string;
      properties: {
        vmProfile: { osDiskSizeGB: number };
        source: { sku: string };
        customize: { type: string }[];
        distribute: Distributor[];
      };
    }[];
  };
  const imageTemplate = template.resources.find((resource) => resource.type === 'Microsoft.VirtualMachineImages/imageTemplates');
  const managedImageDistributor = imageTemplate?.properties.distribute.find((distributor) => distributor.type === 'ManagedImage');

  /** The tags the distributor writes for these parameter values (the template's defaults otherwise). */
  function artifactTags(parameters: Readonly<Record<string, string>> = {}): Record<string, string> {
    return Object.fromEntries(
      Object.entries(managedImageDistributor?.artifactTags ?? {}).map(([name, value]) => {
        const expression = /^\[parameters\('([A-Za-z]+)'\)\]$/.exec(value);
        if (expression === null) return [name, value];
        const parameter = expression[1] ?? '';
        const resolved = parameters[parameter] ?? template.parameters[parameter]?.defaultValue;
        if (resolved === undefined) throw new Error(`artifactTags.${name} uses the parameter ${parameter}, which has no value`);
        return [name, resolved];
      }),
    );
  }

  it('has a managed-image distributor that tags cloudpc-sync, cloudpc-version and cloudpc-display-name from parameters', () => {
    expect(managedImageDistributor?.imageId).toBe("[resourceId('Microsoft.Compute/images', parameters('imageName'))]");
    expect(managedImageDistributor?.artifactTags).toEqual({
      'cloudpc-sync': 'true',
      'cloudpc-version': "[parameters('imageVersion')]",
      'cloudpc-display-name': "[parameters('displayName')]",
    });
    expect(template.parameters.imageVersion?.defaultValue).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('builds the 64 GB OS disk Windows 365 expects, and restarts before Windows Update and after it', () => {
    expect(imageTemplate?.properties.vmProfile.osDiskSizeGB).toBe(64);
    const customizers = imageTemplate?.properties.customize.map((customizer) => customizer.type) ?? [];
    const update = customizers.indexOf('WindowsUpdate');
    expect(update).toBeGreaterThan(0);
    expect(customizers[update - 1]).toBe('WindowsRestart');
    expect(customizers[update + 1]).toBe('WindowsRestart');
  });

  it("makes the image it writes eligible: plan registers it under the template's name and version, and a rebuild in place with a new version registers again", async () => {
    const tenant = await freshTenant();
    const settings = runnableSettings(tenant, { [ACCOUNT_SETTING]: 'stimgsyncexample', IMAGE_SYNC_SUBSCRIPTION_IDS: SUB });
    // What a build leaves behind: a generalized Generation 2 Windows image named by the template's
    // imageName (no version in it: every build overwrites it), carrying the distributor's tags.
    const imageName = template.parameters.imageName?.defaultValue ?? '';
    expect(imageName).not.toMatch(/\d+\.\d+\.\d+$/);
    const imageId = tenant.putManagedImage(
      SUB,
      AIB_GROUP,
      managedImage({ name: imageName, tags: artifactTags(), build: 'aib-1', upload: { outcome: 'ready', seconds: 0.3 } }),
    );
    expect(imageId).toBe(managedImageResourceId(SUB, AIB_GROUP, imageName));
    const displayName = template.parameters.displayName?.defaultValue;
    const firstVersion = template.parameters.imageVersion?.defaultValue;

    type Planned = { images: { sourceImageResourceId: string; displayName: string | null; version: string | null; outcome: string }[] };
    const planFor = async (): Promise<Planned['images']> => {
      const run = await runImageSync(['plan', '--json'], settings);
      expect(run.code).toBe(0);
      return (JSON.parse(run.stdout) as Planned).images.filter(
        (image) => image.sourceImageResourceId.toLowerCase() === imageId.toLowerCase(),
      );
    };
    expect(await planFor()).toEqual([expect.objectContaining({ outcome: 'register', displayName, version: firstVersion })]);

    // The image's write event would do this at once; sync does the same work here.
    expect((await runImageSync(['sync', '--json', '--timeout', '60'], settings)).code).toBe(0);
    expect(tenant.deviceImages()).toEqual([expect.objectContaining({ displayName, version: firstVersion })]);

    // The next build overwrites the same managed image with the template deployed at a new version.
    tenant.rebuildManagedImage(imageId, { build: 'aib-2', tags: artifactTags({ imageVersion: '1.1.0' }) });
    expect(await planFor()).toEqual([expect.objectContaining({ outcome: 'register', displayName, version: '1.1.0' })]);
    expect((await runImageSync(['sync', '--json', '--timeout', '60'], settings)).code).toBe(0);
    expect(
      tenant
        .deviceImages()
        .map((image) => image.version)
        .sort(),
    ).toEqual([firstVersion, '1.1.0']);
  });
});

describe('examples/powershell/Get-ImageSyncStatus.ps1', () => {
  const script = readExample('powershell/Get-ImageSyncStatus.ps1');

  it('reads status --json into objects and checks a result with the Graph PowerShell SDK', () => {
    expect(script).toMatch(/image-sync status --json/);
    expect(script).toMatch(/\|\s*ConvertFrom-Json/);
    expect(script).toMatch(/Get-MgDeviceManagementVirtualEndpointDeviceImage -CloudPcDeviceImageId/);
    expect(script).toMatch(/Connect-MgGraph -Scopes 'CloudPC\.Read\.All'/);
    // The fields it reads are the contract's.
    const contract = JSON.parse(readFileSync(path.join(REPO_ROOT, 'contract/status.schema.json'), 'utf8')) as {
      properties: { images: { items: { required: string[] } } };
    };
    for (const field of ['state', 'displayName', 'version', 'deviceImageId', 'errorCode', 'reason', 'warnings']) {
      expect(contract.properties.images.items.required).toContain(field);
      expect(script).toContain(field);
    }
    // Balanced braces and parentheses outside strings and comments: a cheap check that it parses.
    const code = script
      .replace(/<#[\s\S]*?#>/g, '')
      .replace(/#.*$/gm, '')
      .replace(/'[^']*'|"(?:`.|[^"`])*"/g, '""');
    for (const [open, close] of [
      ['{', '}'],
      ['(', ')'],
      ['[', ']'],
    ] as const) {
      expect(code.split(open).length, `${open}${close} balance`).toBe(code.split(close).length);
    }
  });
});
