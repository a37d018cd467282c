import { describe, expect, it } from 'vitest';
import type { SourceImage } from '../../../src/domain';
import { nameImage, parseVersion, splitVersionSuffix } from '../../../src/rules/naming';
import { sourceImage } from '../../fixtures/sourceImage';

function named(name: string, tags: Record<string, string> = {}): ReturnType<typeof nameImage> {
  return nameImage(sourceImage({ name, tags: { 'cloudpc-sync': 'true', ...tags } }));
}

describe('nameImage: from the image name', () => {
  it.each([
    ['win11-ent-1.2.0', 'win11-ent', '1.2.0'],
    ['img_v2.0.1', 'img', '2.0.1'],
    ['img.3.4.5', 'img', '3.4.5'],
    ['win11-ent-v1.2.0', 'win11-ent', '1.2.0'],
    ['win11-ent-V1.2.0', 'win11-ent', '1.2.0'],
    ['win11.1.2.3', 'win11', '1.2.3'],
    ['win11-23h2_10.0.1', 'win11-23h2', '10.0.1'],
    ['win11--1.2.0', 'win11-', '1.2.0'],
    ['a-0.0.0', 'a', '0.0.0'],
  ])('%s → %s %s', (name, displayName, version) => {
    expect(named(name)).toMatchObject({ ok: true, displayName, version, versionSource: 'name' });
  });

  it('drops leading zeros from each part, so one version has one spelling', () => {
    expect(named('win11-2024.05.01')).toMatchObject({ ok: true, displayName: 'win11', version: '2024.5.1' });
    expect(named('win11-01.002.0000')).toMatchObject({ ok: true, version: '1.2.0' });
  });

  it('finds no version in a name without a separated MAJOR.MINOR.PATCH suffix', () => {
    for (const name of ['win11-ent', 'win11-ent-1.2', 'win11-ent1.2.0', 'win11-ent-1.2.0-beta', 'win11-ent-1.2.x', 'win11-ent-v']) {
      expect(named(name), name).toEqual({ ok: false, reason: 'no-version', displayName: name, rejectedVersion: null, versionSource: null });
    }
  });

  it('finds no version in a four-part dotted suffix rather than guessing which three parts are meant', () => {
    expect(named('win11-1.2.3.4')).toMatchObject({ ok: false, reason: 'no-version', displayName: 'win11-1.2.3.4' });
    expect(named('win11-v1.2.3.4')).toMatchObject({ ok: false, reason: 'no-version' });
  });

  it('finds no version in a name that is only a version (nothing precedes a separator)', () => {
    expect(named('1.2.0')).toMatchObject({ ok: false, reason: 'no-version', displayName: '1.2.0' });
    expect(named('v1.2.0')).toMatchObject({ ok: false, reason: 'no-version', displayName: 'v1.2.0' });
  });

  it('refuses a name suffix whose parts are too large for Graph', () => {
    expect(named('win11-99999999999.0.0')).toEqual({
      ok: false,
      reason: 'invalid-version',
      displayName: 'win11',
      rejectedVersion: '99999999999.0.0',
      versionSource: 'name',
    });
    expect(named('win11-2147483647.0.0')).toMatchObject({ ok: true, version: '2147483647.0.0' });
  });
});

describe('nameImage: from tags', () => {
  it('takes the version from cloudpc-version, and strips the name suffix for the display name', () => {
    expect(named('win11-ent-1.2.0', { 'cloudpc-version': '1.3.0' })).toEqual({
      ok: true,
      displayName: 'win11-ent',
      version: '1.3.0',
      versionSource: 'tag',
    });
  });

  it('keeps the whole name as display name when only the tag carries a version', () => {
    expect(named('win11-ent', { 'cloudpc-version': '1.3.0' })).toMatchObject({ ok: true, displayName: 'win11-ent', version: '1.3.0' });
    expect(named('1.2.0', { 'cloudpc-version': '1.2.0' })).toMatchObject({ ok: true, displayName: '1.2.0', version: '1.2.0' });
  });

  it('takes the display name from cloudpc-display-name', () => {
    expect(named('win11-ent-1.2.0', { 'cloudpc-display-name': 'Windows 11 Finance' })).toMatchObject({
      ok: true,
      displayName: 'Windows 11 Finance',
      version: '1.2.0',
    });
  });

  it('reads tag names case-insensitively', () => {
    expect(named('base', { 'CloudPC-Display-Name': 'Finance', 'CLOUDPC-VERSION': '2.0.0' })).toMatchObject({
      ok: true,
      displayName: 'Finance',
      version: '2.0.0',
    });
  });

  it('keeps unicode, quotes and inner spaces of the display name tag exactly', () => {
    for (const displayName of ['Windows 11 — Überprüfung', '"Finance" image', "O'Brien's  desk", '財務部 画像', '🖥️ dev']) {
      expect(named('img-1.0.0', { 'cloudpc-display-name': displayName })).toMatchObject({ ok: true, displayName });
    }
  });

  it('trims whitespace around tag values', () => {
    expect(named('img', { 'cloudpc-display-name': '  Finance  ', 'cloudpc-version': ' 1.2.0\t' })).toMatchObject({
      ok: true,
      displayName: 'Finance',
      version: '1.2.0',
    });
  });

  it('falls back to the name-derived display name when the display name tag is empty or blank', () => {
    expect(named('win11-ent-1.2.0', { 'cloudpc-display-name': '' })).toMatchObject({ ok: true, displayName: 'win11-ent' });
    expect(named('win11-ent-1.2.0', { 'cloudpc-display-name': '   ' })).toMatchObject({ ok: true, displayName: 'win11-ent' });
  });

  it('treats an empty or blank version tag as absent', () => {
    expect(named('win11-ent-1.2.0', { 'cloudpc-version': '' })).toMatchObject({ ok: true, version: '1.2.0', versionSource: 'name' });
    expect(named('win11-ent', { 'cloudpc-version': ' ' })).toMatchObject({ ok: false, reason: 'no-version' });
  });

  it('accepts a leading v in the version tag, as in a name', () => {
    expect(named('img', { 'cloudpc-version': 'v1.2.0' })).toMatchObject({ ok: true, version: '1.2.0' });
  });

  it('drops leading zeros in the version tag', () => {
    expect(named('img', { 'cloudpc-version': '01.02.03' })).toMatchObject({ ok: true, version: '1.2.3' });
  });

  it.each(['1.2', '1.2.0.0', '1.2.x', '1.2.0-beta', 'latest', '1..2', '1.2. 0', '-1.2.0', '1,2,0', '１.２.０', 'vv1.2.0'])(
    'refuses the version tag %j as invalid-version, even when the name has a good version',
    (version) => {
      expect(named('win11-ent-1.2.0', { 'cloudpc-version': version })).toEqual({
        ok: false,
        reason: 'invalid-version',
        displayName: 'win11-ent',
        rejectedVersion: version.trim(),
        versionSource: 'tag',
      });
    },
  );

  it('passes a very long display name through: Graph documents no limit', () => {
    const long = 'x'.repeat(256);
    expect(named('img-1.0.0', { 'cloudpc-display-name': long })).toMatchObject({ ok: true, displayName: long });
    const longName = `${'n'.repeat(74)}-1.0.0`;
    expect(named(longName)).toMatchObject({ ok: true, displayName: 'n'.repeat(74), version: '1.0.0' });
  });

  it('reads an image whose tags are missing altogether', () => {
    const untagged = { ...sourceImage({ name: 'win11-ent-1.2.0' }), tags: null } as unknown as SourceImage;
    expect(nameImage(untagged)).toMatchObject({ ok: true, displayName: 'win11-ent', version: '1.2.0' });
  });
});

describe('nameImage: explicit overrides', () => {
  it('lets given values win over tags and name', () => {
    const image = sourceImage({ name: 'win11-ent-1.2.0', tags: { 'cloudpc-display-name': 'Tagged', 'cloudpc-version': '9.9.9' } });
    expect(nameImage(image, { displayName: 'Given', version: '3.0.0' })).toEqual({
      ok: true,
      displayName: 'Given',
      version: '3.0.0',
      versionSource: 'override',
    });
  });

  it('refuses a bad given version as invalid-version', () => {
    expect(nameImage(sourceImage(), { version: '3.0' })).toMatchObject({
      ok: false,
      reason: 'invalid-version',
      rejectedVersion: '3.0',
      versionSource: 'override',
    });
  });

  it('ignores blank overrides', () => {
    expect(nameImage(sourceImage(), { displayName: ' ', version: '' })).toMatchObject({
      ok: true,
      displayName: 'win11-ent',
      version: '1.2.0',
      versionSource: 'name',
    });
  });
});

describe('parseVersion and splitVersionSuffix', () => {
  it('canonicalises versions and refuses anything else', () => {
    expect(parseVersion('1.2.0')).toBe('1.2.0');
    expect(parseVersion(' V007.0.10 ')).toBe('7.0.10');
    expect(parseVersion('1.2')).toBeNull();
    expect(parseVersion('2147483648.0.0')).toBeNull();
  });

  it('splits the suffix and says what was written', () => {
    expect(splitVersionSuffix('img_v02.0.1')).toEqual({ base: 'img', text: 'v02.0.1', version: '2.0.1' });
    expect(splitVersionSuffix('img')).toBeNull();
  });
});
