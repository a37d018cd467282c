// The image-sync command as an administrator (or their script) runs it: the compiled binary in a
// child process, against the run's Azurite and a tenant emulator, its JSON checked against the contract.
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator, ManagedImageInput } from '../../src/emulator';
import { encodeMessage } from '../../src/queue/messageEncoding';
import { estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../src/emulator';
import { commandSettings, runImageSync } from '../support/cliProcess';
import { contractErrors } from '../support/contract';
import { startTestEmulator } from '../support/emulator';
import { testStorageClients } from '../support/storage';

const READABLE = '33333333-3333-4333-8333-333333333333';
const FORBIDDEN = '44444444-4444-4444-8444-444444444444';
const id = (name: string, group = 'rg-images') => managedImageResourceId(READABLE, group, name);
const untagged = { tags: {} };

const images: ManagedImageInput[] = [
  managedImage({ name: 'win11-ent-1.0.0', upload: { outcome: 'ready', seconds: 0.3 } }),
  managedImage({ name: 'win11-ent-1.1.0', upload: { outcome: 'ready', seconds: 0.3 } }),
  managedImage({ name: 'win10-ltsc-1.0.0', upload: { outcome: 'failed', errorCode: 'osVersionNotSupported', seconds: 0.3 } }),
  managedImage({ name: 'win11-old-1.0.0', hyperVGeneration: 'V1' }),
  managedImage({ name: 'win11-manual-2.0.0', ...untagged, upload: { outcome: 'ready', seconds: 0.3 } }),
  managedImage({ name: 'win11-untagged-gen1-1.0.0', ...untagged, hyperVGeneration: 'V1' }),
];

const tenant = () =>
  estate({
    subscriptions: [
      subscription({ id: READABLE, resourceGroups: [resourceGroup('rg-images', images)] }),
      subscription({ id: FORBIDDEN, access: 'forbidden' }),
    ],
  });

let emulator: Emulator | null = null;
afterEach(async () => {
  await emulator?.stop();
  emulator = null;
});

/** A fresh tenant and settings of this test's own: queues, table, fast polling. */
async function freshTenant(overrides: Record<string, string> = {}): Promise<{ emulator: Emulator; env: Record<string, string> }> {
  emulator = await startTestEmulator(tenant());
  const env = commandSettings(emulator, 'cli', { IMAGE_SYNC_SUBSCRIPTION_IDS: READABLE, ...overrides });
  return { emulator, env };
}

function json(text: string): Record<string, unknown> & { images: Record<string, unknown>[]; problems: Record<string, unknown>[] } {
  return JSON.parse(text) as ReturnType<typeof json>;
}

const byId = (report: ReturnType<typeof json>) =>
  new Map(report.images.map((image) => [String(image.sourceImageResourceId).toLowerCase(), image]));

describe('image-sync --help', () => {
  it.each(['plan', 'sync', 'register', 'status', 'emulator'])('explains %s and exits 0', async (command) => {
    const run = await runImageSync([command, '--help'], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Usage: image-sync ${command}`);
    expect(run.stdout).toMatch(/Options:/);
  });

  it('lists the commands and the exit codes', async () => {
    const run = await runImageSync(['--help'], {});
    expect(run.code).toBe(0);
    for (const command of ['plan', 'sync', 'register', 'status', 'emulator']) expect(run.stdout).toContain(`  ${command}`);
    expect(run.stdout).toMatch(/Exit codes: 0 .* 2 .*\n?.*1 could not run/s);
  });

  it('refuses an unknown command or option with exit code 1 and says where help is', async () => {
    const unknown = await runImageSync(['deploy'], {});
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown command "deploy".*--help/);
    const option = await runImageSync(['status', '--colour'], {});
    expect(option.code).toBe(1);
    expect(option.stderr).toMatch(/image-sync status: .*--colour.*See image-sync status --help/);
  });
});

describe('image-sync when it cannot run', () => {
  it('names the missing setting and the fix in one line, exit code 1', async () => {
    const run = await runImageSync(['status'], { AzureWebJobsStorage: 'UseDevelopmentStorage=true' });
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^image-sync: IMAGE_SYNC_SUBSCRIPTION_IDS: is not set\. Fix: /)]);
    expect(run.stdout).toBe('');
  });

  it('says storage is unreachable and which setting points there, exit code 1', async () => {
    const closed =
      'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;';
    const run = await runImageSync(['status'], { AzureWebJobsStorage: closed, IMAGE_SYNC_SUBSCRIPTION_IDS: READABLE });
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^image-sync: .*storage.*127\.0\.0\.1:9.*AzureWebJobsStorage/i);
    expect(run.stderr).not.toContain('Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq');
  });
});

describe('image-sync plan', () => {
  it('says what would happen to every tagged image and changes nothing', async () => {
    const { emulator: tenantEmulator, env } = await freshTenant();
    const run = await runImageSync(['plan', '--json'], env);
    expect(run.code).toBe(0);
    const planned = JSON.parse(run.stdout) as {
      images: { sourceImageResourceId: string; outcome: string; reason: string | null; fix: string | null }[];
    };
    const outcome = new Map(planned.images.map((image) => [image.sourceImageResourceId.toLowerCase(), image]));
    expect(outcome.get(id('win11-ent-1.0.0').toLowerCase())).toMatchObject({ outcome: 'register' });
    expect(outcome.get(id('win11-old-1.0.0').toLowerCase())).toMatchObject({
      outcome: 'skip',
      reason: 'gen1',
      fix: expect.stringMatching(/Generation 2/),
    });
    expect(outcome.has(id('win11-manual-2.0.0').toLowerCase())).toBe(false);
    expect(tenantEmulator.count('graph.deviceImages.create')).toBe(0);

    const table = await runImageSync(['plan'], env);
    expect(table.stdout).toMatch(/^ACTION\s+IMAGE\s+SOURCE\s+DETAIL/m);
    expect(table.stdout).toMatch(/skip\s+win11-old 1\.0\.0\s+rg-images\/win11-old-1\.0\.0\s+gen1: /);
  });
});

describe('image-sync sync and status', () => {
  it('registers every eligible image, records the failure and the skip, and reports it as the contract says', async () => {
    const { emulator: tenantEmulator, env } = await freshTenant();
    const run = await runImageSync(['sync', '--json', '--timeout', '60'], env);

    expect(run.code).toBe(2);
    const report = json(run.stdout);
    expect(contractErrors('status', report)).toBeNull();
    expect(report.summary).toEqual({ inScope: 4, registered: 3, ready: 2, failed: 1, skipped: 1, retired: 0, warnings: 0, problems: 0 });
    const images = byId(report);
    expect(images.get(id('win11-ent-1.0.0').toLowerCase())).toMatchObject({
      state: 'ready',
      displayName: 'win11-ent',
      version: '1.0.0',
      deviceImageId: expect.any(String),
      errorCode: null,
    });
    expect(images.get(id('win10-ltsc-1.0.0').toLowerCase())).toMatchObject({
      state: 'failed',
      errorCode: 'osVersionNotSupported',
      reason: expect.stringMatching(/Enterprise/),
    });
    expect(images.get(id('win11-old-1.0.0').toLowerCase())).toMatchObject({ state: 'skipped', reason: 'gen1', deviceImageId: null });
    expect(tenantEmulator.duplicateDeviceImages()).toEqual([]);
    expect(run.stderr).toMatch(/sync: 4 in scope: /);

    const status = await runImageSync(['status', '--json'], env);
    expect(status.code).toBe(2);
    const statusReport = json(status.stdout);
    expect(contractErrors('status', statusReport)).toBeNull();
    expect(statusReport.images.map((image) => image.state).sort()).toEqual(['failed', 'ready', 'ready', 'skipped']);

    const table = await runImageSync(['status'], env);
    expect(table.stdout).toMatch(/^STATE\s+IMAGE\s+SOURCE\s+DEVICE IMAGE\s+OS\s+BUILD\s+DETAIL/m);
    expect(table.stdout).toMatch(/failed\s+win10-ltsc 1\.0\.0 .*osVersionNotSupported: /);
    expect(table.stdout).toMatch(
      /4 registration\(s\): 2 ready, 1 failed, 1 skipped, 0 retired, 0 in progress; 0 with warnings; 0 problem\(s\)\./,
    );
  });

  it('exits 0 when every in-scope image ends ready or skipped, and a second sync changes nothing', async () => {
    const { emulator: tenantEmulator, env } = await freshTenant({ IMAGE_SYNC_RESOURCE_GROUPS: 'rg-images' });
    // Opting out the image that fails: remove its tag.
    tenantEmulator.putManagedImage(READABLE, 'rg-images', managedImage({ name: 'win10-ltsc-1.0.0', tags: {} }));
    const first = await runImageSync(['sync', '--json', '--timeout', '60'], env);
    expect(first.code).toBe(0);
    const creates = tenantEmulator.count('graph.deviceImages.create');
    expect(creates).toBe(2);

    const second = await runImageSync(['sync', '--json', '--timeout', '60'], env);
    expect(second.code).toBe(0);
    expect(tenantEmulator.count('graph.deviceImages.create')).toBe(creates);
    expect(json(second.stdout).summary).toMatchObject({ inScope: 3, ready: 2, skipped: 1 });
  });

  it('records an unreadable subscription as a problem and still registers the others, exit code 2', async () => {
    const { env } = await freshTenant({ IMAGE_SYNC_SUBSCRIPTION_IDS: `${FORBIDDEN},${READABLE}` });
    const run = await runImageSync(['sync', '--json', '--timeout', '60'], env);
    expect(run.code).toBe(2);
    const report = json(run.stdout);
    expect(contractErrors('status', report)).toBeNull();
    expect(report.problems).toEqual([expect.objectContaining({ kind: 'subscription-unreadable', detail: expect.stringMatching(/403/) })]);
    expect(report.summary).toMatchObject({ ready: 2, problems: 1 });
  });

  it('ends a poison message already waiting, and an unreadable one on the register queue, as recorded problems, exit code 2', async () => {
    const { env } = await freshTenant();
    const storage = testStorageClients();
    const poison = storage.queue(`${env.IMAGE_SYNC_REGISTER_QUEUE ?? ''}-poison`);
    await poison.createIfNotExists();
    await poison.sendMessage(
      encodeMessage({
        v: 1,
        sourceImageResourceId: id('win11-ent-9.9.9'),
        displayName: 'win11-ent',
        version: '9.9.9',
        trigger: 'event',
        enqueuedAt: '2026-11-23T08:00:00Z',
      }),
    );
    const register = storage.queue(env.IMAGE_SYNC_REGISTER_QUEUE ?? '');
    await register.createIfNotExists();
    await register.sendMessage(encodeMessage('this is not json'));

    const run = await runImageSync(['sync', '--json', '--timeout', '60'], env);
    expect(run.code).toBe(2);
    const report = json(run.stdout);
    expect(contractErrors('status', report)).toBeNull();
    expect(report.problems.map((problem) => problem.kind).sort()).toEqual(['invalid-message', 'poison-message']);
    expect(await poison.getProperties()).toMatchObject({ approximateMessagesCount: 0 });

    // Read and acknowledged: the administrator clears them.
    const cleared = await runImageSync(['status', '--clear-problems'], env);
    expect(cleared.stdout).toMatch(/Problems \(2\):/);
    expect(cleared.stderr).toMatch(/Cleared 2 recorded problem\(s\)\./);
    expect(json((await runImageSync(['status', '--json'], env)).stdout).problems).toEqual([]);
  });
});

describe('image-sync register', () => {
  it('queues an untagged image the pipeline names, and sync registers it under the given name', async () => {
    const { emulator: tenantEmulator, env } = await freshTenant({ IMAGE_SYNC_RESOURCE_GROUPS: 'rg-none' });
    const queued = await runImageSync(['register', id('win11-manual-2.0.0'), '--display-name', 'Windows 11 Manual'], env);
    expect(queued.code).toBe(0);
    expect(queued.stdout).toMatch(/Queued Windows 11 Manual 2\.0\.0 for registration/);

    await runImageSync(['sync', '--json', '--timeout', '60'], env);
    const [created] = tenantEmulator.deviceImages();
    expect(created).toMatchObject({ displayName: 'Windows 11 Manual', version: '2.0.0', sourceImageResourceId: id('win11-manual-2.0.0') });
    const status = json((await runImageSync(['status', '--json'], env)).stdout);
    expect(byId(status).get(id('win11-manual-2.0.0').toLowerCase())).toMatchObject({ state: 'ready', displayName: 'Windows 11 Manual' });
  });

  it('refuses an ineligible image with the reason and the fix, exit code 2, and queues nothing', async () => {
    const { emulator: tenantEmulator, env } = await freshTenant();
    const run = await runImageSync(['register', id('win11-untagged-gen1-1.0.0')], env);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/^Not registered: gen1\. Fix: .*Generation 2/);
    expect(tenantEmulator.count('graph.deviceImages.create')).toBe(0);
  });

  it('refuses something that is not a managed image id before calling anything, exit code 1', async () => {
    const { emulator: tenantEmulator, env } = await freshTenant();
    const run = await runImageSync(['register', '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/disks/d'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/is not a managed image id/);
    expect(tenantEmulator.requests).toHaveLength(0);
  });
});
