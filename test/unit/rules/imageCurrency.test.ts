import { describe, expect, it } from 'vitest';
import type { LedgerRow, WindowsRelease } from '../../../src/domain';
import {
  type CatalogueReading,
  behindImages,
  judgeCurrency,
  needsCatalogue,
  newestReadyPerDisplayName,
} from '../../../src/rules/imageCurrency';
import { warningsOf } from '../../../src/rules/warnings';
import { deviceImage } from '../../fixtures/deviceImage';
import { ledgerRow } from '../../fixtures/ledgerRow';
import { sourceImageId } from '../../fixtures/sourceImage';

const NOW = new Date('2026-09-01T08:00:00Z');
const SETTINGS = { maxPatchLag: 1, expiryWarningDays: 30 };

const WIN11_24H2: WindowsRelease = {
  id: 'Windows 11 24H2',
  editions: [
    { editionType: 'enterprise', supportEndDate: '2027-10-12' },
    { editionType: 'professional', supportEndDate: '2026-09-15' },
  ],
  updates: [
    { buildVersion: '26100.4946', releaseYear: 2026, releaseMonth: 8 },
    { buildVersion: '26100.4652', releaseYear: 2026, releaseMonth: 7 },
    { buildVersion: '26100.4349', releaseYear: 2026, releaseMonth: 6 },
  ],
};
const LISTED: CatalogueReading = { kind: 'listed', releases: [WIN11_24H2] };

/** A ready registration of win11-ent at a version, with its device image id derived from the version. */
function registration(version: string, overrides: Partial<LedgerRow> = {}): LedgerRow {
  return ledgerRow({
    sourceImageResourceId: sourceImageId(`win11-ent-${version}`),
    version,
    deviceImageId: `00000000-0000-4000-8000-${version.replace(/\./g, '').padStart(12, '0')}`,
    readyAt: '2026-08-01T00:00:00.000Z',
    operatingSystem: 'Windows 11 Enterprise',
    ...overrides,
  });
}

function imageOf(row: LedgerRow, osVersionNumber: string | null, operatingSystem = 'Windows 11 Enterprise') {
  return deviceImage({ id: row.deviceImageId ?? '', version: row.version ?? '', osVersionNumber, operatingSystem });
}

describe('which registrations are judged', () => {
  it('judges the newest ready version per display name, by version, case-insensitively', () => {
    const rows = [
      registration('1.9.0'),
      registration('1.10.0', { displayName: 'WIN11-ENT' }),
      registration('2.0.0', { state: 'pending' }),
      registration('1.0.0', { displayName: 'kiosk' }),
    ];
    expect(newestReadyPerDisplayName(rows).map((row) => row.version)).toEqual(['1.10.0', '1.0.0']);
  });

  it('needs the catalogue only with a ready registration and the setting on', () => {
    expect(needsCatalogue([registration('1.0.0')], 1)).toBe(true);
    expect(needsCatalogue([registration('1.0.0', { state: 'pending' }), registration('1.1.0', { state: 'failed' })], 1)).toBe(false);
    expect(needsCatalogue([], 1)).toBe(false);
    expect(needsCatalogue([registration('1.0.0')], null)).toBe(false);
  });
});

describe('judgeCurrency', () => {
  it('records build, latest build and lag; warns os-update-behind above IMAGE_SYNC_MAX_PATCH_LAG, once, with a rebuild request', () => {
    const row = registration('1.3.0');
    const [action] = judgeCurrency([row], [imageOf(row, '10.0.26100.4349')], LISTED, SETTINGS, NOW);
    expect(action?.change).toMatchObject({ osVersionNumber: '10.0.26100.4349', latestBuild: '26100.4946', patchLag: 2 });
    expect(action?.alerts.map((warning) => warning.code)).toEqual(['os-update-behind']);
    expect(action?.alerts[0]?.text).toBe(
      'a newer quality update, build 26100.4946 of August 2026, is available: rebuild the image (it has 10.0.26100.4349, 2 Patch Tuesdays behind) and register it as a new version',
    );
    expect(action?.rebuild).toEqual({
      displayName: 'win11-ent',
      version: '1.3.0',
      sourceImageResourceId: row.sourceImageResourceId,
      osVersionNumber: '10.0.26100.4349',
      latestBuild: '26100.4946',
      patchLag: 2,
    });
    expect(action?.change.alertedCurrency).toEqual(['os-update-behind@26100.4946']);
    expect(action?.change.alertedWarnings).toEqual(['os-update-behind']);

    // Written: the next reconcile changes nothing and alerts nothing; status shows the warning.
    const written: LedgerRow = { ...row, ...action?.change };
    expect(judgeCurrency([written], [imageOf(row, '10.0.26100.4349')], LISTED, SETTINGS, NOW)).toEqual([]);
    expect(warningsOf(written, NOW, 30).map((warning) => warning.code)).toEqual(['os-update-behind']);
  });

  it('alerts again, with a new rebuild request, when a newer build is listed', () => {
    const row = registration('1.3.0', {
      osVersionNumber: '10.0.26100.4349',
      latestBuild: '26100.4946',
      patchLag: 2,
      alertedCurrency: ['os-update-behind@26100.4946'],
      alertedWarnings: ['os-update-behind'],
    });
    const september: WindowsRelease = {
      ...WIN11_24H2,
      updates: [{ buildVersion: '26100.5074', releaseYear: 2026, releaseMonth: 9 }, ...WIN11_24H2.updates.slice(0, 2)],
    };
    const [action] = judgeCurrency([row], [imageOf(row, '10.0.26100.4349')], { kind: 'listed', releases: [september] }, SETTINGS, NOW);
    expect(action?.change).toMatchObject({ latestBuild: '26100.5074', patchLag: 3 });
    expect(action?.alerts.map((warning) => warning.code)).toEqual(['os-update-behind']);
    expect(action?.rebuild?.latestBuild).toBe('26100.5074');
    expect(action?.change.alertedCurrency).toEqual(['os-update-behind@26100.4946', 'os-update-behind@26100.5074']);
    expect(action?.change.alertedWarnings).toBeUndefined();
  });

  it('does not warn at or below the setting, and judges 0 as "any newer update"', () => {
    const row = registration('1.3.0');
    const [oneBehind] = judgeCurrency([row], [imageOf(row, '10.0.26100.4652')], LISTED, SETTINGS, NOW);
    expect(oneBehind?.change).toMatchObject({ patchLag: 1 });
    expect(oneBehind?.alerts).toEqual([]);
    expect(oneBehind?.rebuild).toBeNull();
    const [strict] = judgeCurrency([row], [imageOf(row, '10.0.26100.4652')], LISTED, { ...SETTINGS, maxPatchLag: 0 }, NOW);
    expect(strict?.alerts.map((warning) => warning.code)).toEqual(['os-update-behind']);
  });

  it("warns edition-support-ending when the edition's support ends within IMAGE_SYNC_EXPIRY_WARNING_DAYS, without a rebuild", () => {
    const row = registration('1.3.0');
    const [action] = judgeCurrency([row], [imageOf(row, '10.0.26100.4946', 'Windows 11 Pro')], LISTED, SETTINGS, NOW);
    expect(action?.change).toMatchObject({ patchLag: 0 });
    expect(action?.alerts.map((warning) => warning.text)).toEqual([
      'support for Windows 11 24H2 professional ends on 2026-09-15 (in 14 days): build the next version on a supported Windows release and point provisioning policies at it',
    ]);
    expect(action?.rebuild).toBeNull();
    const [enterprise] = judgeCurrency([row], [imageOf(row, '10.0.26100.4946')], LISTED, SETTINGS, NOW);
    expect(enterprise?.alerts).toEqual([]);
  });

  it('leaves older ready versions unjudged (null), clearing what an earlier reconcile wrote', () => {
    const older = registration('1.2.0', {
      latestBuild: '26100.4946',
      patchLag: 2,
      currencyWarnings: [{ code: 'os-update-behind', text: 'x' }],
    });
    const newest = registration('1.3.0');
    const actions = judgeCurrency(
      [older, newest],
      [imageOf(older, '10.0.26100.4349'), imageOf(newest, '10.0.26100.4946')],
      LISTED,
      SETTINGS,
      NOW,
    );
    const ofOlder = actions.find((action) => action.row === older);
    expect(ofOlder?.change).toEqual({ osVersionNumber: '10.0.26100.4349', latestBuild: null, patchLag: null, currencyWarnings: [] });
    expect(ofOlder?.alerts).toEqual([]);
  });

  describe('bad input: no warning, no crash, latestBuild null and the reason for the log', () => {
    const row = registration('1.3.0', { latestBuild: '26100.4946', patchLag: 2 });
    const cases: readonly [string, string | null, string, CatalogueReading, string][] = [
      ['a device image without osVersionNumber', null, 'Windows 11 Enterprise', LISTED, 'no osVersionNumber'],
      ['a malformed osVersionNumber', '24H2', 'Windows 11 Enterprise', LISTED, 'is not a Windows build'],
      ['a build no catalogue entry knows', '10.0.19045.5011', 'Windows 10 Enterprise', LISTED, 'lists updates of build 19045'],
      [
        'malformed buildVersion values only',
        '10.0.26100.4349',
        'Windows 11 Enterprise',
        { kind: 'listed', releases: [{ ...WIN11_24H2, updates: [{ buildVersion: 'latest', releaseYear: 2026, releaseMonth: 8 }] }] },
        'unreadable buildVersion',
      ],
      ['an empty catalogue', '10.0.26100.4349', 'Windows 11 Enterprise', { kind: 'listed', releases: [] }, 'lists no release'],
      [
        'a failing catalogue',
        '10.0.26100.4349',
        'Windows 11 Enterprise',
        { kind: 'unavailable', reason: 'the catalogue could not be read' },
        'could not be read',
      ],
    ];
    for (const [what, osVersionNumber, operatingSystem, reading, reason] of cases) {
      it(what, () => {
        const [action] = judgeCurrency([row], [imageOf(row, osVersionNumber, operatingSystem)], reading, SETTINGS, NOW);
        expect(action?.change).toMatchObject({ latestBuild: null, patchLag: null });
        expect(action?.alerts).toEqual([]);
        expect(action?.rebuild).toBeNull();
        expect(action?.unknown.join('; ')).toContain(reason);
      });
    }

    it('an edition name that maps to nothing: the lag is judged, the edition is not, and the reason is given', () => {
      const [action] = judgeCurrency([row], [imageOf(row, '10.0.26100.4946', 'Windows 11 IoT Enterprise LTSC')], LISTED, SETTINGS, NOW);
      expect(action?.change).toMatchObject({ patchLag: 0 });
      expect(action?.alerts).toEqual([]);
      expect(action?.unknown).toEqual(['Windows 11 24H2 lists no edition "iotenterpriseltsc"']);
    });
  });

  it('with IMAGE_SYNC_MAX_PATCH_LAG=off judges nothing, and clears what was judged before', () => {
    const row = registration('1.3.0', { osVersionNumber: '10.0.26100.4349', latestBuild: '26100.4946', patchLag: 2 });
    const [action] = judgeCurrency([row], [imageOf(row, '10.0.26100.4349')], { kind: 'off' }, SETTINGS, NOW);
    expect(action?.change).toEqual({ latestBuild: null, patchLag: null });
    expect(action?.unknown).toEqual([]);
  });

  it('judges from what the row kept of Graph when the listing does not have the image (sync, before it exits)', () => {
    const row = registration('1.3.0', { osVersionNumber: '10.0.26100.4349', operatingSystem: 'Windows 11 Pro' });
    const [action] = judgeCurrency([row], [], LISTED, SETTINGS, NOW);
    expect(action?.change).toMatchObject({ latestBuild: '26100.4946', patchLag: 2 });
    expect(action?.alerts.map((warning) => warning.code)).toEqual(['os-update-behind', 'edition-support-ending']);
  });

  it("recovers the ready time of an earlier release's row from Graph's lastModifiedDateTime, once", () => {
    const row = registration('1.3.0', { readyAt: null, osVersionNumber: '10.0.26100.4946' });
    const image = { ...imageOf(row, '10.0.26100.4946'), lastModifiedDateTime: '2026-08-20T10:00:00Z' };
    const [action] = judgeCurrency([row], [image], { kind: 'off' }, SETTINGS, NOW);
    expect(action?.change).toEqual({ readyAt: '2026-08-20T10:00:00Z' });
    expect(judgeCurrency([{ ...row, readyAt: '2026-08-20T10:00:00Z' }], [image], { kind: 'off' }, SETTINGS, NOW)).toEqual([]);
  });
});

describe('behindImages (plan)', () => {
  it('lists the judged ready registrations above the setting, most behind first; nothing with off', () => {
    const rows = [
      registration('1.0.0', { displayName: 'a', latestBuild: '26100.4946', patchLag: 1 }),
      registration('1.1.0', { displayName: 'b', latestBuild: '26100.4946', patchLag: 2, osVersionNumber: '10.0.26100.4349' }),
      registration('1.2.0', { displayName: 'c', latestBuild: '26100.4946', patchLag: 3 }),
      registration('1.3.0', { displayName: 'd', latestBuild: null, patchLag: null }),
      registration('1.4.0', { displayName: 'e', latestBuild: '26100.4946', patchLag: 3, state: 'retired' }),
    ];
    expect(behindImages(rows, 1).map((image) => [image.displayName, image.patchLag])).toEqual([
      ['c', 3],
      ['b', 2],
    ]);
    expect(behindImages(rows, 1)[1]).toMatchObject({ osVersionNumber: '10.0.26100.4349', latestBuild: '26100.4946' });
    expect(behindImages(rows, null)).toEqual([]);
  });
});
