// Retention as an administrator meets it (DESIGN §13): `image-sync sync` with IMAGE_SYNC_KEEP_VERSIONS
// deletes the versions it registered that a newer ready one supersedes, before it exits; never one a
// provisioning policy uses, never one it did not register. `plan` shows it first; `prune` does it on demand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Emulator,
  deviceImage,
  estate,
  managedImage,
  managedImageResourceId,
  provisioningPolicy,
  resourceGroup,
  subscription,
} from '../../src/emulator';
import { commandSettings, runImageSync } from '../support/cliProcess';
import { contractErrors } from '../support/contract';
import { startTestEmulator } from '../support/emulator';

const SUB = '46464646-4646-4646-8646-464646464646';
const SOURCE = managedImageResourceId(SUB, 'rg-images', 'win11-ent');
const tags = (version: string) => ({ 'cloudpc-sync': 'true', 'cloudpc-version': version });

let emulator: Emulator;
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startTestEmulator(
    estate({
      uploadSeconds: 0.3,
      subscriptions: [
        subscription({
          id: SUB,
          resourceGroups: [resourceGroup('rg-images', [managedImage({ name: 'win11-ent', tags: tags('1.0.0'), build: 'b1' })])],
        }),
      ],
      // Registered by hand long ago under the same display name: not the app's, never deleted.
      deviceImages: [
        deviceImage({
          displayName: 'win11-ent',
          version: '0.9.0',
          sourceImageResourceId: managedImageResourceId(SUB, 'rg-old', 'win11-ent-0.9.0'),
        }),
      ],
      provisioningPolicies: [provisioningPolicy({ id: 'eng', displayName: 'Engineering', imageType: 'custom', imageId: null })],
    }),
  );
  env = commandSettings(emulator, 'ret', { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB, IMAGE_SYNC_KEEP_VERSIONS: '1' });
});
afterAll(async () => {
  await emulator.stop();
});

type StatusJson = { images: { version: string; state: string; deviceImageId: string | null; policies: string[] }[] };
const versionsInTenant = () =>
  emulator
    .deviceImages()
    .map((image) => image.version)
    .sort();
const idOf = (version: string) =>
  emulator.deviceImages().find((image) => image.version === version && image.sourceImageResourceId === SOURCE)?.id ?? '';
const rebuild = (version: string, build: string) => emulator.rebuildManagedImage(SOURCE, { build, tags: tags(version) });

describe('retention through image-sync', () => {
  it('deletes a superseded version the app registered when sync sees the newer one ready, keeps what a policy uses, and prunes on demand', async () => {
    expect((await runImageSync(['sync', '--timeout', '60'], env)).code).toBe(0);
    expect(versionsInTenant()).toEqual(['0.9.0', '1.0.0']);

    rebuild('1.1.0', 'b2');
    const second = await runImageSync(['sync', '--json', '--timeout', '60'], env);
    expect(second.code).toBe(0);
    expect(versionsInTenant()).toEqual(['0.9.0', '1.1.0']);
    const status = JSON.parse(second.stdout) as StatusJson;
    expect(contractErrors('status', status)).toBeNull();
    expect(status.images.map((image) => [image.version, image.state])).toEqual([
      ['1.1.0', 'ready'],
      ['1.0.0', 'retired'],
    ]);

    // A policy now uses 1.1.0: the next version's sync keeps it, and status says who uses it.
    emulator.putProvisioningPolicy({
      id: 'eng',
      displayName: 'Engineering',
      imageType: 'custom',
      imageId: idOf('1.1.0'),
      imageDisplayName: 'win11-ent',
    });
    rebuild('1.2.0', 'b3');
    const third = await runImageSync(['sync', '--json', '--timeout', '60'], env);
    expect(third.code).toBe(0);
    expect(versionsInTenant()).toEqual(['0.9.0', '1.1.0', '1.2.0']);
    expect((JSON.parse(third.stdout) as StatusJson).images.find((image) => image.version === '1.1.0')?.policies).toEqual(['Engineering']);

    // The policy moves on to 1.2.0: plan and a dry run show 1.1.0 would go; prune deletes it.
    emulator.putProvisioningPolicy({
      id: 'eng',
      displayName: 'Engineering',
      imageType: 'custom',
      imageId: idOf('1.2.0'),
      imageDisplayName: 'win11-ent',
    });
    const plan = await runImageSync(['plan', '--json'], env);
    expect(plan.code).toBe(0);
    expect((JSON.parse(plan.stdout) as { retention: { version: string; outcome: string }[] }).retention).toEqual([
      expect.objectContaining({ version: '1.1.0', outcome: 'would-retire' }),
    ]);
    const dryRun = await runImageSync(['prune', '--dry-run', '--json'], env);
    expect(JSON.parse(dryRun.stdout)).toMatchObject({ keep: 1, dryRun: true, results: [{ version: '1.1.0', outcome: 'would-retire' }] });
    expect(versionsInTenant()).toEqual(['0.9.0', '1.1.0', '1.2.0']);

    emulator.clearRequests();
    const prune = await runImageSync(['prune'], env);
    expect(prune.code).toBe(0);
    // What retention costs: one device image list, one policy list, one DELETE per retired version.
    expect(emulator.counts()).toEqual({
      'graph.deviceImages.list': 1,
      'graph.provisioningPolicies.list': 1,
      'graph.deviceImages.delete': 1,
    });
    expect(prune.stdout).toMatch(/retired\s+win11-ent 1\.1\.0/);
    expect(versionsInTenant()).toEqual(['0.9.0', '1.2.0']);
    // `status` reads the ledger only: policies are as the last reconcile read them from Graph.
    expect((await runImageSync(['sync'], env)).code).toBe(0);
    const status2 = JSON.parse((await runImageSync(['status', '--json'], env)).stdout) as StatusJson;
    expect(status2.images.map((image) => [image.version, image.state])).toEqual([
      ['1.2.0', 'ready'],
      ['1.0.0', 'retired'],
      ['1.1.0', 'retired'],
    ]);
    expect(status2.images[0]?.policies).toEqual(['Engineering']);
    // Eight runs of the CLI: more than the default 30 s on a loaded two-core machine.
  }, 120_000);

  it('refuses a keep count that is not a whole number, naming the option and the fix', async () => {
    const run = await runImageSync(['prune', '--keep', 'two'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--keep "two" is not a whole number from 1 to 20.*e\.g\. --keep 2/);
    expect(versionsInTenant()).toEqual(['0.9.0', '1.2.0']);
  });

  it('a DELETE Graph refuses (any words): sync exits 2 with the problem retire-refused and the row stays ready; prune deletes it once Graph agrees', async () => {
    emulator.putProvisioningPolicy({ id: 'eng', displayName: 'Engineering', imageType: 'custom', imageId: null });
    emulator.setFaults({
      kinds: ['graph.deviceImages.delete'],
      refuse: { probability: 1, status: 409, code: 'ImageLocked', message: 'The image is locked while it replicates.' },
    });
    rebuild('1.3.0', 'b4');
    const sync = await runImageSync(['sync', '--json', '--timeout', '60'], env);
    expect(sync.code).toBe(2);
    expect(versionsInTenant()).toEqual(['0.9.0', '1.2.0', '1.3.0']);
    const status = JSON.parse((await runImageSync(['status', '--json'], env)).stdout) as StatusJson & {
      problems: { kind: string; detail: string }[];
    };
    expect(status.images.find((image) => image.version === '1.2.0')?.state).toBe('ready');
    expect(status.problems).toEqual([
      expect.objectContaining({
        kind: 'retire-refused',
        detail: expect.stringContaining('409 ImageLocked: The image is locked while it replicates.'),
      }),
    ]);

    emulator.clearFaults();
    const prune = await runImageSync(['prune'], env);
    expect(prune.code).toBe(0);
    expect(prune.stdout).toMatch(/retired\s+win11-ent 1\.2\.0/);
    expect(versionsInTenant()).toEqual(['0.9.0', '1.3.0']);
  }, 120_000);
});
