// Rollout and rollback as an administrator meets them: the compiled command against the emulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator';
import {
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

const SUB = '77777777-7777-4777-8777-777777777777';
const BASELINE = 'b1b1b1b1-0000-4000-8000-000000000001';
const SOURCE = managedImageResourceId(SUB, 'rg-gold', 'win11-gold');

let emulator: Emulator;
let env: Record<string, string>;

beforeAll(async () => {
  emulator = await startTestEmulator(
    estate({
      uploadSeconds: 0.3,
      subscriptions: [
        subscription({
          id: SUB,
          resourceGroups: [
            resourceGroup('rg-gold', [
              managedImage({
                name: 'win11-gold',
                tags: {
                  'cloudpc-sync': 'true',
                  'cloudpc-version': '2.0.0',
                  'cloudpc-display-name': 'Win11 Gold',
                  'cloudpc-provisioning-policies': 'Engineering',
                },
              }),
            ]),
          ],
        }),
      ],
      deviceImages: [
        deviceImage({
          id: BASELINE,
          displayName: 'Win11 Baseline',
          version: '1.0.0',
          sourceImageResourceId: managedImageResourceId(SUB, 'rg-old', 'win11-baseline'),
        }),
      ],
      provisioningPolicies: [provisioningPolicy({ displayName: 'Engineering', imageId: BASELINE, imageDisplayName: 'Win11 Baseline' })],
    }),
  );
  env = commandSettings(emulator, 'rollout', { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB });
});

afterAll(async () => {
  await emulator.stop();
});

const engineering = () => emulator.provisioningPolicies().find((policy) => policy.displayName === 'Engineering');

describe('image-sync with IMAGE_SYNC_ROLLOUT', () => {
  it('plan says the tag changes nothing while rollout is off, and what it will do once on', async () => {
    const off = await runImageSync(['plan'], env);
    expect(off.stdout).toMatch(
      /Rollout is off: the cloudpc-provisioning-policies tag changes nothing until IMAGE_SYNC_ROLLOUT=true\. Tagged:\n {2}Win11 Gold 2\.0\.0 → "Engineering": nothing \(rollout is off\)/,
    );
    const on = await runImageSync(['plan', '--json'], { ...env, IMAGE_SYNC_ROLLOUT: 'true' });
    expect(JSON.parse(on.stdout).rollout).toEqual({
      enabled: true,
      policies: [expect.objectContaining({ target: 'Engineering', policyId: engineering()?.id, outcome: 'when-ready' })],
      rings: [],
    });
  });

  it('sync points the policy at the version once it is ready, and status lists the policy', async () => {
    const sync = await runImageSync(['sync', '--json', '--timeout', '60'], { ...env, IMAGE_SYNC_ROLLOUT: 'true' });
    expect(sync.code).toBe(0);
    const gold = emulator.deviceImages().find((image) => image.displayName === 'Win11 Gold');
    expect(engineering()).toMatchObject({ imageId: gold?.id, imageDisplayName: 'Win11 Gold', updates: 1 });
    const status = JSON.parse((await runImageSync(['status', '--json'], env)).stdout);
    expect(contractErrors('status', status)).toBeNull();
    expect(status.images).toEqual([expect.objectContaining({ sourceImageResourceId: SOURCE, state: 'ready', policies: ['Engineering'] })]);
    // A tag without ">" is one ring, soaking (IMAGE_SYNC_RING_SOAK_HOURS, 24 by default) and listed.
    expect(status.rollouts).toEqual([
      {
        displayName: 'Win11 Gold',
        version: '2.0.0',
        ring: 1,
        rings: 1,
        state: 'soaking',
        policies: ['Engineering'],
        provisioned: 0,
        failed: 0,
        since: expect.any(String),
      },
    ]);
    const plan = await runImageSync(['plan'], { ...env, IMAGE_SYNC_ROLLOUT: 'true' });
    expect(plan.stdout).toMatch(
      /Rings \(the health gate's next step\):\n {2}Win11 Gold 2\.0\.0: ring 1 of 1 \(Engineering\) soaking \(0 provisioned, 0 failed so far\): completes the rollout at \d{4}-/,
    );
  });

  it('rollback points it back (exit 0), says so when asked again, and refuses what it cannot do (exit 2)', async () => {
    const back = await runImageSync(['rollback', 'engineering'], env);
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(
      /^Rolled back "Engineering": new Cloud PCs get Win11 Baseline again instead of Win11 Gold\. Existing Cloud PCs keep their image until reprovisioned\./,
    );
    expect(engineering()).toMatchObject({ imageId: BASELINE, updates: 2 });
    // The rollout stops there: a ring's rollback ends it (rolled-back).
    const stopped = JSON.parse((await runImageSync(['status', '--json'], env)).stdout);
    expect(stopped.rollouts).toEqual([expect.objectContaining({ version: '2.0.0', state: 'rolled-back', ring: 1 })]);

    const again = await runImageSync(['rollback', 'Engineering', '--json'], env);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ outcome: 'already-rolled-back', to: { imageId: BASELINE } });

    const nobody = await runImageSync(['rollback', 'Nobody', '--json'], env);
    expect(nobody.code).toBe(2);
    expect(JSON.parse(nobody.stdout)).toMatchObject({
      outcome: 'refused',
      reason: expect.stringMatching(/no provisioning policy is named "Nobody"/),
    });
    expect(engineering()?.updates).toBe(2);
  });

  it('explains rollback and refuses a call without a policy', async () => {
    const help = await runImageSync(['rollback', '--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: image-sync rollback <policy> \[--json\]/);
    const missing = await runImageSync(['rollback'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/the provisioning policy is missing/);
  });
});
