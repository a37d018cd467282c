import { describe, expect, it } from 'vitest';
import type { ImageScope } from '../../../src/config';
import type { SourceImage } from '../../../src/domain';
import { isInScope } from '../../../src/rules/scope';
import { sourceImage } from '../../fixtures/sourceImage';

const optIn: ImageScope = { kind: 'tag', name: 'cloudpc-sync', value: 'true' };

describe('isInScope', () => {
  it('takes an image carrying the opt-in tag', () => {
    expect(isInScope(sourceImage({ tags: { 'cloudpc-sync': 'true' } }), optIn)).toBe(true);
  });

  it('compares the tag name case-insensitively', () => {
    expect(isInScope(sourceImage({ tags: { 'CloudPC-Sync': 'true' } }), optIn)).toBe(true);
    expect(isInScope(sourceImage({ tags: { 'cloudpc-sync': 'true' } }), { kind: 'tag', name: 'CLOUDPC-SYNC', value: 'true' })).toBe(true);
  });

  it('compares the tag value case-insensitively', () => {
    expect(isInScope(sourceImage({ tags: { 'cloudpc-sync': 'TRUE' } }), optIn)).toBe(true);
    expect(isInScope(sourceImage({ tags: { 'cloudpc-sync': 'True' } }), { kind: 'tag', name: 'cloudpc-sync', value: 'tRuE' })).toBe(true);
  });

  it('ignores whitespace around the tag value', () => {
    expect(isInScope(sourceImage({ tags: { 'cloudpc-sync': ' true ' } }), optIn)).toBe(true);
  });

  it('leaves out an image whose tag has another value', () => {
    expect(isInScope(sourceImage({ tags: { 'cloudpc-sync': 'false' } }), optIn)).toBe(false);
    expect(isInScope(sourceImage({ tags: { 'cloudpc-sync': 'truex' } }), optIn)).toBe(false);
    expect(isInScope(sourceImage({ tags: { 'cloudpc-sync': '' } }), optIn)).toBe(false);
  });

  it('leaves out an image without the tag, with no tags, or with tags missing altogether', () => {
    expect(isInScope(sourceImage({ tags: { other: 'true' } }), optIn)).toBe(false);
    expect(isInScope(sourceImage({ tags: {} }), optIn)).toBe(false);
    const untagged = { ...sourceImage(), tags: null } as unknown as SourceImage;
    expect(isInScope(untagged, optIn)).toBe(false);
  });

  it('does not mistake the value for the name', () => {
    expect(isInScope(sourceImage({ tags: { true: 'cloudpc-sync' } }), optIn)).toBe(false);
  });

  it("takes every image under scope 'all', tagged or not", () => {
    expect(isInScope(sourceImage({ tags: {} }), { kind: 'all' })).toBe(true);
    expect(isInScope({ ...sourceImage(), tags: null } as unknown as SourceImage, { kind: 'all' })).toBe(true);
  });
});
