import { describe, expect, it } from 'vitest';
import type { SkipReason, SourceImage } from '../../../src/domain';
import { checkEligibility, skipFix } from '../../../src/rules/eligibility';
import { sourceImage } from '../../fixtures/sourceImage';

/** One override per rule that breaks it, in the documented precedence. */
const BREAKERS: readonly (readonly [SkipReason, Partial<SourceImage>])[] = [
  ['malformed', { hasStorageProfile: false }],
  ['not-succeeded', { provisioningState: 'Failed' }],
  ['not-windows', { osType: 'Linux' }],
  ['not-generalized', { osState: 'Specialized' }],
  ['gen1', { hyperVGeneration: 'V1' }],
  ['has-data-disks', { dataDiskCount: 1 }],
  ['disk-encryption-set', { hasDiskEncryptionSet: true }],
  ['invalid-version', { tags: { 'cloudpc-sync': 'true', 'cloudpc-version': '1.2' } }],
];

describe('checkEligibility', () => {
  it('accepts an eligible image with its displayName and version', () => {
    expect(checkEligibility(sourceImage())).toEqual({ eligible: true, displayName: 'win11-ent', version: '1.2.0' });
  });

  it.each(BREAKERS)('skips as %s', (reason, override) => {
    expect(checkEligibility(sourceImage(override))).toMatchObject({ eligible: false, reason });
  });

  it('skips as no-version when neither tag nor name has one', () => {
    expect(checkEligibility(sourceImage({ name: 'win11-ent' }))).toEqual({
      eligible: false,
      reason: 'no-version',
      displayName: 'win11-ent',
      version: null,
    });
  });

  it('reports the first broken rule in precedence order, whatever later rules are broken too', () => {
    BREAKERS.forEach(([expected], index) => {
      const alsoLater = BREAKERS.slice(index).reduce<Partial<SourceImage>>((all, [, override]) => ({ ...all, ...override }), {});
      expect(checkEligibility(sourceImage(alsoLater)), expected).toMatchObject({ eligible: false, reason: expected });
    });
  });

  it('puts no-version last', () => {
    expect(checkEligibility(sourceImage({ name: 'win11', hasDiskEncryptionSet: true }))).toMatchObject({ reason: 'disk-encryption-set' });
  });

  it('compares ARM values case-insensitively', () => {
    const shouting = sourceImage({ provisioningState: 'SUCCEEDED', osType: 'windows', osState: 'GENERALIZED', hyperVGeneration: 'v2' });
    expect(checkEligibility(shouting)).toMatchObject({ eligible: true });
  });

  it('treats a missing value as breaking its own rule, not as malformed', () => {
    expect(checkEligibility(sourceImage({ provisioningState: null }))).toMatchObject({ reason: 'not-succeeded' });
    expect(checkEligibility(sourceImage({ osType: null }))).toMatchObject({ reason: 'not-windows' });
    expect(checkEligibility(sourceImage({ osState: null }))).toMatchObject({ reason: 'not-generalized' });
    expect(checkEligibility(sourceImage({ hyperVGeneration: null }))).toMatchObject({ reason: 'gen1' });
  });

  it.each(['Creating', 'Updating', 'Deleting', 'Failed', ''])('skips provisioningState %j as not-succeeded', (provisioningState) => {
    expect(checkEligibility(sourceImage({ provisioningState }))).toMatchObject({ reason: 'not-succeeded' });
  });

  it('skips as malformed when there is no storage profile, even with everything else missing too', () => {
    const bare = sourceImage({ hasStorageProfile: false, osType: null, osState: null, hyperVGeneration: null, provisioningState: null });
    expect(checkEligibility(bare)).toMatchObject({ eligible: false, reason: 'malformed' });
  });

  it('skips as malformed an id that is not a managed-image id (the queue contract would refuse it)', () => {
    for (const id of [
      '/subscriptions/not-a-guid/resourceGroups/rg/providers/Microsoft.Compute/images/img-1.0.0',
      '/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/img-1.0.0',
      '',
    ]) {
      expect(checkEligibility(sourceImage({ id })), id).toMatchObject({ reason: 'malformed' });
    }
  });

  it('accepts the id in any casing, as other services return it', () => {
    const id =
      '/SUBSCRIPTIONS/11111111-1111-4111-8111-111111111111/resourcegroups/RG-IMAGES/providers/microsoft.compute/images/win11-ent-1.2.0';
    expect(checkEligibility(sourceImage({ id }))).toMatchObject({ eligible: true });
  });

  it('skips as malformed an unusable data disk count or an empty name', () => {
    expect(checkEligibility(sourceImage({ dataDiskCount: Number.NaN }))).toMatchObject({ reason: 'malformed' });
    expect(checkEligibility(sourceImage({ dataDiskCount: -1 }))).toMatchObject({ reason: 'malformed' });
    expect(checkEligibility(sourceImage({ name: '' }))).toMatchObject({ reason: 'malformed' });
  });

  it('still reports the naming of an ineligible image', () => {
    expect(checkEligibility(sourceImage({ hyperVGeneration: 'V1' }))).toEqual({
      eligible: false,
      reason: 'gen1',
      displayName: 'win11-ent',
      version: '1.2.0',
    });
  });

  it('applies every rule to explicit overrides too', () => {
    expect(checkEligibility(sourceImage({ name: 'img' }), { version: '4.0.0' })).toEqual({
      eligible: true,
      displayName: 'img',
      version: '4.0.0',
    });
    expect(checkEligibility(sourceImage({ name: 'img', hyperVGeneration: 'V1' }), { version: '4.0.0' })).toMatchObject({ reason: 'gen1' });
    expect(checkEligibility(sourceImage(), { version: 'four' })).toMatchObject({ reason: 'invalid-version' });
  });
});

describe('skipFix', () => {
  const image = sourceImage();

  it('tells how to give an image a version', () => {
    expect(skipFix('no-version', sourceImage({ name: 'win11' }))).toBe('tag cloudpc-version=1.2.0 or end the image name in -1.2.0');
  });

  it('names the refused version and where it came from', () => {
    const tagged = sourceImage({ tags: { 'cloudpc-version': '1.2' } });
    expect(skipFix('invalid-version', tagged)).toBe(
      'tag cloudpc-version ("1.2") is not MAJOR.MINOR.PATCH in whole numbers; tag cloudpc-version=1.2.0',
    );
    expect(skipFix('invalid-version', sourceImage({ name: 'img-99999999999.0.0' }))).toContain(
      'the version in the image name ("99999999999.0.0")',
    );
    expect(skipFix('invalid-version', image, { overrides: { version: 'x' } })).toContain('the version given ("x")');
  });

  it('names the other source image for name-version-taken', () => {
    const other =
      '/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-other/providers/Microsoft.Compute/images/win11-ent-1.2.0';
    const fix = skipFix('name-version-taken', image, { takenBy: [other] });
    expect(fix).toContain(other);
    expect(fix).toContain('displayName "win11-ent" version 1.2.0');
    expect(fix).toContain('cloudpc-version');
    expect(fix).toContain('cloudpc-display-name');
  });

  it.each([
    ['malformed', sourceImage({ hasStorageProfile: false }), /no storage profile or OS disk/],
    ['malformed', sourceImage({ id: 'bad' }), /cannot use/],
    ['not-succeeded', sourceImage({ provisioningState: 'Failed' }), /"Failed".*wait for the image to finish provisioning/],
    ['not-windows', sourceImage({ osType: 'Linux' }), /"Linux".*Windows 10\/11 Enterprise/],
    ['not-generalized', sourceImage({ osState: 'Specialized' }), /sysprep \/generalize \/oobe/],
    ['gen1', sourceImage({ hyperVGeneration: null }), /missing.*Hyper-V Generation 2/],
    ['has-data-disks', sourceImage({ dataDiskCount: 2 }), /2 data disk\(s\).*detach/],
    ['disk-encryption-set', sourceImage({ hasDiskEncryptionSet: true }), /without a disk encryption set/],
  ] as const)('gives a plain fix for %s', (reason, skipped, expected) => {
    expect(skipFix(reason, skipped)).toMatch(expected);
  });
});
