// One emulated tenant for the retention tests (DESIGN §15): a managed image per resource group, each
// with a display name of its own (a displayName+version names one device image in the tenant), and
// apps per group that differ only in IMAGE_SYNC_KEEP_VERSIONS, over one table.
import { expect } from 'vitest';
import type { LedgerRow } from '../../../src/domain';
import { type Emulator, estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../../src/emulator';
import { type TestApp, testAppSettings } from '../../support/appDeps';
import { appWithGraph } from '../reliability/reliabilityApp';
import { useEmulator } from '../../support/emulator';
import { syncLocally } from './localSync';

export const SUB = '52525252-5252-4252-8252-525252525252';
export const DELETE = 'graph.deviceImages.delete';
export const tags = (version: string) => ({ 'cloudpc-sync': 'true', 'cloudpc-version': version });
export const imageName = (group: string) => `win11-${group.replace(/^rg-/, '')}`;

export interface GroupSpec {
  readonly group: string;
  /** Default 1.0.0. */
  readonly version?: string;
  /** Default: the image's own name. */
  readonly displayName?: string;
  /** The app's first upload of it fails (a problem with the build). */
  readonly uploadFails?: boolean;
}

export interface RetentionTenant {
  readonly emulator: Emulator;
  sourceIn(group: string): string;
  imagesOf(group: string): { id: string; version: string; status: string }[];
  idOf(group: string, version: string): string;
  /** One registration's settings (its own table and queues); the apps differ only in IMAGE_SYNC_KEEP_VERSIONS. */
  appsFor(groups: string): (keep: number) => TestApp;
  rowOf(app: TestApp, group: string, version: string): Promise<LedgerRow | null>;
  /** Two versions the app created, both ready, registered with retention off. */
  twoReadyVersions(app: TestApp, group: string): Promise<void>;
}

export function useRetentionTenant(specs: readonly GroupSpec[]): RetentionTenant {
  const fixture = useEmulator(() =>
    estate({
      uploadSeconds: 0.3,
      graph: { maxDeviceImages: 100 },
      subscriptions: [
        subscription({
          id: SUB,
          resourceGroups: specs.map((spec) =>
            resourceGroup(spec.group, [
              managedImage({
                name: imageName(spec.group),
                tags: {
                  ...tags(spec.version ?? '1.0.0'),
                  ...(spec.displayName === undefined ? {} : { 'cloudpc-display-name': spec.displayName }),
                },
                build: 'b1',
                ...(spec.uploadFails === true ? { upload: { outcome: 'failed' as const, errorCode: 'sourceImageInvalid' } } : {}),
              }),
            ]),
          ),
        }),
      ],
    }),
  );
  const sourceIn = (group: string) => managedImageResourceId(SUB, group, imageName(group));
  const imagesOf = (group: string) =>
    fixture.emulator
      .deviceImages()
      .filter((image) => image.sourceImageResourceId.toLowerCase() === sourceIn(group).toLowerCase())
      .map((image) => ({ id: image.id, version: image.version, status: image.status }))
      .sort((a, b) => a.version.localeCompare(b.version));
  const idOf = (group: string, version: string) => imagesOf(group).find((image) => image.version === version)?.id ?? '';
  return {
    get emulator() {
      return fixture.emulator;
    },
    sourceIn,
    imagesOf,
    idOf,
    appsFor(groups) {
      const settings = testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB, IMAGE_SYNC_RESOURCE_GROUPS: groups });
      // Quick Graph retries: a DELETE that never answers is given up in a fraction of a second, not seven.
      return (keep) =>
        appWithGraph({ ...settings, IMAGE_SYNC_KEEP_VERSIONS: String(keep) }, { retry: { delaySeconds: 0.1, maxRetries: 1 } });
    },
    rowOf: (app, group, version) => app.deps.ledger.get({ sourceImageResourceId: sourceIn(group), version }),
    async twoReadyVersions(app, group) {
      expect((await syncLocally(app)).ending).toBe('settled');
      fixture.emulator.rebuildManagedImage(sourceIn(group), { build: 'b2', tags: tags('1.1.0') });
      expect((await syncLocally(app)).ending).toBe('settled');
      expect(imagesOf(group).map((image) => [image.version, image.status])).toEqual([
        ['1.0.0', 'ready'],
        ['1.1.0', 'ready'],
      ]);
    },
  };
}
