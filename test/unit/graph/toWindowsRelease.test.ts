import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PermanentError } from '../../../src/errors';
import { toWindowsRelease } from '../../../src/graph/windowsReleaseCatalogue';
import { judgeBuild } from '../../../src/rules/osCurrency';

const EXAMPLE = path.resolve(__dirname, '../../fixtures/api/managedDeviceWindowsOSImages-list.json');

describe('toWindowsRelease', () => {
  it("reads the documented example (the repository's copy in test/fixtures/api) and matches a build against it", () => {
    const page = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as { value: unknown[] };
    const releases = page.value.map(toWindowsRelease);
    expect(releases).toEqual([
      {
        id: 'Windows 11 24H2',
        editions: [
          { editionType: 'enterprise', supportEndDate: '2027-10-12' },
          { editionType: 'professional', supportEndDate: '2026-10-13' },
        ],
        updates: [
          { buildVersion: '26100.4946', releaseMonth: 8, releaseYear: 2026 },
          { buildVersion: '26100.4652', releaseMonth: 7, releaseYear: 2026 },
          { buildVersion: '26100.4349', releaseMonth: 6, releaseYear: 2026 },
        ],
      },
    ]);
    expect(judgeBuild('10.0.26100.4652', releases)).toMatchObject({ kind: 'judged', latestBuild: '26100.4946', patchLag: 1 });
  });

  it('keeps odd editions and updates for the rules to judge, dropping only an edition without a type', () => {
    expect(
      toWindowsRelease({
        id: 'Windows 11 25H2',
        supportedEditions: [{ editionType: null, supportEndDate: '2028-10-10' }, { editionType: 'enterprise' }],
        availableUpdates: [{ buildVersion: 26200.1, releaseMonth: '9', releaseYear: 2026 }, {}],
      }),
    ).toEqual({
      id: 'Windows 11 25H2',
      editions: [{ editionType: 'enterprise', supportEndDate: null }],
      updates: [
        { buildVersion: '', releaseMonth: null, releaseYear: 2026 },
        { buildVersion: '', releaseMonth: null, releaseYear: null },
      ],
    });
    expect(toWindowsRelease({ id: 'Windows 11 24H2', supportedEditions: null })).toEqual({
      id: 'Windows 11 24H2',
      editions: [],
      updates: [],
    });
  });

  it('refuses an entry without an id, naming the field', () => {
    expect(() => toWindowsRelease({ availableUpdates: [] })).toThrow(PermanentError);
    expect(() => toWindowsRelease({ availableUpdates: [] })).toThrow(/id/);
  });
});
