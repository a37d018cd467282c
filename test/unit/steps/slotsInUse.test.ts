// The slots `image-sync report` shows in use are counted as the planner counts them (DESIGN §15):
// every device image Graph lists, each once, plus creates in flight.
import { describe, expect, it } from 'vitest';
import { registrationKey } from '../../../src/domain';
import { slotName } from '../../../src/rules/slotName';
import { slotsInUse } from '../../../src/steps/recordSlotCount';
import { deviceImage } from '../../fixtures/deviceImage';

describe('slotsInUse', () => {
  it('counts two device images of one source and version as two, as Graph does', () => {
    const twins = [deviceImage({ id: 'a' }), deviceImage({ id: 'b', version: 'v1.2.0' })];
    expect(slotsInUse({ deviceImages: twins, reserved: new Set() }, 0)).toBe(2);
  });

  it('adds creates in flight once (a reservation whose image Graph lists already is that image) and the creates just queued', () => {
    const listed = deviceImage();
    const listedSlot = slotName(registrationKey(listed.sourceImageResourceId, '1.2.0'));
    const reserved = new Set([listedSlot, slotName('/subscriptions/x/images/other|1.0.0')]);
    expect(slotsInUse({ deviceImages: [listed], reserved }, 3)).toBe(1 + 1 + 3);
  });
});
