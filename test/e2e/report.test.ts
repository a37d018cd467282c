// image-sync report as an administrator runs it: the compiled binary against the run's Azurite,
// after a sync against the emulator has registered images (DESIGN §16).
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator';
import { estate, managedImage, resourceGroup, subscription } from '../../src/emulator';
import { commandSettings, runImageSync } from '../support/cliProcess';
import { startTestEmulator } from '../support/emulator';

const SUB = '99999999-9999-4999-8999-999999999999';

let emulator: Emulator | null = null;
afterEach(async () => {
  await emulator?.stop();
  emulator = null;
});

describe('image-sync report', () => {
  it('explains itself', async () => {
    const run = await runImageSync(['report', '--help'], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: image-sync report \[--json\]/);
    expect(run.stdout).toContain('From the ledger alone (no Graph or ARM call)');
  });

  it('reports the months, upload times, failures and slots of a synced tenant, as a table and as JSON, from the ledger alone', async () => {
    emulator = await startTestEmulator(
      estate({
        subscriptions: [
          subscription({
            id: SUB,
            resourceGroups: [
              resourceGroup('rg-images', [
                managedImage({ name: 'win11-ent-1.0.0', upload: { outcome: 'ready', seconds: 0.3 } }),
                managedImage({ name: 'win11-ent-1.1.0', upload: { outcome: 'ready', seconds: 0.3 } }),
                managedImage({ name: 'win10-ltsc-1.0.0', upload: { outcome: 'failed', errorCode: 'osVersionNotSupported', seconds: 0.3 } }),
              ]),
            ],
          }),
        ],
      }),
    );
    const env = commandSettings(emulator, 'report', { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB, IMAGE_SYNC_TENANT_IMAGE_LIMIT: '20' });
    const sync = await runImageSync(['sync', '--json', '--timeout', '60'], env);
    expect(sync.code).toBe(2);

    emulator.clearRequests();
    const json = await runImageSync(['report', '--json'], env);
    expect(json.code).toBe(0);
    expect(emulator.requests).toEqual([]);
    const report = JSON.parse(json.stdout) as {
      months: {
        month: string;
        registrations: number;
        ready: number;
        uploadMinutes: { measured: number; median: number | null };
        failures: Record<string, number>;
      }[];
      slots: { inUse: number; limit: number; runsOutOn: string; registrationsInPace: number };
      unmeasured: number;
    };
    const month = new Date().toISOString().slice(0, 7);
    expect(report.months).toEqual([
      {
        month,
        registrations: 3,
        ready: 2,
        uploadMinutes: { measured: 2, median: expect.any(Number), p95: expect.any(Number) },
        failures: { osVersionNotSupported: 1 },
      },
    ]);
    expect(report.unmeasured).toBe(1);
    // Three device images (the failed one counts too) of 20; three registrations today: 17 free at 3 per 90 days.
    expect(report.slots).toMatchObject({
      inUse: 3,
      limit: 20,
      registrationsInPace: 3,
      runsOutOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });

    const table = await runImageSync(['report'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^MONTH\s+REGISTRATIONS\s+READY\s+UPLOAD MEDIAN\s+UPLOAD P95\s+MEASURED\s+FAILURES/);
    expect(table.stdout).toContain('osVersionNotSupported 1');
    expect(table.stdout).toMatch(
      /Slots: 3 of 20 in use \(as of the last reconcile, .*\)\.\nAt the last 90 days' pace \(3 registration\(s\), 3 of them taking a new slot; retention off\), the tenant runs out of room on \d{4}-\d{2}-\d{2}\./,
    );
  });

  it('says the slots are not counted yet on a ledger no reconcile has written', async () => {
    emulator = await startTestEmulator(estate({ subscriptions: [subscription({ id: SUB })] }));
    const env = commandSettings(emulator, 'report-empty', { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB });
    const run = await runImageSync(['report'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('No registration in the ledger yet.');
    expect(run.stdout).toContain('Slots: not counted yet (of 20)');
  });
});
