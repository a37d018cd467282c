// Timed changes (docs/emulator.md): a hand edit that lands when the next request of a kind arrives,
// or once it is answered, so a test can play a change between two requests of the app.
import { afterEach, describe, expect, it } from 'vitest';
import { deviceImage, estate, managedImageResourceId, provisioningPolicy } from '../../../src/emulator';
import { useEmulator } from '../../support/emulator';
import { PROVISIONING_POLICIES, graphClient } from './graphClient';

const SUB = '11111111-1111-4111-8111-111111111111';
const source = (name: string) => managedImageResourceId(SUB, 'rg-images', name);
const sales = (imageId: string) => provisioningPolicy({ id: 'policy-sales', displayName: 'Sales', imageId, imageDisplayName: imageId });

const fixture = useEmulator(() =>
  estate({
    deviceImages: [
      deviceImage({ id: 'img-one', displayName: 'win11', version: '1.0.0', sourceImageResourceId: source('win11-1.0.0') }),
      deviceImage({ id: 'img-two', displayName: 'win11', version: '2.0.0', sourceImageResourceId: source('win11-2.0.0') }),
    ],
    provisioningPolicies: [sales('img-one')],
  }),
);

afterEach(() => {
  fixture.emulator.putProvisioningPolicy(sales('img-one'));
  fixture.emulator.clearRequests();
});

const imageIdOf = (body: unknown) => (body as { imageId: string | null }).imageId;

describe('emulator timed changes', () => {
  it('beforeNext: the edit lands when the next request of the kind arrives, and that request sees it; once', async () => {
    const client = graphClient(fixture.emulator);
    const emulator = fixture.emulator;
    emulator.beforeNext('graph.provisioningPolicies.get', () => emulator.putProvisioningPolicy(sales('img-two')));
    // A request of another kind does not set it off.
    expect((await client.api(PROVISIONING_POLICIES).get()).value[0]).toMatchObject({ imageId: 'img-one' });
    expect(imageIdOf(await client.api(`${PROVISIONING_POLICIES}/policy-sales`).get())).toBe('img-two');
    emulator.putProvisioningPolicy(sales('img-one'));
    expect(imageIdOf(await client.api(`${PROVISIONING_POLICIES}/policy-sales`).get())).toBe('img-one');
  });

  it('afterNext: the edit lands once the request is answered, so its answer shows the tenant before the edit', async () => {
    const client = graphClient(fixture.emulator);
    const emulator = fixture.emulator;
    emulator.afterNext('graph.provisioningPolicies.list', () => emulator.putProvisioningPolicy(sales('img-two')));
    expect((await client.api(PROVISIONING_POLICIES).get()).value[0]).toMatchObject({ imageId: 'img-one' });
    expect(imageIdOf(await client.api(`${PROVISIONING_POLICIES}/policy-sales`).get())).toBe('img-two');
  });

  it('awaits an async edit before serving, matches a prefix, and chains (an edit may set up the next one)', async () => {
    const client = graphClient(fixture.emulator);
    const emulator = fixture.emulator;
    const landed: string[] = [];
    emulator.beforeNext('graph.provisioningPolicies.*', async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      landed.push('first');
      emulator.beforeNext('graph.provisioningPolicies.update', () => {
        landed.push('second');
        emulator.putProvisioningPolicy(sales('img-two'));
      });
    });
    await client.api(`${PROVISIONING_POLICIES}/policy-sales`).get();
    expect(landed).toEqual(['first']);
    await client.api(`${PROVISIONING_POLICIES}/policy-sales`).patch({ imageDisplayName: 'renamed' });
    expect(landed).toEqual(['first', 'second']);
    // The PATCH was served after the edit: it applies on top of it.
    expect(emulator.provisioningPolicies()[0]).toMatchObject({ imageId: 'img-two', imageDisplayName: 'renamed', updates: 1 });
  });
});
