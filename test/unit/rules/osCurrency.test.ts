import { describe, expect, it } from 'vitest';
import type { WindowsRelease } from '../../../src/domain';
import { buildAndRevision, editionOf, editionSupport, judgeBuild, monthName } from '../../../src/rules/osCurrency';

/** A release with updates given as [buildVersion, year, month]. */
function release(
  id: string,
  updates: readonly (readonly [string, number | null, number | null])[],
  editions: WindowsRelease['editions'] = [],
): WindowsRelease {
  return {
    id,
    editions,
    updates: updates.map(([buildVersion, releaseYear, releaseMonth]) => ({ buildVersion, releaseYear, releaseMonth })),
  };
}

const WIN11_24H2 = release(
  'Windows 11 24H2',
  [
    ['26100.4946', 2026, 8],
    ['26100.4652', 2026, 7],
    ['26100.4349', 2026, 6],
  ],
  [
    { editionType: 'enterprise', supportEndDate: '2027-10-12' },
    { editionType: 'professional', supportEndDate: '2026-10-13' },
  ],
);
const WIN11_23H2 = release('Windows 11 23H2', [
  ['10.0.22631.5768', 2026, 8],
  ['10.0.22631.5624', 2026, 7],
  ['10.0.22631.5472', 2026, 6],
]);

describe('buildAndRevision', () => {
  it('reads the last two numbers, with or without the 10.0 prefix', () => {
    expect(buildAndRevision('10.0.26100.4652')).toEqual({ build: 26100, revision: 4652 });
    expect(buildAndRevision('26100.4946')).toEqual({ build: 26100, revision: 4946 });
    expect(buildAndRevision(' 26100.4946 ')).toEqual({ build: 26100, revision: 4946 });
  });

  it('refuses what is not dot-separated numbers ending in a build and a revision', () => {
    for (const malformed of ['', '26100', '24H2', '10.0.26100.x', '10..26100.1', '26100.4946-beta', '1.2.3.4.5', 'v10.0.26100.1'])
      expect(buildAndRevision(malformed), malformed).toBeNull();
  });
});

describe('judgeBuild: matching and patch lag by release month (DESIGN §16)', () => {
  it('matches 10.0.26100.4652 to the release whose updates are 26100.* and counts one newer month', () => {
    const found = judgeBuild('10.0.26100.4652', [WIN11_23H2, WIN11_24H2]);
    expect(found).toMatchObject({ kind: 'judged', latestBuild: '26100.4946', latestMonth: { year: 2026, month: 8 }, patchLag: 1 });
    if (found.kind === 'judged') expect(found.release.id).toBe('Windows 11 24H2');
  });

  it('is current (lag 0) on the newest listed build, and writes latestBuild as the catalogue writes it', () => {
    expect(judgeBuild('26100.4946', [WIN11_24H2])).toMatchObject({ kind: 'judged', patchLag: 0, latestBuild: '26100.4946' });
    expect(judgeBuild('10.0.22631.5768', [WIN11_23H2])).toMatchObject({ kind: 'judged', patchLag: 0, latestBuild: '10.0.22631.5768' });
  });

  it('counts every listed month for an image older than every listed update', () => {
    expect(judgeBuild('10.0.26100.3000', [WIN11_24H2])).toMatchObject({ kind: 'judged', patchLag: 3 });
  });

  it('counts distinct release months, not updates (an out-of-band update shares its month)', () => {
    const withOutOfBand = release('Windows 11 24H2', [
      ['26100.4946', 2026, 8],
      ['26100.4770', 2026, 7],
      ['26100.4652', 2026, 7],
      ['26100.4349', 2026, 6],
    ]);
    expect(judgeBuild('10.0.26100.4349', [withOutOfBand])).toMatchObject({ patchLag: 2 });
  });

  it('compares revisions as numbers, across a year boundary', () => {
    const yearEnd = release('Windows 11 24H2', [
      ['26100.10001', 2027, 1],
      ['26100.9999', 2026, 12],
      ['26100.998', 2026, 11],
    ]);
    expect(judgeBuild('10.0.26100.999', [yearEnd])).toMatchObject({
      patchLag: 2,
      latestBuild: '26100.10001',
      latestMonth: { year: 2027, month: 1 },
    });
  });

  it('says why when the image has no osVersionNumber, or an unreadable one', () => {
    expect(judgeBuild(null, [WIN11_24H2])).toEqual({ kind: 'unknown', reason: 'Graph gives the device image no osVersionNumber' });
    expect(judgeBuild('24H2', [WIN11_24H2])).toMatchObject({
      kind: 'unknown',
      reason: expect.stringContaining('"24H2" is not a Windows build'),
    });
  });

  it('says why when no release lists the build, or the catalogue is empty', () => {
    expect(judgeBuild('10.0.19045.5011', [WIN11_24H2, WIN11_23H2])).toMatchObject({
      kind: 'unknown',
      reason: 'no release in the Windows release catalogue lists updates of build 19045',
    });
    expect(judgeBuild('10.0.26100.4652', [])).toEqual({ kind: 'unknown', reason: 'the Windows release catalogue lists no release' });
  });

  it('ignores updates with a malformed buildVersion or month, and says so when nothing usable is left', () => {
    const odd = release('Windows 11 24H2', [
      ['26100.x', 2026, 8],
      ['', 2026, 8],
      ['26100.4946', 2026, 13],
      ['26100.4800', null, 7],
      ['26100.4652', 2026, 7],
    ]);
    expect(judgeBuild('10.0.26100.4349', [odd])).toMatchObject({ kind: 'judged', patchLag: 1, latestBuild: '26100.4652' });
    const allOdd = release('Windows 11 24H2', [
      ['26100.x', 2026, 8],
      ['26100.4946', 2026, 0],
    ]);
    expect(judgeBuild('10.0.26100.4349', [allOdd])).toMatchObject({
      kind: 'unknown',
      reason: expect.stringContaining('2 listed updates with an unreadable buildVersion or month ignored'),
    });
  });
});

describe('editions', () => {
  it('maps the operating system to the catalogue edition', () => {
    expect(editionOf('Windows 11 Enterprise')).toBe('enterprise');
    expect(editionOf('Windows 10 Pro')).toBe('professional');
    expect(editionOf('windows 11 professional')).toBe('professional');
    expect(editionOf('Windows 11 Enterprise multi-session')).toBe('enterprisemultisession');
    expect(editionOf('Windows 11')).toBeNull();
    expect(editionOf('Ubuntu 24.04')).toBeNull();
    expect(editionOf(null)).toBeNull();
  });

  it("finds the edition's support end, or says why not", () => {
    expect(editionSupport('Windows 11 Pro', WIN11_24H2)).toEqual({
      kind: 'found',
      editionType: 'professional',
      supportEndDate: '2026-10-13',
    });
    expect(editionSupport('Windows 11 Education', WIN11_24H2)).toEqual({
      kind: 'unknown',
      reason: 'Windows 11 24H2 lists no edition "education"',
    });
    expect(editionSupport('Windows', WIN11_24H2)).toMatchObject({
      kind: 'unknown',
      reason: expect.stringContaining('names no Windows edition'),
    });
    const noDate = release('Windows 11 24H2', [], [{ editionType: 'enterprise', supportEndDate: 'soon' }]);
    expect(editionSupport('Windows 11 Enterprise', noDate)).toMatchObject({
      kind: 'unknown',
      reason: expect.stringContaining('no readable supportEndDate'),
    });
  });

  it('names months in words', () => {
    expect(monthName({ year: 2026, month: 8 })).toBe('August 2026');
  });
});
