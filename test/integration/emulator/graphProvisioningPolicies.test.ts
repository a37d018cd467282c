import { afterEach, describe, expect, it } from 'vitest';
import { PageIterator, type PageCollection } from '@microsoft/microsoft-graph-client';
import { deviceImage, EstateError, estate, managedImageResourceId, parseEstate, provisioningPolicy } from '../../../src/emulator';
import { manualClock, useEmulator } from '../../support/emulator';
import { DEVICE_IMAGES, graphClient, PROVISIONING_POLICIES, estateProblems, graphFailure } from './graphClient';

const SUB = '11111111-1111-4111-8111-111111111111';
const source = (name: string) => managedImageResourceId(SUB, 'rg-images', name);
const GALLERY_IMAGE = 'microsoftwindowsdesktop_windows-ent-cpc_win11-24h2-ent-cpc';

const clock = manualClock();
const fixture = useEmulator(
  () =>
    estate({
      graph: { pageSize: 2 },
      deviceImages: [
        deviceImage({ id: 'img-ready', displayName: 'win11', version: '1.0.0', sourceImageResourceId: source('win11-1.0.0') }),
        deviceImage({ id: 'img-next', displayName: 'win11', version: '1.1.0', sourceImageResourceId: source('win11-1.1.0') }),
        deviceImage({
          id: 'img-pending',
          displayName: 'win11',
          version: '1.2.0',
          sourceImageResourceId: source('win11-1.2.0'),
          status: 'pending',
        }),
        deviceImage({
          id: 'img-failed',
          displayName: 'win11',
          version: '0.9.0',
          sourceImageResourceId: source('win11-0.9.0'),
          status: 'failed',
        }),
        deviceImage({
          id: 'img-flagged',
          displayName: 'legacy',
          version: '1.0.0',
          sourceImageResourceId: source('legacy-1.0.0'),
          usedByProvisioningPolicy: true,
        }),
      ],
      provisioningPolicies: [
        provisioningPolicy({ id: 'policy-sales', displayName: 'Sales', imageId: 'IMG-READY', imageDisplayName: 'win11 1.0.0' }),
        provisioningPolicy({ id: 'policy-hr', displayName: 'HR' }),
        provisioningPolicy({
          id: 'policy-frontline',
          displayName: 'Frontline',
          imageType: 'gallery',
          imageId: GALLERY_IMAGE,
          imageDisplayName: 'Windows 11 24H2',
        }),
      ],
    }),
  { clock },
);

afterEach(() => {
  const emulator = fixture.emulator;
  emulator.clearFaults();
  emulator.putProvisioningPolicy(
    provisioningPolicy({ id: 'policy-sales', displayName: 'Sales', imageId: 'IMG-READY', imageDisplayName: 'win11 1.0.0' }),
  );
  emulator.putProvisioningPolicy(provisioningPolicy({ id: 'policy-hr', displayName: 'HR' }));
  emulator.clearRequests();
});

describe('emulated Graph provisioningPolicies through @microsoft/microsoft-graph-client', () => {
  it('pages the list through @odata.nextLink on v1.0, rendering each policy with its image', async () => {
    const client = graphClient(fixture.emulator);
    const first = (await client.api(PROVISIONING_POLICIES).get()) as PageCollection;
    expect(first.value).toHaveLength(2);
    expect(first['@odata.nextLink']).toMatch(
      new RegExp(`^${fixture.emulator.url}/v1.0/deviceManagement/virtualEndpoint/provisioningPolicies\\?\\$skiptoken=`),
    );
    const policies: Record<string, unknown>[] = [];
    await new PageIterator(client, first, (policy: Record<string, unknown>) => {
      policies.push(policy);
      return true;
    }).iterate();
    expect(policies.map((policy) => policy['displayName'])).toEqual(['Sales', 'HR', 'Frontline']);
    expect(policies[0]).toMatchObject({
      id: 'policy-sales',
      description: '',
      imageId: 'IMG-READY',
      imageDisplayName: 'win11 1.0.0',
      imageType: 'custom',
      provisioningType: 'dedicated',
    });
    expect(policies[1]).toMatchObject({ imageId: null, imageDisplayName: null, imageType: 'custom' });
    expect(policies[2]).toMatchObject({ imageId: GALLERY_IMAGE, imageType: 'gallery' });
    expect(policies[0]).not.toHaveProperty('managedBy');
    expect(fixture.emulator.requests.map((request) => [request.kind, request.graphVersion, request.status])).toEqual([
      ['graph.provisioningPolicies.list', 'v1.0', 200],
      ['graph.provisioningPolicies.list', 'v1.0', 200],
    ]);
  });

  it('serves beta too (with its extra properties), $select, and $filter on imageType', async () => {
    const client = graphClient(fixture.emulator);
    const beta = await client.api(`${PROVISIONING_POLICIES}/policy-sales`).version('beta').get();
    expect(beta).toMatchObject({ id: 'policy-sales', managedBy: 'windows365' });
    const selected = await client.api(PROVISIONING_POLICIES).select(['displayName', 'imageId']).filter("imageType eq 'gallery'").get();
    expect(selected.value).toEqual([{ id: 'policy-frontline', displayName: 'Frontline', imageId: GALLERY_IMAGE }]);
    const one = await client.api(`${PROVISIONING_POLICIES}/POLICY-HR`).select(['imageType']).get();
    expect(one).toEqual({ id: 'policy-hr', imageType: 'custom' });
  });

  it('answers 404 for an unknown policy, to a GET and to a PATCH', async () => {
    const client = graphClient(fixture.emulator);
    expect(await graphFailure(client.api(`${PROVISIONING_POLICIES}/nope`).get())).toMatchObject({
      statusCode: 404,
      code: 'ResourceNotFound',
    });
    expect(await graphFailure(client.api(`${PROVISIONING_POLICIES}/nope`).patch({ imageId: 'img-ready' }))).toMatchObject({
      statusCode: 404,
    });
    expect(fixture.emulator.requests.map((request) => request.kind)).toEqual([
      'graph.provisioningPolicies.get',
      'graph.provisioningPolicies.update',
    ]);
  });

  it('points a policy at a ready custom image with a PATCH answered 204', async () => {
    const emulator = fixture.emulator;
    const client = graphClient(emulator);
    await client
      .api(`${PROVISIONING_POLICIES}/policy-hr`)
      .patch({ imageId: 'img-next', imageDisplayName: 'win11 1.1.0', imageType: 'custom' });
    expect(emulator.requests.at(-1)).toMatchObject({ kind: 'graph.provisioningPolicies.update', method: 'PATCH', status: 204 });
    expect(await client.api(`${PROVISIONING_POLICIES}/policy-hr`).get()).toMatchObject({
      imageId: 'img-next',
      imageDisplayName: 'win11 1.1.0',
      imageType: 'custom',
    });
    expect(emulator.provisioningPolicies().find((policy) => policy.id === 'policy-hr')).toEqual({
      id: 'policy-hr',
      displayName: 'HR',
      imageId: 'img-next',
      imageDisplayName: 'win11 1.1.0',
      imageType: 'custom',
      updates: 1,
    });
    await client.api(`${PROVISIONING_POLICIES}/policy-hr`).patch({ imageDisplayName: 'renamed' });
    expect(emulator.provisioningPolicies().find((policy) => policy.id === 'policy-hr')).toMatchObject({
      imageId: 'img-next',
      imageDisplayName: 'renamed',
      updates: 2,
    });
  });

  it('refuses to point a custom-image policy at an image that is absent, deleted, pending or failed', async () => {
    const client = graphClient(fixture.emulator);
    const refused = async (body: Record<string, unknown>, policy = 'policy-hr') => {
      const failure = await graphFailure(client.api(`${PROVISIONING_POLICIES}/${policy}`).patch(body));
      expect(failure).toMatchObject({ statusCode: 400, code: 'BadRequest' });
      return failure.message;
    };
    expect(await refused({ imageId: 'img-absent', imageType: 'custom' })).toBe(
      "The custom image 'img-absent' does not exist; a provisioning policy can use only a ready device image.",
    );
    expect(await refused({ imageId: 'img-pending' })).toBe(
      "The custom image 'img-pending' is pending; a provisioning policy can use only a ready device image.",
    );
    expect(await refused({ imageId: 'img-failed' })).toContain('is failed; a provisioning policy can use only a ready device image');
    expect(await refused({ imageType: 'custom' })).toBe(
      "A provisioning policy with imageType 'custom' needs an imageId: the id of a ready device image.",
    );
    expect(await refused({ imageType: 'custom' }, 'policy-frontline')).toContain(`'${GALLERY_IMAGE}' does not exist`);
    const emulator = fixture.emulator;
    emulator.putProvisioningPolicy(provisioningPolicy({ id: 'policy-temp', displayName: 'Temp' }));
    const temporary = await client
      .api(DEVICE_IMAGES)
      .post({ displayName: 'temp', version: '1.0.0', sourceImageResourceId: source('temp-1.0.0') });
    await client.api(`${DEVICE_IMAGES}/${String(temporary.id)}`).delete();
    expect(await refused({ imageId: String(temporary.id) }, 'policy-temp')).toContain('does not exist');
    expect(emulator.provisioningPolicies().find((policy) => policy.id === 'policy-hr')).toMatchObject({ imageId: null, updates: 0 });
  });

  it('lets a gallery policy name any image, and a PATCH turn a policy from gallery to a ready custom image', async () => {
    const emulator = fixture.emulator;
    const client = graphClient(emulator);
    emulator.putProvisioningPolicy(
      provisioningPolicy({ id: 'policy-kiosk', displayName: 'Kiosk', imageType: 'gallery', imageId: GALLERY_IMAGE }),
    );
    await client.api(`${PROVISIONING_POLICIES}/policy-kiosk`).patch({ imageId: 'another-gallery-image' });
    await client
      .api(`${PROVISIONING_POLICIES}/policy-kiosk`)
      .patch({ imageType: 'custom', imageId: 'img-next', imageDisplayName: 'win11 1.1.0' });
    expect(emulator.provisioningPolicies().find((policy) => policy.id === 'policy-kiosk')).toMatchObject({
      imageType: 'custom',
      imageId: 'img-next',
      updates: 2,
    });
    emulator.putProvisioningPolicy(
      provisioningPolicy({ id: 'policy-kiosk', displayName: 'Kiosk', imageType: 'gallery', imageId: GALLERY_IMAGE }),
    );
  });

  it('refuses a PATCH of unknown, read-only or unsupported properties, and of bad values', async () => {
    const client = graphClient(fixture.emulator);
    const refused = async (body: Record<string, unknown>) => {
      const failure = await graphFailure(client.api(`${PROVISIONING_POLICIES}/policy-hr`).patch(body));
      expect(failure).toMatchObject({ statusCode: 400, code: 'BadRequest' });
      return failure.message;
    };
    expect(await refused({ imageId: 'img-next', colour: 'blue' })).toContain(
      "'colour' does not exist on type 'microsoft.graph.cloudPcProvisioningPolicy'",
    );
    expect(await refused({ id: 'other' })).toBe("The property 'id' is read-only and cannot be updated.");
    expect(await refused({ enableSingleSignOn: false })).toContain('updates only imageId, imageDisplayName and imageType');
    expect(await refused({ imageType: 'marketplace' })).toContain("'imageType'");
    expect(await refused({ imageId: 42 })).toContain("'imageId'");
    expect(fixture.emulator.provisioningPolicies().find((policy) => policy.id === 'policy-hr')?.updates).toBe(0);
  });

  it('refuses to delete a device image a policy uses (ids compared case-insensitively) until the policy moves on', async () => {
    const emulator = fixture.emulator;
    const client = graphClient(emulator);
    emulator.putProvisioningPolicy(provisioningPolicy({ id: 'policy-temp', displayName: 'Temp', imageId: 'img-next' }));
    emulator.putProvisioningPolicy(provisioningPolicy({ id: 'policy-temp-2', displayName: 'Temp 2', imageId: 'IMG-NEXT' }));
    const failure = await graphFailure(client.api(`${DEVICE_IMAGES}/img-ready`).delete());
    expect(failure).toMatchObject({ statusCode: 400, code: 'BadRequest' });
    expect(failure.message).toBe(
      `The image 'win11' is used by provisioning policy "Sales" and cannot be deleted; remove it from the policy first.`,
    );
    expect(failure.message).toMatch(/provisioning polic/i);
    const twice = await graphFailure(client.api(`${DEVICE_IMAGES}/img-next`).delete());
    expect(twice.message).toBe(
      `The image 'win11' is used by provisioning policies "Temp", "Temp 2" and cannot be deleted; remove it from the policies first.`,
    );
    expect(emulator.requests.map((request) => [request.kind, request.status])).toEqual([
      ['graph.deviceImages.delete', 400],
      ['graph.deviceImages.delete', 400],
    ]);
    await client.api(`${PROVISIONING_POLICIES}/policy-temp`).patch({ imageType: 'gallery', imageId: GALLERY_IMAGE });
    await client.api(`${PROVISIONING_POLICIES}/policy-temp-2`).patch({ imageId: 'img-ready' });
    await client.api(`${DEVICE_IMAGES}/img-next`).delete();
    expect(emulator.deviceImages({ includeDeleted: true }).find((image) => image.id === 'img-next')?.deleted).toBe(true);
  });

  it('keeps refusing, with the same code and words, a delete of an image seeded as used by a policy', async () => {
    const failure = await graphFailure(graphClient(fixture.emulator).api(`${DEVICE_IMAGES}/img-flagged`).delete());
    expect(failure).toMatchObject({ statusCode: 400, code: 'BadRequest' });
    expect(failure.message).toBe(
      "The image 'legacy' is used by a provisioning policy and cannot be deleted; remove it from the policy first.",
    );
  });

  it('applies fault rules to the policy routes: a PATCH throttled once is retried by the middleware', async () => {
    const emulator = fixture.emulator;
    emulator.setFaults({ service: 'graph', kinds: ['graph.provisioningPolicies.*'], throttle: { next: 1, retryAfterSeconds: 1 } });
    await graphClient(emulator).api(`${PROVISIONING_POLICIES}/policy-hr`).patch({ imageId: 'img-ready' });
    expect(emulator.requests.map((request) => [request.kind, request.status, request.fault])).toEqual([
      ['graph.provisioningPolicies.update', 429, 'throttle'],
      ['graph.provisioningPolicies.update', 204, null],
    ]);
    expect(emulator.earlyRetries()).toEqual([]);
  });

  it('adds and replaces policies by id at run time, generating an id when none is given', () => {
    const emulator = fixture.emulator;
    const id = emulator.putProvisioningPolicy(provisioningPolicy({ displayName: 'Generated' }));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(emulator.putProvisioningPolicy(provisioningPolicy({ id: id.toUpperCase(), displayName: 'Replaced' }))).toBe(id.toUpperCase());
    expect(emulator.provisioningPolicies().filter((policy) => policy.id.toLowerCase() === id)).toEqual([
      { id: id.toUpperCase(), displayName: 'Replaced', imageId: null, imageDisplayName: null, imageType: 'custom', updates: 0 },
    ]);
    expect(() => emulator.putProvisioningPolicy({ displayName: '' })).toThrow(EstateError);
  });

  it('validates provisioningPolicies in an estate, naming the field', () => {
    const problems = estateProblems;
    expect(problems({ provisioningPolicies: [{ displayName: 'x', imageType: 'marketplace' }] })).toContain(
      'provisioningPolicies[0].imageType',
    );
    expect(problems({ provisioningPolicies: [{ imageId: 'x' }] })).toContain('provisioningPolicies[0].displayName');
    expect(problems({ provisioningPolicies: [{ displayName: 'x', image: 'x' }] })).toContain('provisioningPolicies[0]: Unrecognized key');
    expect(
      problems({
        provisioningPolicies: [
          { id: 'p', displayName: 'x' },
          { id: 'P', displayName: 'y' },
        ],
      }),
    ).toContain('provisioningPolicies[1].id: provisioning policy P appears twice');
    expect(parseEstate({ provisioningPolicies: [{ displayName: 'x' }] }).provisioningPolicies).toEqual([
      { displayName: 'x', imageType: 'custom', imageId: null, imageDisplayName: null },
    ]);
  });

  it('removeProvisioningPolicy deletes a policy (any casing): gone from the list, 404 to a GET and a PATCH', async () => {
    const client = graphClient(fixture.emulator);
    const emulator = fixture.emulator;
    const id = emulator.putProvisioningPolicy(provisioningPolicy({ displayName: 'Short-lived' }));
    expect(emulator.removeProvisioningPolicy(id.toUpperCase())).toBe(true);
    expect(emulator.removeProvisioningPolicy(id)).toBe(false);
    expect(emulator.provisioningPolicies().map((policy) => policy.displayName)).not.toContain('Short-lived');
    expect(await graphFailure(client.api(`${PROVISIONING_POLICIES}/${id}`).get())).toMatchObject({ statusCode: 404 });
    expect(await graphFailure(client.api(`${PROVISIONING_POLICIES}/${id}`).patch({ imageDisplayName: 'x' }))).toMatchObject({
      statusCode: 404,
    });
  });
});
