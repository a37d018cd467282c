import { afterEach, describe, expect, it } from 'vitest';
import { estate, managedImage, resourceGroup, subscription } from '../../../src/emulator';
import { startTestEmulator, useEmulator } from '../../support/emulator';
import { armClient } from './armClient';

const SUB = '11111111-1111-4111-8111-111111111111';
const imagingEstate = () =>
  estate({
    subscriptions: [subscription({ id: SUB, resourceGroups: [resourceGroup('rg-images', [managedImage({ name: 'win11-1.0.0' })])] })],
  });

const fixture = useEmulator(imagingEstate);

afterEach(() => {
  fixture.emulator.clearFaults();
  fixture.emulator.clearRequests();
});

function rawGet(url: string, token: string): Promise<Response> {
  return fetch(url, { headers: { Authorization: `Bearer ${token}` } });
}

describe('ARM fault knobs, seen through the arm-compute retry policies', () => {
  it('answers 429 with Retry-After, which the SDK waits out before its retry: no early retry is recorded', async () => {
    const emulator = fixture.emulator;
    emulator.setFaults({ service: 'arm', throttle: { next: 1, retryAfterSeconds: 1 } });
    const image = await armClient(emulator, SUB).images.get('rg-images', 'win11-1.0.0');
    expect(image.name).toBe('win11-1.0.0');
    const [throttled, retried] = emulator.requests;
    expect(throttled).toMatchObject({ status: 429, fault: 'throttle', retryAfterSeconds: 1 });
    expect(retried).toMatchObject({ status: 200, fault: null });
    expect((retried?.receivedAtMs ?? 0) - (throttled?.answeredAtMs ?? 0)).toBeGreaterThanOrEqual(975);
    expect(emulator.earlyRetries()).toEqual([]);
  });

  it('answers 503 without Retry-After, retried with backoff, and with Retry-After, retried after it', async () => {
    const emulator = fixture.emulator;
    emulator.setFaults({ service: 'arm', unavailable: { next: 2 } });
    await armClient(emulator, SUB).images.get('rg-images', 'win11-1.0.0');
    expect(emulator.requests.map((request) => request.status)).toEqual([503, 503, 200]);
    expect(emulator.requests[0]?.retryAfterSeconds).toBeNull();

    emulator.clearRequests();
    emulator.setFaults({ service: 'arm', unavailable: { next: 1, retryAfterSeconds: 1 } });
    await armClient(emulator, SUB).images.get('rg-images', 'win11-1.0.0');
    expect(emulator.requests.map((request) => request.status)).toEqual([503, 200]);
    expect(emulator.earlyRetries()).toEqual([]);
  });

  it('resets the connection without an answer, which the SDK retries as a network error', async () => {
    const emulator = fixture.emulator;
    emulator.setFaults({ service: 'arm', reset: { next: 1 } });
    const image = await armClient(emulator, SUB).images.get('rg-images', 'win11-1.0.0');
    expect(image.name).toBe('win11-1.0.0');
    expect(emulator.requests.map((request) => [request.status, request.fault])).toEqual([
      ['reset', 'reset'],
      [200, null],
    ]);
  });

  it('adds latency to the matching request kinds only', async () => {
    const emulator = fixture.emulator;
    emulator.setFaults({ kinds: ['arm.images.get'], latencyMs: 300 });
    const client = armClient(emulator, SUB);
    const started = performance.now();
    await client.images.get('rg-images', 'win11-1.0.0');
    expect(performance.now() - started).toBeGreaterThanOrEqual(295);
    for await (const page of client.images.list().byPage()) expect(page).toHaveLength(1);
    expect(emulator.requests.map((request) => [request.kind, request.latencyMs])).toEqual([
      ['arm.images.get', 300],
      ['arm.images.list', 0],
    ]);
  });

  it('is down (503 or reset on every request) until switched back', async () => {
    const emulator = fixture.emulator;
    const client = armClient(emulator, SUB, { maxRetries: 1 });
    emulator.setFaults({ service: 'arm', down: 'unavailable' });
    await expect(client.images.get('rg-images', 'win11-1.0.0')).rejects.toMatchObject({ statusCode: 503 });
    emulator.setFaults({ service: 'arm', down: 'reset' });
    await expect(client.images.get('rg-images', 'win11-1.0.0')).rejects.toThrow();
    expect(emulator.requests.map((request) => [request.status, request.fault])).toEqual([
      [503, 'down'],
      [503, 'down'],
      ['reset', 'down'],
      ['reset', 'down'],
    ]);
    emulator.clearFaults();
    expect((await client.images.get('rg-images', 'win11-1.0.0')).name).toBe('win11-1.0.0');
  });

  it('applies a fault to its own service only', async () => {
    const emulator = fixture.emulator;
    emulator.setFaults({ service: 'graph', down: 'unavailable' }, { kinds: ['graph.*'], down: 'reset' });
    expect((await armClient(emulator, SUB).images.get('rg-images', 'win11-1.0.0')).name).toBe('win11-1.0.0');
    expect(emulator.requests[0]?.fault).toBeNull();
  });

  it('throttles over a request budget with the Retry-After the token bucket needs, which the SDK honours', async () => {
    const emulator = fixture.emulator;
    emulator.setFaults({ service: 'arm', budget: { perSecond: 1, burst: 5 } });
    const url = `${emulator.url}/subscriptions/${SUB}/resourceGroups/rg-images/providers/Microsoft.Compute/images/win11-1.0.0?api-version=2024-11-01`;
    const answers = await Promise.all(Array.from({ length: 8 }, () => rawGet(url, emulator.token)));
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(5);
    const throttled = answers.filter((answer) => answer.status === 429);
    expect(throttled).toHaveLength(3);
    expect(throttled.map((answer) => answer.headers.get('retry-after'))).toEqual(['1', '1', '1']);
    expect(await throttled[0]?.json()).toMatchObject({ error: { code: 'TooManyRequests' } });

    emulator.setFaults({ service: 'arm', budget: { perSecond: 5 } });
    emulator.clearRequests();
    const client = armClient(emulator, SUB);
    const images = await Promise.all(Array.from({ length: 8 }, () => client.images.get('rg-images', 'win11-1.0.0')));
    expect(images).toHaveLength(8);
    expect(emulator.requests.filter((request) => request.fault === 'budget').length).toBeGreaterThan(0);
    expect(emulator.earlyRetries()).toEqual([]);
  });

  it('draws probabilistic faults from a seeded source: the same seed gives the same faults', async () => {
    const statuses = async (seed: number) => {
      const emulator = await startTestEmulator(imagingEstate(), { seed, faults: [{ service: 'arm', throttle: { probability: 0.5 } }] });
      try {
        const url = `${emulator.url}/subscriptions/${SUB}/providers/Microsoft.Compute/images?api-version=2024-11-01`;
        const seen: number[] = [];
        for (let i = 0; i < 16; i += 1) seen.push((await rawGet(url, emulator.token)).status);
        return seen;
      } finally {
        await emulator.stop();
      }
    };
    const first = await statuses(7);
    expect(await statuses(7)).toEqual(first);
    expect(first).toContain(429);
    expect(first).toContain(200);
    expect(await statuses(8)).not.toEqual(first);
  });
});
