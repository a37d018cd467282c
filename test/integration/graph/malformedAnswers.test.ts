// A Graph answer that arrives whole but is not what the call returns (the emulator's `malformed`
// fault) is a permanent error naming the field, sent once: never taken for a network failure and
// sent again.
import { afterEach, describe, expect, it } from 'vitest';
import {
  deviceImage,
  estate,
  managedImage,
  managedImageResourceId,
  provisioningPolicy,
  resourceGroup,
  subscription,
} from '../../../src/emulator';
import { PermanentError, TransientError } from '../../../src/errors';
import { UNREADABLE_ANSWER } from '../../../src/errors';
import { useEmulator } from '../../support/emulator';
import { deviceImageApi, rejection } from './appDeviceImageApi';

const SUB = '41111111-1111-4111-8111-111111111111';
const source = (name: string) => managedImageResourceId(SUB, 'rg-images', name);
const IMAGE_ID = 'e0000000-0000-4000-8000-000000000001';

const fixture = useEmulator(() =>
  estate({
    graph: { pageSize: 2 },
    subscriptions: [
      subscription({
        id: SUB,
        resourceGroups: [
          resourceGroup(
            'rg-images',
            ['win11-ent-1.0.0', 'win11-ent-2.0.0'].map((name) => managedImage({ name })),
          ),
        ],
      }),
    ],
    deviceImages: [
      deviceImage({ id: IMAGE_ID, displayName: 'win11-ent', version: '1.0.0', sourceImageResourceId: source('win11-ent-1.0.0') }),
    ],
    provisioningPolicies: [provisioningPolicy({ displayName: 'Finance', imageId: IMAGE_ID })],
  }),
);

afterEach(() => {
  fixture.emulator.clearFaults();
  fixture.emulator.clearRequests();
});

/** The PermanentError a call fails with; anything else fails the test. */
async function permanentFailure(promise: Promise<unknown>): Promise<PermanentError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(PermanentError);
  expect(error).not.toBeInstanceOf(TransientError);
  if (!(error instanceof PermanentError)) throw new Error('unreachable');
  return error;
}

function sent(kind: string): (number | 'reset')[] {
  return fixture.emulator.requests.filter((request) => request.kind === kind).map((request) => request.status);
}

describe("a malformed Graph answer through the app's device image API", () => {
  it('fails a get with a PermanentError naming the missing field, sent once', async () => {
    fixture.emulator.setFaults({ kinds: ['graph.deviceImages.get'], malformed: { next: 1 } });
    const error = await permanentFailure(deviceImageApi(fixture.emulator).get(IMAGE_ID));
    expect(error.code).toBe(UNREADABLE_ANSWER);
    expect(error.message).toBe(
      `reading device image ${IMAGE_ID}: Graph returned a device image that cannot be read: id: Invalid input: expected string, received undefined`,
    );
    expect(fixture.emulator.requests.map((request) => [request.kind, request.status, request.fault])).toEqual([
      ['graph.deviceImages.get', 200, 'malformed'],
    ]);
    await expect(deviceImageApi(fixture.emulator).get(IMAGE_ID)).resolves.toMatchObject({ id: IMAGE_ID, status: 'ready' });
  });

  it('fails a listing whose page has no value list with a PermanentError naming value, sent once', async () => {
    fixture.emulator.setFaults({ kinds: ['graph.deviceImages.list'], malformed: { next: 1 } });
    const error = await permanentFailure(deviceImageApi(fixture.emulator).list());
    expect(error.message).toMatch(/^listing device images: Graph returned a collection page that cannot be read: value: /);
    expect(sent('graph.deviceImages.list')).toEqual([200]);
  });

  it.each([
    [
      'the source images Windows 365 can read',
      'graph.deviceImages.getSourceImages',
      () => deviceImageApi(fixture.emulator).listSourceImageIds(),
    ],
    ['the provisioning policies', 'graph.provisioningPolicies.list', () => deviceImageApi(fixture.emulator).listProvisioningPolicies()],
  ])('fails a listing of %s the same way', async (_what, kind, list) => {
    fixture.emulator.setFaults({ kinds: [kind], malformed: { next: 1 } });
    const error = await permanentFailure(list());
    expect(error.message).toMatch(/Graph returned a collection page that cannot be read: value: /);
    expect(sent(kind)).toEqual([200]);
  });

  it('fails a create whose 201 cannot be read with a PermanentError, sent once; the image exists for the look-up that follows', async () => {
    fixture.emulator.setFaults({ kinds: ['graph.deviceImages.create'], malformed: { next: 1 } });
    const api = deviceImageApi(fixture.emulator);
    const error = await permanentFailure(
      api.create({ displayName: 'win11-ent', version: '2.0.0', sourceImageResourceId: source('win11-ent-2.0.0') }),
    );
    expect(error.message).toMatch(/^creating the device image for .*: Graph returned a device image that cannot be read: id: /);
    expect(sent('graph.deviceImages.create')).toEqual([201]);
    expect((await api.list()).filter((image) => image.version === '2.0.0')).toHaveLength(1);
  });

  it('reads the answers after the malformed one as usual', async () => {
    fixture.emulator.setFaults({ kinds: ['graph.provisioningPolicies.list'], malformed: { next: 1 } });
    const api = deviceImageApi(fixture.emulator);
    await permanentFailure(api.listProvisioningPolicies());
    await expect(api.listProvisioningPolicies()).resolves.toMatchObject([{ displayName: 'Finance', imageId: IMAGE_ID }]);
  });
});
