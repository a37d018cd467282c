import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = path.resolve(__dirname, '../../../scripts/azd-postdeploy.mjs');
const PRINCIPAL = 'bbbbbbbb-0000-4000-8000-000000000002';
const SUBSCRIPTIONS = '11111111-1111-4111-8111-111111111111,22222222-2222-4222-8222-222222222222';

function dryRun(env: Record<string, string>): string {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(IMAGE_SYNC_|AZURE_IDENTITY_|GRAPH_ENDPOINT|ARM_ENDPOINT)/.test(name)),
  );
  const run = spawnSync(process.execPath, [SCRIPT, '--dry-run'], { encoding: 'utf8', env: { ...clean, ...env }, timeout: 10_000 });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  return run.stdout;
}

describe('scripts/azd-postdeploy.mjs (azd postdeploy hook), dry run', () => {
  const outputs = { AZURE_IDENTITY_PRINCIPAL_ID: PRINCIPAL, IMAGE_SYNC_SUBSCRIPTION_IDS: SUBSCRIPTIONS };

  it('after the first deploy, turns the event subscriptions on and provisions once more', () => {
    const out = dryRun(outputs);
    expect(out).toContain('would run: azd env set IMAGE_SYNC_SUBSCRIBE_EVENTS true');
    expect(out).toContain('would run: azd provision --no-prompt');
  });

  it('does not provision again once the event subscriptions exist, nor when events are off', () => {
    expect(dryRun({ ...outputs, IMAGE_SYNC_SUBSCRIBE_EVENTS: 'true' })).not.toContain('azd provision');
    expect(dryRun({ ...outputs, IMAGE_SYNC_EVENTS_ENABLED: 'false' })).not.toContain('azd provision');
  });

  it('prints the Graph grant command for the deployed identity, or runs it when asked to', () => {
    const printed = dryRun({ ...outputs, IMAGE_SYNC_SUBSCRIBE_EVENTS: 'true' });
    expect(printed).toContain(`node scripts/grant-graph-permission.mjs --principal-id ${PRINCIPAL} --subscription-ids ${SUBSCRIPTIONS}`);
    const granted = dryRun({ ...outputs, IMAGE_SYNC_SUBSCRIBE_EVENTS: 'true', IMAGE_SYNC_GRANT_GRAPH_PERMISSION: 'true' });
    expect(granted).toMatch(new RegExp(`would run: .*node.* .*grant-graph-permission\\.mjs --principal-id ${PRINCIPAL} --subscription-ids ${SUBSCRIPTIONS}`));
  });
});
