// Rollout rings as an administrator meets them: the compiled command against the emulator, a soak of
// a second or two (IMAGE_SYNC_RING_SOAK_HOURS is decimal). A pilot failure makes the sync that
// halts exit 2, names the Cloud PC, and leaves the next ring on its image.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator';
import { commandSettings, runImageSync } from '../support/cliProcess';
import { contractErrors } from '../support/contract';
import { startTestEmulator } from '../support/emulator';
import { BASELINE, SUB, ringEstate } from '../integration/rings/ringFixture';

let emulator: Emulator;
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startTestEmulator(ringEstate([{ group: 'rg-e2e', tag: 'E2E Pilot > E2E Broad', policies: ['E2E Pilot', 'E2E Broad'] }]));
  env = commandSettings(emulator, 'rings', {
    IMAGE_SYNC_SUBSCRIPTION_IDS: SUB,
    IMAGE_SYNC_ROLLOUT: 'true',
    // 3.6 seconds.
    IMAGE_SYNC_RING_SOAK_HOURS: '0.001',
  });
});

afterAll(async () => {
  await emulator.stop();
});

const policy = (name: string) => emulator.provisioningPolicies().find((candidate) => candidate.displayName === name);

describe('image-sync with rollout rings', () => {
  it('patches the pilot, and the sync that sees a pilot Cloud PC fail halts the rollout and exits 2', async () => {
    const first = await runImageSync(['sync', '--json', '--timeout', '60'], env);
    expect(first.code).toBe(0);
    const image = policy('E2E Pilot')?.imageId;
    expect(image).not.toBe(BASELINE);
    expect(JSON.parse(first.stdout).rollouts).toEqual([
      expect.objectContaining({ ring: 1, rings: 2, state: 'soaking', policies: ['E2E Pilot'] }),
    ]);

    const plan = JSON.parse((await runImageSync(['plan', '--json'], env)).stdout);
    expect(plan.rollout.rings).toEqual([
      expect.objectContaining({ ring: 1, rings: 2, state: 'soaking', next: expect.objectContaining({ action: 'promote', needs: 0 }) }),
    ]);

    emulator.failCloudPcsOn(image ?? '');
    const pilot = policy('E2E Pilot')?.id ?? '';
    emulator.provisionCloudPcs(pilot, 1, 0);
    const halted = await runImageSync(['sync', '--json', '--timeout', '60'], env);
    expect(halted.code).toBe(2);
    const report = JSON.parse(halted.stdout);
    expect(contractErrors('status', report)).toBeNull();
    expect(report.rollouts).toEqual([expect.objectContaining({ ring: 1, state: 'halted', failed: 1 })]);
    expect(report.problems).toEqual([
      expect.objectContaining({ kind: 'rollout-halted', detail: expect.stringMatching(/imageNotSupported/) }),
    ]);
    expect(policy('E2E Pilot')).toMatchObject({ imageId: BASELINE, updates: 2 });

    // (That ring 2 never gets it once the soak is over is played with a moved clock in test/integration/rings.)
    await runImageSync(['sync', '--json', '--timeout', '60'], env);
    expect(policy('E2E Broad')).toMatchObject({ imageId: BASELINE, updates: 0 });
    const status = await runImageSync(['status'], env);
    expect(status.stdout).toMatch(/Rollouts \(1\):\nSTATE .*\nhalted +Rings rg-e2e 1\.0\.0 +1\/2 +E2E Pilot +0 provisioned, 1 failed/);
  }, 90_000);
});
