// `image-sync sync` through an outage (DESIGN §8): one that starts before its first listing is
// waited out until --timeout, said in the progress, and the run ends with every image registered.
import { describe, expect, it } from 'vitest';
import { estate, managedImage, resourceGroup, subscription } from '../../../src/emulator';
import type { SyncProgress } from '../../../src/local/runLocalSync';
import { testAppSettings } from '../../support/appDeps';
import { useEmulator } from '../../support/emulator';
import { syncLocally } from '../lifecycle/localSync';
import { appWithGraph } from '../reliability/reliabilityApp';

const SUB = '4b4b4b4b-4b4b-4b4b-8b4b-4b4b4b4b4b4b';

const fixture = useEmulator(() =>
  estate({
    uploadSeconds: 0.3,
    subscriptions: [
      subscription({
        id: SUB,
        resourceGroups: [
          resourceGroup(
            'rg-images',
            ['a', 'b'].map((name) => managedImage({ name: `${name}-1.0.0` })),
          ),
        ],
      }),
    ],
  }),
);

const fastApp = () =>
  appWithGraph(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB }), { retry: { delaySeconds: 0.2, maxRetries: 1 } });

describe('a Graph outage before the first listing', () => {
  it('is waited out, said in the progress, and the run ends with every image ready', async () => {
    const app = fastApp();
    fixture.emulator.setFaults({ service: 'graph', down: 'unavailable' });
    const ends = setTimeout(() => fixture.emulator.clearFaults(), 5_000);
    const waited: string[] = [];
    try {
      const result = await syncLocally(app, 25_000, (progress: SyncProgress) => {
        if (progress.waiting !== null) waited.push(progress.waiting);
      });
      expect(result.ending).toBe('settled');
      expect(result.rows.map((row) => row.state)).toEqual(['ready', 'ready']);
      expect(waited.length).toBeGreaterThan(0);
      expect(waited[0]).toMatch(/^reconcile: .*(503|unavailable).*; trying again in \d+ s$/i);
      expect(fixture.emulator.duplicateDeviceImages()).toEqual([]);
    } finally {
      clearTimeout(ends);
      fixture.emulator.clearFaults();
    }
  });

  it('that lasts past the timeout ends the run without a reconcile, nothing lost', async () => {
    const app = fastApp();
    fixture.emulator.setFaults({ service: 'graph', down: 'reset' });
    try {
      const result = await syncLocally(app, 3_000);
      expect(result).toMatchObject({ reconcile: null, ending: 'timeout', rows: [] });
    } finally {
      fixture.emulator.clearFaults();
    }
  });
});
