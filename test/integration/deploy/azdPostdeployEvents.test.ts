// The postdeploy hook for real, against a stand-in `az` on PATH that records each call: it waits for
// imageWritten, creates the event subscriptions once (no second provision), and when it cannot, says
// what to run by hand.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = path.resolve(__dirname, '../../../scripts/azd-postdeploy.mjs');
const SUB_1 = '11111111-1111-4111-8111-111111111111';
const SUB_2 = '22222222-2222-4222-8222-222222222222';
const APP_SUB = '33333333-3333-4333-8333-333333333333';
const SHARED_TOPIC = `/subscriptions/${SUB_2}/resourceGroups/rg-shared/providers/Microsoft.EventGrid/systemTopics/shared-topic`;
const dirs: string[] = [];

/** A fake `az`: answers from FAKE_AZ_STATE (JSON), appends each call to calls.jsonl, keeps the deployed parameters. */
const FAKE_AZ = `#!/usr/bin/env node
const fs = require('node:fs');
const path = require('node:path');
const dir = process.env.FAKE_AZ_DIR;
const state = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8'));
const args = process.argv.slice(2);
fs.appendFileSync(path.join(dir, 'calls.jsonl'), JSON.stringify(args) + '\\n');
const value = (name) => args[args.indexOf(name) + 1];
const command = args.slice(0, 3).join(' ');
if (command === 'functionapp function show') {
  const counter = path.join(dir, 'shows');
  const shows = (fs.existsSync(counter) ? Number(fs.readFileSync(counter, 'utf8')) : 0) + 1;
  fs.writeFileSync(counter, String(shows));
  if (state.listedAfter === null || shows < state.listedAfter) {
    process.stderr.write("ERROR: (NotFound) Function 'imageWritten' not found.\\n");
    process.exit(3);
  }
  process.stdout.write(JSON.stringify({ name: value('--name') + '/imageWritten', isDisabled: false }));
} else if (command === 'eventgrid system-topic list') {
  process.stdout.write(JSON.stringify(state.topics[value('--subscription') + '/' + value('--resource-group')] ?? []));
} else if (command === 'deployment sub create') {
  fs.writeFileSync(path.join(dir, 'deployed.json'), JSON.stringify({ template: value('--template-file'), parameters: JSON.parse(fs.readFileSync(value('--parameters').slice(1), 'utf8')) }));
  if (state.deployExit) process.stderr.write('ERROR: InvalidTemplateDeployment\\n');
  process.exit(state.deployExit ?? 0);
} else {
  process.stderr.write('fake az: unexpected call ' + args.join(' ') + '\\n');
  process.exit(2);
}
`;

const createdTopic = {
  name: 'evgt-imagesync-abc',
  topicType: 'Microsoft.Resources.Subscriptions',
  identity: { type: 'SystemAssigned', principalId: 'p1' },
};
const sharedTopic = {
  name: 'shared-topic',
  topicType: 'Microsoft.Resources.Subscriptions',
  identity: { type: 'SystemAssigned, UserAssigned', principalId: 'p2' },
};

interface State {
  listedAfter: number | null;
  topics: Record<string, unknown[]>;
  deployExit?: number;
}

function runHook(state: State, env: Record<string, string> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'image-sync-hook-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'az'), FAKE_AZ);
  chmodSync(path.join(dir, 'az'), 0o755);
  writeFileSync(path.join(dir, 'state.json'), JSON.stringify(state));
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(IMAGE_SYNC_|AZURE_|GRAPH_ENDPOINT|ARM_ENDPOINT)/.test(name)),
  );
  const envName = `hooktest-${path.basename(dir).replace(/[^A-Za-z0-9]/g, '')}`;
  const run = spawnSync(process.execPath, [SCRIPT], {
    encoding: 'utf8',
    timeout: 30_000,
    env: {
      ...clean,
      PATH: `${dir}${path.delimiter}${process.env.PATH ?? ''}`,
      FAKE_AZ_DIR: dir,
      AZURE_ENV_NAME: envName,
      AZURE_SUBSCRIPTION_ID: APP_SUB,
      AZURE_LOCATION: 'westeurope',
      AZURE_RESOURCE_GROUP: 'rg-app',
      AZURE_FUNCTION_APP_NAME: 'func-imagesync-x',
      AZURE_STORAGE_ACCOUNT_NAME: 'stimgsyncx',
      AZURE_IDENTITY_PRINCIPAL_ID: 'bbbbbbbb-0000-4000-8000-000000000002',
      IMAGE_SYNC_SUBSCRIPTION_IDS: `${SUB_1},${SUB_2}`,
      IMAGE_SYNC_EVENTS_RESOURCE_GROUP: 'rg-app-image-events',
      IMAGE_SYNC_EXISTING_SYSTEM_TOPICS: SHARED_TOPIC,
      IMAGE_SYNC_FUNCTION_POLL_SECONDS: '0.05',
      ...env,
    },
  });
  const calls = existsSync(path.join(dir, 'calls.jsonl'))
    ? readFileSync(path.join(dir, 'calls.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as string[]).slice(0, 3).join(' '))
    : [];
  const deployedFile = path.join(dir, 'deployed.json');
  const deployed = existsSync(deployedFile)
    ? (JSON.parse(readFileSync(deployedFile, 'utf8')) as {
        template: string;
        parameters: { parameters: Partial<Record<string, { value: unknown }>> };
      })
    : null;
  rmSync(path.join(tmpdir(), `imagesync-events-${envName}.parameters.json`), { force: true });
  return { ...run, calls, deployed, envName };
}

const topics = {
  [`${SUB_1}/rg-app-image-events`]: [createdTopic],
  [`${SUB_2}/rg-shared`]: [{ name: 'other-topic', topicType: 'Microsoft.Storage.StorageAccounts' }, sharedTopic],
};

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(process.platform === 'win32')('scripts/azd-postdeploy.mjs against a stand-in az', () => {
  it('waits until imageWritten is listed, then creates the event subscriptions once, without a second provision', () => {
    const run = runHook({ listedAfter: 3, topics });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.calls).toEqual([
      'eventgrid system-topic list',
      'eventgrid system-topic list',
      'functionapp function show',
      'functionapp function show',
      'functionapp function show',
      'deployment sub create',
    ]);
    expect(run.stdout).toMatch(/Waiting until func-imagesync-x lists imageWritten \(up to 600 s\)/);
    expect(run.stdout.match(/: not listed yet; checking again in 0\.05 s/g)).toHaveLength(2);
    expect(run.stdout).toContain('imageWritten is listed');
    expect(run.stdout).not.toContain('provision');
    expect(run.deployed?.template).toBe(path.resolve(__dirname, '../../../infra/subscribe-image-events.bicep'));
    expect(existsSync(run.deployed?.template ?? '')).toBe(true);
    const parameters = run.deployed?.parameters.parameters;
    expect(parameters?.functionAppId?.value).toBe(
      `/subscriptions/${APP_SUB}/resourceGroups/rg-app/providers/Microsoft.Web/sites/func-imagesync-x`,
    );
    expect(parameters?.topics?.value).toEqual([
      { subscriptionId: SUB_1, resourceGroup: 'rg-app-image-events', name: 'evgt-imagesync-abc', eventSubscriptionName: 'image-written' },
      { subscriptionId: SUB_2, resourceGroup: 'rg-shared', name: 'shared-topic', eventSubscriptionName: `imagesync-${run.envName}` },
    ]);
    expect(parameters?.deadLetterSubscriptionId?.value).toBe(APP_SUB);
    expect(parameters?.deadLetterResourceGroupName?.value).toBe('rg-app');
    expect(parameters?.deadLetterStorageAccountName?.value).toBe('stimgsyncx');
    expect(parameters?.deadLetterContainerName?.value).toBe('eventgrid-deadletter');
    // The Graph step still follows.
    expect(run.stdout).toContain('node scripts/grant-graph-permission.mjs --principal-id bbbbbbbb-0000-4000-8000-000000000002');
  });

  it("reads the subscriptions from the deployment output when the list was typed at azd's prompt (no env value)", () => {
    const run = runHook(
      { listedAfter: 1, topics },
      { IMAGE_SYNC_SUBSCRIPTION_IDS: '', IMAGE_SYNC_SCANNED_SUBSCRIPTION_IDS: `${SUB_1},${SUB_2}` },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.calls.filter((call) => call === 'eventgrid system-topic list')).toHaveLength(2);
    expect(
      (run.deployed?.parameters.parameters.topics?.value as { subscriptionId: string }[]).map((topic) => topic.subscriptionId),
    ).toEqual([SUB_1, SUB_2]);
    expect(run.stdout).toContain(`--subscription-ids ${SUB_1},${SUB_2}`);
  });

  it('prefers the deployment output to a stale env value', () => {
    const run = runHook({ listedAfter: 1, topics }, { IMAGE_SYNC_SCANNED_SUBSCRIPTION_IDS: SUB_1 });
    expect(run.status).toBe(0);
    expect(run.calls.filter((call) => call === 'eventgrid system-topic list')).toHaveLength(1);
  });

  it('says to provision first when neither the output nor the env value names a subscription', () => {
    const run = runHook({ listedAfter: 1, topics }, { IMAGE_SYNC_SUBSCRIPTION_IDS: '' });
    expect(run.status).toBe(1);
    expect(run.calls).toEqual([]);
    expect(run.stderr).toContain(
      'neither IMAGE_SYNC_SCANNED_SUBSCRIPTION_IDS (the deployment output) nor IMAGE_SYNC_SUBSCRIPTION_IDS is set',
    );
  });

  it('gives up after the bounded wait and says what to run by hand', () => {
    const run = runHook({ listedAfter: null, topics }, { IMAGE_SYNC_FUNCTION_WAIT_SECONDS: '0.3' });
    expect(run.status).toBe(1);
    expect(run.calls).not.toContain('deployment sub create');
    expect(run.stderr).toContain(
      'the Event Grid subscriptions were not created: imageWritten was not listed on func-imagesync-x within 0.3 s (last: not listed yet)',
    );
    expect(run.stderr).toContain('azd hooks run postdeploy');
    expect(run.stderr).toMatch(
      /az deployment sub create --subscription 33333333-3333-4333-8333-333333333333 --name imagesync-events-\S+ --location westeurope --template-file infra\/subscribe-image-events\.bicep --parameters @\S+\.parameters\.json/,
    );
    expect(run.stdout).toContain('node scripts/grant-graph-permission.mjs');
  });

  it('stops before waiting when an existing topic has no system-assigned identity, naming the command that gives it one', () => {
    const run = runHook({ listedAfter: 1, topics: { ...topics, [`${SUB_2}/rg-shared`]: [{ ...sharedTopic, identity: null }] } });
    expect(run.status).toBe(1);
    expect(run.calls).toEqual(['eventgrid system-topic list', 'eventgrid system-topic list']);
    expect(run.stderr).toContain(
      `az eventgrid system-topic update --name shared-topic --resource-group rg-shared --subscription ${SUB_2} --identity systemassigned`,
    );
    expect(run.stderr).toContain('azd hooks run postdeploy');
  });

  it('reports a subscription whose system topic the provision did not make', () => {
    const run = runHook({ listedAfter: 1, topics: { [`${SUB_2}/rg-shared`]: [sharedTopic] } });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`subscription ${SUB_1} has no Microsoft.Resources.Subscriptions system topic in rg-app-image-events`);
  });

  it('reports a failed deployment with the command to run again', () => {
    const run = runHook({ listedAfter: 1, topics, deployExit: 1 });
    expect(run.status).toBe(1);
    expect(run.calls.filter((call) => call === 'deployment sub create')).toHaveLength(1);
    expect(run.stderr).toContain('the deployment of infra/subscribe-image-events.bicep failed (exit 1)');
    expect(run.stderr).toMatch(/az deployment sub create .*--template-file infra\/subscribe-image-events\.bicep/);
  });
});
