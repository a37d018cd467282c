import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = path.resolve(__dirname, '../../../scripts/azd-postdeploy.mjs');
const PRINCIPAL = 'bbbbbbbb-0000-4000-8000-000000000002';
const SUBSCRIPTIONS = '11111111-1111-4111-8111-111111111111,22222222-2222-4222-8222-222222222222';

function dryRun(env: Record<string, string>): string {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(IMAGE_SYNC_|AZURE_|GRAPH_ENDPOINT|ARM_ENDPOINT)/.test(name)),
  );
  const run = spawnSync(process.execPath, [SCRIPT, '--dry-run'], { encoding: 'utf8', env: { ...clean, ...env }, timeout: 10_000 });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return run.stdout;
}

describe('scripts/azd-postdeploy.mjs (azd postdeploy hook), dry run', () => {
  const outputs = { AZURE_IDENTITY_PRINCIPAL_ID: PRINCIPAL, IMAGE_SYNC_SUBSCRIPTION_IDS: SUBSCRIPTIONS };

  it('waits for imageWritten, then creates the event subscriptions with one deployment, never provisioning again', () => {
    const out = dryRun({ ...outputs, AZURE_ENV_NAME: 'prod', AZURE_FUNCTION_APP_NAME: 'func-imagesync-x' });
    expect(out).toContain('would wait (up to 600 s, every 15 s) until func-imagesync-x lists imageWritten');
    expect(out).toContain('--function-name imageWritten');
    expect(out).toMatch(
      /would run: az deployment sub create .*--name imagesync-events-prod .*--template-file infra\/subscribe-image-events\.bicep --parameters @\S+/,
    );
    expect(out.indexOf('would wait')).toBeLessThan(out.indexOf('would run: az deployment sub create'));
    expect(out).not.toContain('azd provision');
    expect(out).not.toContain('IMAGE_SYNC_SUBSCRIBE_EVENTS');
  });

  it("looks up each scanned subscription's system topic, the existing one where one is listed", () => {
    const existing =
      '/subscriptions/22222222-2222-4222-8222-222222222222/resourceGroups/rg-shared/providers/Microsoft.EventGrid/systemTopics/shared-topic';
    const out = dryRun({
      ...outputs,
      AZURE_ENV_NAME: 'prod',
      IMAGE_SYNC_EVENTS_RESOURCE_GROUP: 'rg-prod-image-events',
      IMAGE_SYNC_EXISTING_SYSTEM_TOPICS: existing,
    });
    expect(out).toContain(
      'az eventgrid system-topic list --subscription 11111111-1111-4111-8111-111111111111 --resource-group rg-prod-image-events',
    );
    expect(out).toContain('az eventgrid system-topic list --subscription 22222222-2222-4222-8222-222222222222 --resource-group rg-shared');
    expect(out).toContain('"eventSubscriptionName": "image-written"');
    expect(out).toContain('"name": "shared-topic"');
    expect(out).toContain('"eventSubscriptionName": "imagesync-prod"');
  });

  it('leaves Event Grid alone when events are off, or when no subscription is listed (*)', () => {
    const cases: Array<Record<string, string>> = [{ IMAGE_SYNC_EVENTS_ENABLED: 'false' }, { IMAGE_SYNC_SUBSCRIPTION_IDS: '*' }];
    for (const env of cases) {
      const out = dryRun({ ...outputs, ...env });
      expect(out).not.toContain('az deployment');
      expect(out).not.toContain('azd provision');
    }
  });

  it('prints the Graph grant command for the deployed identity, or runs it when asked to', () => {
    const printed = dryRun(outputs);
    expect(printed).toContain(`node scripts/grant-graph-permission.mjs --principal-id ${PRINCIPAL} --subscription-ids ${SUBSCRIPTIONS}`);
    const granted = dryRun({ ...outputs, IMAGE_SYNC_GRANT_GRAPH_PERMISSION: 'true' });
    expect(granted).toMatch(
      new RegExp(`would run: .*node.* .*grant-graph-permission\\.mjs --principal-id ${PRINCIPAL} --subscription-ids ${SUBSCRIPTIONS}`),
    );
  });
});
