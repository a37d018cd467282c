import { afterEach, describe, expect, it } from 'vitest';
import { GraphError } from '@microsoft/microsoft-graph-client';
import { estate, managedImage, managedImageResourceId, resourceGroup, subscription } from '../../../src/emulator';
import { useEmulator } from '../../support/emulator';
import { createBody, DEVICE_IMAGES, graphClient } from './graphClient';

const SUB = '11111111-1111-4111-8111-111111111111';
const source = (name: string) => managedImageResourceId(SUB, 'rg-images', name);

const fixture = useEmulator(() =>
  estate({
    graph: { maxDeviceImages: 50 },
    subscriptions: [
      subscription({
        id: SUB,
        resourceGroups: [resourceGroup('rg-images', [managedImage({ name: 'win11-1.0.0' }), managedImage({ name: 'twice-1.0.0' })])],
      }),
    ],
  }),
);

let versionsUsed = 0;
/** A create body for the one source image, with a fresh version each time (so never a duplicate pair). */
function nextCreate(): Record<string, string> {
  versionsUsed += 1;
  return createBody('win11', `2.0.${versionsUsed}`, source('win11-1.0.0'));
}

afterEach(async () => {
  const emulator = fixture.emulator;
  emulator.clearFaults();
  const client = graphClient(emulator);
  for (const image of emulator.deviceImages()) await client.api(`${DEVICE_IMAGES}/${image.id}`).delete();
  emulator.clearRequests();
});

describe('Graph fault knobs, seen through the Graph client middleware', () => {
  it('takes an ambiguous create into effect, then answers 500: the client fails but the image exists', async () => {
    const emulator = fixture.emulator;
    emulator.setFaults({ service: 'graph', ambiguousCreates: { next: 1 } });
    const body = nextCreate();
    const failure = await graphClient(emulator)
      .api(DEVICE_IMAGES)
      .post(body)
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(GraphError);
    expect(failure).toMatchObject({ statusCode: 500 });
    expect(emulator.requests).toHaveLength(1);
    expect(emulator.requests[0]).toMatchObject({ kind: 'graph.deviceImages.create', status: 500, fault: 'ambiguous-create' });
    const listed = await graphClient(emulator).api(DEVICE_IMAGES).get();
    expect(listed.value).toEqual([expect.objectContaining({ version: body['version'], status: 'pending' })]);
  });

  it('takes an ambiguous create into effect, then resets the connection: the client fails but the image exists', async () => {
    const emulator = fixture.emulator;
    emulator.setFaults({ kinds: ['graph.deviceImages.create'], ambiguousCreates: { next: 1, answer: 'reset' } });
    await expect(graphClient(emulator).api(DEVICE_IMAGES).post(nextCreate())).rejects.toThrow();
    expect(emulator.requests.map((request) => [request.status, request.fault])).toEqual([['reset', 'ambiguous-create']]);
    expect(emulator.deviceImages()).toHaveLength(1);
  });

  it('shows why a create must not be resent blindly: the middleware resends a create answered 503, which meets 409', async () => {
    const emulator = fixture.emulator;
    emulator.setFaults({ service: 'graph', ambiguousCreates: { next: 1, answer: 503 } });
    const failure = await graphClient(emulator)
      .api(DEVICE_IMAGES)
      .post(nextCreate())
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(failure).toMatchObject({ statusCode: 409 });
    expect(emulator.requests.map((request) => request.status)).toEqual([503, 409]);
    expect(emulator.deviceImages()).toHaveLength(1);
  });

  it('answers 429 with Retry-After, which the Graph retry middleware waits out: no early retry is recorded', async () => {
    const emulator = fixture.emulator;
    emulator.setFaults({ kinds: ['graph.deviceImages.list'], throttle: { next: 1, retryAfterSeconds: 1 } });
    const listed = await graphClient(emulator).api(DEVICE_IMAGES).get();
    expect(listed.value).toEqual([]);
    expect(emulator.requests.map((request) => [request.status, request.fault])).toEqual([
      [429, 'throttle'],
      [200, null],
    ]);
    expect(emulator.requests[0]?.headers['client-request-id']).toBe(emulator.requests[1]?.headers['client-request-id']);
    expect(emulator.earlyRetries()).toEqual([]);
  });

  it('catches a resend that comes before the Retry-After has passed', async () => {
    const emulator = fixture.emulator;
    emulator.setFaults({ service: 'graph', throttle: { next: 1, retryAfterSeconds: 1 } });
    const url = `${emulator.url}/v1.0${DEVICE_IMAGES}`;
    const get = () => fetch(url, { headers: { Authorization: `Bearer ${emulator.token}` } });
    const throttled = await get();
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('1');
    expect((await get()).status).toBe(200);
    const [early] = emulator.earlyRetries();
    expect(emulator.earlyRetries()).toHaveLength(1);
    expect(early?.request.sequence).toBe(emulator.requests[1]?.sequence);
    expect(early?.after.sequence).toBe(emulator.requests[0]?.sequence);
    expect(early?.earlyByMs).toBeGreaterThan(500);
  });

  it('finds two device images made for one source image at one version, comparing ids case-insensitively', async () => {
    const emulator = fixture.emulator;
    const client = graphClient(emulator);
    const twice = source('twice-1.0.0');
    const first = await client.api(DEVICE_IMAGES).post(createBody('twice', '1.0.0', twice));
    expect(emulator.duplicateDeviceImages().filter((duplicate) => duplicate.sourceImageResourceId === twice)).toEqual([]);
    const second = await client
      .api(DEVICE_IMAGES)
      .post(createBody('twice-again', '1.0.0', twice.replace('resourceGroups/rg-images', 'resourcegroups/RG-IMAGES')));
    const duplicates = emulator.duplicateDeviceImages().filter((duplicate) => duplicate.sourceImageResourceId === twice);
    expect(duplicates).toEqual([{ sourceImageResourceId: twice, version: '1.0.0', deviceImageIds: [first.id, second.id] }]);
    await client.api(`${DEVICE_IMAGES}/${second.id}`).delete();
    expect(emulator.duplicateDeviceImages({ includeDeleted: false })).toEqual([]);
    expect(emulator.duplicateDeviceImages().map((duplicate) => duplicate.sourceImageResourceId)).toContain(twice);
  });

  it('does not count a new version of the same source image (an image rebuilt in place) as a duplicate', async () => {
    const emulator = fixture.emulator;
    const client = graphClient(emulator);
    const rebuilt = source('win11-1.0.0');
    await client.api(DEVICE_IMAGES).post(createBody('rebuilt', '1.0.0', rebuilt));
    await client.api(DEVICE_IMAGES).post(createBody('rebuilt', '1.1.0', rebuilt));
    expect(emulator.duplicateDeviceImages().filter((duplicate) => duplicate.sourceImageResourceId === rebuilt)).toEqual([]);
  });

  it('throttles writes over a request budget; the middleware honours the Retry-After and every create lands once', async () => {
    const emulator = fixture.emulator;
    emulator.setFaults({ kinds: ['graph.deviceImages.create'], budget: { perSecond: 3, burst: 2 } });
    const client = graphClient(emulator);
    const created = await Promise.all(Array.from({ length: 4 }, () => client.api(DEVICE_IMAGES).post(nextCreate())));
    expect(created.every((image) => image.status === 'pending')).toBe(true);
    const throttled = emulator.requests.filter((request) => request.fault === 'budget');
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled.every((request) => request.status === 429 && request.retryAfterSeconds === 1)).toBe(true);
    expect(emulator.count('graph.deviceImages.create')).toBe(4 + throttled.length);
    expect(emulator.deviceImages()).toHaveLength(4);
    expect(emulator.earlyRetries()).toEqual([]);
  });

  it('is down for Graph only: every Graph request resets while ARM still answers', async () => {
    const emulator = fixture.emulator;
    emulator.setFaults({ service: 'graph', down: 'reset' });
    await expect(graphClient(emulator).api(DEVICE_IMAGES).get()).rejects.toThrow();
    const arm = await fetch(`${emulator.url}/subscriptions/${SUB}/providers/Microsoft.Compute/images?api-version=2024-11-01`, {
      headers: { Authorization: `Bearer ${emulator.token}` },
    });
    expect(arm.status).toBe(200);
    expect(emulator.requests.map((request) => [request.service, request.status])).toEqual([
      ['graph', 'reset'],
      ['arm', 200],
    ]);
  });
  it('answers malformed: the 200 keeps only its @odata.context (no entity properties, no value list), then answers as usual', async () => {
    const emulator = fixture.emulator;
    emulator.setFaults({ kinds: ['graph.deviceImages.list', 'graph.deviceImages.create'], malformed: { next: 2 } });
    const client = graphClient(emulator);
    const listed = await client.api(DEVICE_IMAGES).get();
    expect(listed).toEqual({ '@odata.context': expect.stringContaining('$metadata#') });
    const body = nextCreate();
    expect(await client.api(DEVICE_IMAGES).post(body)).toEqual({});
    expect(emulator.deviceImages().map((image) => image.version)).toEqual([body['version']]);
    expect((await client.api(DEVICE_IMAGES).get()).value).toHaveLength(1);
    expect(emulator.requests.map((request) => [request.kind, request.status, request.fault])).toEqual([
      ['graph.deviceImages.list', 200, 'malformed'],
      ['graph.deviceImages.create', 201, 'malformed'],
      ['graph.deviceImages.list', 200, null],
    ]);
  });

  it('makes only a successful answer with a body malformed: a 204 or a 404 leaves the count for the next answer with one', async () => {
    const emulator = fixture.emulator;
    const client = graphClient(emulator);
    const created = await client.api(DEVICE_IMAGES).post(nextCreate());
    emulator.setFaults({ service: 'graph', malformed: { next: 1 } });
    await client.api(`${DEVICE_IMAGES}/${created.id}`).delete();
    await expect(client.api(`${DEVICE_IMAGES}/${created.id}`).get()).rejects.toMatchObject({ statusCode: 404 });
    expect(await client.api(DEVICE_IMAGES).get()).toEqual({ '@odata.context': expect.any(String) });
    expect(emulator.requests.map((request) => [request.kind, request.status, request.fault])).toEqual([
      ['graph.deviceImages.create', 201, null],
      ['graph.deviceImages.delete', 204, null],
      ['graph.deviceImages.get', 404, null],
      ['graph.deviceImages.list', 200, 'malformed'],
    ]);
  });
});

describe('Graph fault knobs for deletions and listings, and hand edits', () => {
  it('refuses a DELETE with the status, code and message a rule gives; nothing is deleted', async () => {
    const emulator = fixture.emulator;
    const client = graphClient(emulator);
    const created = await client.api(DEVICE_IMAGES).post(nextCreate());
    emulator.setFaults({
      kinds: ['graph.deviceImages.delete'],
      refuse: { next: 1, status: 409, code: 'ImageLocked', message: 'The image is being replicated; try later.' },
    });
    await expect(client.api(`${DEVICE_IMAGES}/${created.id}`).delete()).rejects.toMatchObject({
      statusCode: 409,
      code: 'ImageLocked',
      message: 'The image is being replicated; try later.',
    });
    expect(emulator.deviceImages().map((image) => image.id)).toEqual([created.id]);
    await client.api(`${DEVICE_IMAGES}/${created.id}`).delete();
    expect(emulator.deviceImages()).toEqual([]);
  });

  it('leaves the newest device images out of the next listings (listingLag); a GET finds them', async () => {
    const emulator = fixture.emulator;
    const client = graphClient(emulator);
    const created = await client.api(DEVICE_IMAGES).post(nextCreate());
    emulator.setFaults({ kinds: ['graph.deviceImages.list'], listingLag: { next: 1, seconds: 60 } });
    expect((await client.api(DEVICE_IMAGES).get()).value).toEqual([]);
    expect(await client.api(`${DEVICE_IMAGES}/${created.id}`).get()).toMatchObject({ id: created.id });
    expect((await client.api(DEVICE_IMAGES).get()).value).toEqual([expect.objectContaining({ id: created.id })]);
  });

  it('plays an administrator deleting a device image and uploading one by hand (refused when its name and version are taken)', async () => {
    const emulator = fixture.emulator;
    const client = graphClient(emulator);
    const created = await client.api(DEVICE_IMAGES).post(nextCreate());
    const hand = { displayName: created.displayName, version: created.version, sourceImageResourceId: source('win11-1.0.0') };
    expect(() => emulator.putDeviceImage(hand)).toThrow(/already exists/);
    expect(emulator.deleteDeviceImage(created.id)).toBe(true);
    expect(emulator.deleteDeviceImage(created.id)).toBe(false);
    const byHand = emulator.putDeviceImage(hand);
    expect((await client.api(DEVICE_IMAGES).get()).value).toEqual([expect.objectContaining({ id: byHand, status: 'ready' })]);
    expect(emulator.requests.map((request) => request.kind)).toEqual(['graph.deviceImages.create', 'graph.deviceImages.list']);
  });
});
