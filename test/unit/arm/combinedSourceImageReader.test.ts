import { describe, expect, it } from 'vitest';
import { combineSourceImageReaders, mergeListings } from '../../../src/arm/combinedSourceImageReader';
import type { SourceImage } from '../../../src/domain';
import type { SourceImageReader, SubscriptionListing } from '../../../src/ports';
import { gallerySourceImage } from '../../fixtures/gallerySourceImage';
import { sourceImage } from '../../fixtures/sourceImage';

const A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

describe('mergeListings', () => {
  it('lists both kinds of source and reports a subscription that failed in both once, with both details', () => {
    const managed: SubscriptionListing = {
      images: [sourceImage()],
      listed: 5,
      unreadable: [{ subscriptionId: A, detail: 'images: 403' }],
      unavailable: [{ subscriptionId: B, detail: 'images: 503' }],
    };
    const gallery: SubscriptionListing = {
      images: [gallerySourceImage()],
      listed: 1,
      unreadable: [
        { subscriptionId: A.toUpperCase(), detail: 'galleries: 403' },
        { subscriptionId: B, detail: 'galleries: 403' },
      ],
      unavailable: [],
    };
    expect(mergeListings(managed, gallery)).toEqual({
      images: [sourceImage(), gallerySourceImage()],
      listed: 6,
      unreadable: [
        { subscriptionId: A, detail: 'images: 403; galleries: 403' },
        { subscriptionId: B, detail: 'galleries: 403' },
      ],
      // Unreadable (a problem to fix) says more than unavailable (tried again) about one subscription.
      unavailable: [],
    });
  });
});

/** A reader that answers from a list: the port, not an SDK client. */
function readerOf(sources: readonly SourceImage[], calls: string[]): SourceImageReader {
  return {
    listAll: async () => ({ images: sources, listed: sources.length, unreadable: [], unavailable: [] }),
    get: async (id) => {
      calls.push(id);
      return sources.find((source) => source.id.toLowerCase() === id.toLowerCase()) ?? null;
    },
  };
}

describe('combineSourceImageReaders', () => {
  it('reads one source through the reader of its kind', async () => {
    const managedCalls: string[] = [];
    const galleryCalls: string[] = [];
    const reader = combineSourceImageReaders(readerOf([sourceImage()], managedCalls), readerOf([gallerySourceImage()], galleryCalls));
    expect(await reader.get(gallerySourceImage().id)).toEqual(gallerySourceImage());
    expect(await reader.get(sourceImage().id)).toEqual(sourceImage());
    expect(managedCalls).toEqual([sourceImage().id]);
    expect(galleryCalls).toEqual([gallerySourceImage().id]);
    expect((await reader.listAll()).images).toEqual([sourceImage(), gallerySourceImage()]);
  });

  it('is the managed-image reader itself when gallery sources are off', () => {
    const managed = readerOf([sourceImage()], []);
    expect(combineSourceImageReaders(managed, null)).toBe(managed);
  });
});
