// A getSourceImages answer of 130,000 entries in one page (the emulator does not page it, nor may
// Graph): every id is kept. Collecting a page by spreading it into push() overflowed the call stack
// past about 125,000 items.
import { describe, expect, it } from 'vitest';
import { estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../../src/emulator';
import { useEmulator } from '../../support/emulator';
import { deviceImageApi } from './appDeviceImageApi';

const SUB = '43333333-3333-4333-8333-333333333333';
const IMAGES = 130_000;
const name = (index: number) => `img-${index}`;

const fixture = useEmulator(() =>
  estate({
    subscriptions: [
      subscription({
        id: SUB,
        resourceGroups: [
          resourceGroup(
            'rg',
            Array.from({ length: IMAGES }, (_, index) => managedImage({ name: name(index), tags: {} })),
          ),
        ],
      }),
    ],
  }),
);

describe('DeviceImageApi.listSourceImageIds on one page of 130,000 entries', () => {
  it('keeps every id, in one request', { timeout: 120_000 }, async () => {
    const ids = await deviceImageApi(fixture.emulator).listSourceImageIds();
    expect(ids).toHaveLength(IMAGES);
    expect(ids[IMAGES - 1]?.toLowerCase()).toBe(managedImageResourceId(SUB, 'rg', name(IMAGES - 1)).toLowerCase());
    expect(fixture.emulator.requests.map((request) => [request.kind, request.status])).toEqual([
      ['graph.deviceImages.getSourceImages', 200],
    ]);
  });
});
