// A tenant for ring rollout tests (DESIGN §18): per scenario a resource group with one managed image
// whose version is already uploaded (a ready device image the first reconcile adopts), and policies
// on a baseline image; the app and the emulator share a clock the test moves.
import {
  type EstateInput,
  deviceImage,
  estate,
  managedImage,
  managedImageResourceId,
  provisioningPolicy,
  resourceGroup,
  subscription,
} from '../../../src/emulator';
import { type TestApp, testApp, testAppSettings } from '../../support/appDeps';
import { type EmulatorFixture, type ManualClock, manualClock, useEmulator } from '../../support/emulator';

export const SUB = '88888888-8888-4888-8888-888888888888';
export const BASELINE = 'b0b0b0b0-0000-4000-8000-0000000000a1';
export const NAME = 'win11-rings';
export const HOUR_MS = 3_600_000;

export interface Scenario {
  readonly group: string;
  readonly tag: string;
  /** Policies (display names) on the baseline image; `Gallery …` names are gallery-image policies. */
  readonly policies: readonly string[];
  readonly version?: string;
  /** false: the version is not in Windows 365 yet (the app uploads it). Default true. */
  readonly uploaded?: boolean;
}

export const imageIn = (group: string) => managedImageResourceId(SUB, group, NAME);
/** The adopted device image of a scenario (ids differ per group: `c…` + group index). */
export const deviceImageIdOf = (index: number, version = 1) =>
  `c0c0c0c0-0000-4000-8000-${String(index).padStart(6, '0')}${String(version).padStart(6, '0')}`;

export function tagsOf(scenario: Pick<Scenario, 'group' | 'tag' | 'version'>) {
  return {
    'cloudpc-sync': 'true',
    'cloudpc-version': scenario.version ?? '1.0.0',
    'cloudpc-display-name': `Rings ${scenario.group}`,
    'cloudpc-provisioning-policies': scenario.tag,
  };
}

export function ringEstate(scenarios: readonly Scenario[]): EstateInput {
  return estate({
    uploadSeconds: 0.3,
    graph: { pageSize: 2 },
    subscriptions: [
      subscription({
        id: SUB,
        resourceGroups: scenarios.map((scenario) => resourceGroup(scenario.group, [managedImage({ name: NAME, tags: tagsOf(scenario) })])),
      }),
    ],
    deviceImages: [
      deviceImage({
        id: BASELINE,
        displayName: 'Win11 Baseline',
        version: '0.9.0',
        sourceImageResourceId: managedImageResourceId(SUB, 'rg-baseline', 'win11-baseline'),
      }),
      ...scenarios.flatMap((scenario, index) =>
        scenario.uploaded === false
          ? []
          : deviceImage({
              id: deviceImageIdOf(index),
              displayName: `Rings ${scenario.group}`,
              version: scenario.version ?? '1.0.0',
              sourceImageResourceId: imageIn(scenario.group),
            }),
      ),
    ],
    provisioningPolicies: scenarios.flatMap((scenario) =>
      scenario.policies.map((name) =>
        name.startsWith('Gallery')
          ? provisioningPolicy({
              displayName: name,
              imageType: 'gallery',
              imageId: 'microsoftwindowsdesktop_windows-ent-cpc_win11-24h2-ent-cpc',
            })
          : provisioningPolicy({ displayName: name, imageId: BASELINE, imageDisplayName: 'Win11 Baseline' }),
      ),
    ),
  });
}

export interface RingTenant {
  readonly clock: ManualClock;
  readonly fixture: EmulatorFixture;
  /** An app scoped to the scenario's resource group, on the shared clock, with its own table and queues. */
  app(group: string, settings?: Record<string, string>): TestApp;
  policy(name: string): { readonly id: string; readonly imageId: string | null; readonly updates: number };
}

export function useRingTenant(scenarios: readonly Scenario[]): RingTenant {
  const clock = manualClock(new Date('2026-12-01T09:00:00Z'));
  const fixture = useEmulator(() => ringEstate(scenarios), { clock });
  return {
    clock,
    fixture,
    app: (group, settings = {}) =>
      testApp(
        testAppSettings(fixture.emulator, {
          IMAGE_SYNC_SUBSCRIPTION_IDS: SUB,
          IMAGE_SYNC_RESOURCE_GROUPS: group,
          IMAGE_SYNC_ROLLOUT: 'true',
          IMAGE_SYNC_RING_SOAK_HOURS: '1',
          ...settings,
        }),
        clock,
      ),
    policy: (name) => {
      const found = fixture.emulator.provisioningPolicies().find((policy) => policy.displayName === name);
      if (found === undefined) throw new Error(`no policy ${name}`);
      return found;
    },
  };
}
