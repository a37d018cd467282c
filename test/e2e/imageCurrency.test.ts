// Image currency as an administrator sees it (DESIGN §16): `npm start`'s sample estate synced with
// the compiled command, then `status` (table and JSON) and `plan` show the one image behind.
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulator, sampleEstate } from '../../src/emulator';
import { commandSettings, runImageSync } from '../support/cliProcess';
import { contractErrors } from '../support/contract';
import { startTestEmulator } from '../support/emulator';

const SUBSCRIPTIONS = '11111111-1111-4111-8111-111111111111,22222222-2222-4222-8222-222222222222';

let emulator: Emulator | null = null;
afterEach(async () => {
  await emulator?.stop();
  emulator = null;
});

interface StatusImage {
  displayName: string;
  version: string;
  state: string;
  osVersionNumber: string | null;
  latestBuild: string | null;
  patchLag: number | null;
  warnings: string[];
}

describe('image currency of the sample estate', () => {
  it('shows win11-ent 1.3.0 two Patch Tuesdays behind, in status and plan; a build no release lists stays unjudged', async () => {
    emulator = await startTestEmulator(sampleEstate());
    const env = commandSettings(emulator, 'currency', { IMAGE_SYNC_SUBSCRIPTION_IDS: SUBSCRIPTIONS });
    await runImageSync(['sync', '--timeout', '90'], env, 150_000);

    const status = await runImageSync(['status', '--json'], env);
    const report = JSON.parse(status.stdout) as { images: StatusImage[] };
    expect(contractErrors('status', report)).toBeNull();
    const behind = report.images.filter((image) => (image.patchLag ?? 0) > 1);
    expect(behind).toEqual([
      expect.objectContaining({
        displayName: 'win11-ent',
        version: '1.3.0',
        osVersionNumber: '10.0.26100.4349',
        latestBuild: '26100.4946',
        patchLag: 2,
        warnings: [expect.stringMatching(/^os-update-behind: a newer quality update, build 26100\.4946 of November 2026, is available/)],
      }),
    ]);
    const find = (name: string, version: string) => report.images.find((image) => image.displayName === name && image.version === version);
    // Older versions of a display name are not judged; a build no release lists neither.
    expect(find('win11-ent', '1.2.0')).toMatchObject({
      state: 'ready',
      osVersionNumber: '10.0.22631.4317',
      latestBuild: null,
      patchLag: null,
    });
    expect(find('Windows 11 Engineering – Outils', '1.1.0')).toMatchObject({
      osVersionNumber: '10.0.26200.6584',
      latestBuild: null,
      patchLag: null,
    });
    expect(find('Windows 11 Kiosk', '3.1.0')).toMatchObject({ latestBuild: '10.0.22631.4317', patchLag: 0 });

    const table = await runImageSync(['status'], env);
    expect(table.stdout).toMatch(/BUILD/);
    expect(table.stdout).toContain('10.0.26100.4349 (2 behind 26100.4946)');

    const plan = await runImageSync(['plan'], env);
    expect(plan.stdout).toContain(
      "Behind their Windows release's latest quality update (IMAGE_SYNC_MAX_PATCH_LAG=1, as the last reconcile judged):\n  win11-ent 1.3.0: 10.0.26100.4349 is 2 Patch Tuesday(s) behind 26100.4946",
    );
    const planJson = JSON.parse((await runImageSync(['plan', '--json'], env)).stdout) as {
      currency: { maxPatchLag: number; behind: unknown[] };
    };
    expect(planJson.currency).toEqual({
      maxPatchLag: 1,
      behind: [expect.objectContaining({ displayName: 'win11-ent', version: '1.3.0', latestBuild: '26100.4946', patchLag: 2 })],
    });
  }, 180_000);
});
