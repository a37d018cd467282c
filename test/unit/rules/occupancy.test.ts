// DESIGN §15 "Slots for the tenant limit count device images Graph lists plus creates in flight":
// images, not registration keys.
import { describe, expect, it } from 'vitest';
import { registrationKey } from '../../../src/domain';
import { occupancyOf } from '../../../src/rules/occupancy';
import { plan } from '../../../src/rules/plan';
import { slotName } from '../../../src/rules/slotName';
import { grantSlots } from '../../../src/state/imageSlots';
import { deviceImage } from '../../fixtures/deviceImage';
import { sourceImage, sourceImageId } from '../../fixtures/sourceImage';

const NOW = new Date('2026-12-01T15:00:00Z');

describe('occupancy of the tenant', () => {
  it('counts every listed image, a reservation of a listed registration once, and each other reservation', () => {
    const occupancy = occupancyOf(3, new Set(['a', 'b']), ['a', 'c']);
    expect(occupancy.inUse).toBe(4);
    expect(occupancy.holds('a')).toBe(true);
    expect(occupancy.holds('c')).toBe(true);
    expect(occupancy.holds('d')).toBe(false);
    occupancy.take('d');
    occupancy.take('a');
    expect(occupancy.inUse).toBe(5);
  });

  it('grants slots by images: two device images of one registration take two', () => {
    expect([...grantSlots({}, ['new'], new Set(['twice']), 2, NOW, 2).granted]).toEqual([]);
    expect([...grantSlots({}, ['new'], new Set(['twice']), 3, NOW, 2).granted]).toEqual(['new']);
  });
});

describe('the planner counts images, not source|version keys', () => {
  const source = sourceImageId('win11-ent-1.0.0', 'rg-other');
  // Two device images of one source and version, one of them written with a leading v: two of the limit.
  const listed = [
    deviceImage({ id: 'one', version: '1.0.0', sourceImageResourceId: source }),
    deviceImage({ id: 'two', version: 'v1.0.0', sourceImageResourceId: source }),
  ];
  const planWith = (limit: number, reserved: ReadonlySet<string> = new Set()) =>
    plan({
      sourceImages: [sourceImage({ name: 'new-1.0.0' })],
      deviceImages: listed,
      ledger: [],
      scope: { kind: 'tag', name: 'cloudpc-sync', value: 'true' },
      trigger: 'reconcile',
      now: NOW,
      staleAfterMs: 30 * 60_000,
      capacity: { limit, reserved },
      visibleToWindows365: null,
      policies: null,
      expiryWarningDays: 30,
    }).images.map((image) => [image.outcome, image.reason]);

  it('skips tenant-image-limit at a limit of 2 (was: one key, room for one more)', () => {
    expect(planWith(2)).toEqual([['skip', 'tenant-image-limit']]);
    expect(planWith(3)).toEqual([['register', null]]);
  });

  it('counts a reservation for a listed registration once, and one in flight elsewhere', () => {
    expect(planWith(3, new Set([slotName(registrationKey(source, '1.0.0'))]))).toEqual([['register', null]]);
    expect(planWith(3, new Set([slotName('elsewhere|1.0.0')]))).toEqual([['skip', 'tenant-image-limit']]);
  });
});
