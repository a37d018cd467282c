import { describe, expect, it } from 'vitest';
import { copiesToRemove } from '../../../src/rules/galleryCopySweep';
import { asRegistrations, isDirectShapeRefusal, postedSourceId, postedToSource } from '../../../src/rules/postedSource';
import type { GallerySettings } from '../../../src/config';
import type { LedgerState } from '../../../src/domain';

const SUB = '11111111-1111-4111-8111-111111111111';
const version = (v: string) =>
  `/subscriptions/${SUB}/resourceGroups/rg-gallery/providers/Microsoft.Compute/galleries/gal/images/win11-gold/versions/${v}`;
const copy: GallerySettings = {
  mode: 'copy',
  stagingResourceGroup: { id: `/subscriptions/${SUB}/resourceGroups/rg-cloudpc-staging`, subscriptionId: SUB, name: 'rg-cloudpc-staging' },
};
const row = (id: string, state: LedgerState) => ({ sourceImageResourceId: id, state });

describe('copiesToRemove', () => {
  it('removes the copies of settled registrations and of versions with no row, once each', () => {
    const copies = [
      { copyOf: version('1.0.0') },
      { copyOf: version('1.0.0') },
      { copyOf: version('1.1.0') },
      { copyOf: version('1.2.0') },
      { copyOf: version('1.3.0') },
      { copyOf: version('1.4.0') },
    ];
    const ledger = [
      row(version('1.0.0'), 'ready'),
      row(version('1.1.0'), 'failed'),
      row(version('1.2.0'), 'retired'),
      row(version('1.3.0'), 'skipped'),
    ];
    expect(copiesToRemove(copies, ledger)).toEqual([
      version('1.0.0'),
      version('1.1.0'),
      version('1.2.0'),
      version('1.3.0'),
      version('1.4.0'),
    ]);
  });

  it('never removes a copy a queued, creating or pending row needs (whatever the id casing)', () => {
    const copies = [{ copyOf: version('1.0.0') }, { copyOf: version('1.1.0') }, { copyOf: version('1.2.0').toUpperCase() }];
    const ledger = [row(version('1.0.0'), 'queued'), row(version('1.1.0'), 'creating'), row(version('1.2.0'), 'pending')];
    expect(copiesToRemove(copies, ledger)).toEqual([]);
  });
});

describe('postedToSource and asRegistrations', () => {
  it('reads a device image listed with a copy id as its gallery version, from sources and from rows', () => {
    const inView = version('1.4.0');
    const onlyInLedger = version('1.3.0');
    const map = postedToSource(
      [{ id: inView, gallery: {} }],
      [{ sourceImageResourceId: onlyInLedger, copyId: postedSourceId(onlyInLedger, copy) }],
      copy,
    );
    const images = asRegistrations(
      [
        { id: 'a', sourceImageResourceId: postedSourceId(inView, copy).toUpperCase() },
        { id: 'b', sourceImageResourceId: postedSourceId(onlyInLedger, copy) },
        { id: 'c', sourceImageResourceId: '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/images/other' },
      ],
      map,
    );
    expect(images.map((image) => image.sourceImageResourceId)).toEqual([
      inView,
      onlyInLedger,
      '/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/images/other',
    ]);
  });

  it('translates nothing outside copy mode', () => {
    expect(postedToSource([{ id: version('1.4.0') }], [], { mode: 'direct', stagingResourceGroup: null }).size).toBe(0);
  });
});

describe('isDirectShapeRefusal', () => {
  const direct: GallerySettings = { mode: 'direct', stagingResourceGroup: null };
  it('is a 400 about the source for a gallery version in direct mode', () => {
    expect(isDirectShapeRefusal(version('1.4.0'), direct, 400, 'sourceImageResourceId must be a managed image')).toBe(true);
    expect(isDirectShapeRefusal(version('1.4.0'), direct, 400, 'The source image type is not supported')).toBe(true);
  });
  it('is nothing else', () => {
    expect(isDirectShapeRefusal(version('1.4.0'), direct, 409, 'sourceImageResourceId must be a managed image')).toBe(false);
    expect(isDirectShapeRefusal(version('1.4.0'), copy, 400, 'sourceImageResourceId must be a managed image')).toBe(false);
    expect(
      isDirectShapeRefusal(`/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/images/x`, direct, 400, 'managed image'),
    ).toBe(false);
    expect(isDirectShapeRefusal(version('1.4.0'), direct, 400, 'displayName is too long')).toBe(false);
  });
});
