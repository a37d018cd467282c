import { afterEach, describe, expect, it } from 'vitest';
import { PageIterator, type PageCollection } from '@microsoft/microsoft-graph-client';
import { deviceImage, estate, managedImage, managedImageResourceId, osImage, resourceGroup, subscription } from '../../../src/emulator';
import { startTestEmulator, useEmulator } from '../../support/emulator';
import { createBody, DEVICE_IMAGES, graphClient, graphFailure } from './graphClient';

const SUB = '11111111-1111-4111-8111-111111111111';
const HIDDEN = '22222222-2222-4222-8222-222222222222';
const source = (name: string) => managedImageResourceId(SUB, 'rg-images', name);

const fixture = useEmulator(() =>
  estate({
    graph: { pageSize: 2 },
    subscriptions: [
      subscription({
        id: SUB,
        displayName: 'Imaging',
        resourceGroups: [
          resourceGroup(
            'rg-images',
            ['new-1.0.0', 'a-1.0.0', 'b-1.0.0'].map((name) => managedImage({ name })),
          ),
        ],
      }),
      subscription({
        id: HIDDEN,
        windows365CanRead: false,
        resourceGroups: [resourceGroup('rg-hidden', [managedImage({ name: 'hidden-1.0.0' })])],
      }),
    ],
    deviceImages: ['1.0.0', '1.1.0', '1.2.0', '1.3.0', '1.4.0'].map((version) =>
      deviceImage({
        displayName: 'seeded',
        version,
        sourceImageResourceId: source(`seeded-${version}`).replace('resourceGroups', 'resourcegroups'),
      }),
    ),
    osImages: [osImage({ id: 'Windows 11 23H2' }), osImage({ id: 'Windows 11 24H2' })],
  }),
);

afterEach(() => fixture.emulator.clearRequests());

describe('emulated Graph deviceImages through @microsoft/microsoft-graph-client', () => {
  it('pages the list through absolute @odata.nextLink URLs, which PageIterator follows', async () => {
    const client = graphClient(fixture.emulator);
    const first = (await client.api(DEVICE_IMAGES).get()) as PageCollection;
    expect(first.value).toHaveLength(2);
    expect(first['@odata.nextLink']).toMatch(
      new RegExp(`^${fixture.emulator.url}/v1.0/deviceManagement/virtualEndpoint/deviceImages\\?\\$skiptoken=`),
    );
    const versions: string[] = [];
    await new PageIterator(client, first, (image: { version: string }) => {
      versions.push(image.version);
      return true;
    }).iterate();
    expect(versions).toEqual(['1.0.0', '1.1.0', '1.2.0', '1.3.0', '1.4.0']);
    expect(fixture.emulator.count('graph.deviceImages.list')).toBe(3);
  });

  it('creates an image (201, pending, errorCode null), gets it, deletes it (204), then answers 404', async () => {
    const client = graphClient(fixture.emulator);
    const created = await client.api(DEVICE_IMAGES).post(createBody('new', '1.0.0', source('new-1.0.0')));
    expect(created).toMatchObject({
      displayName: 'new',
      version: '1.0.0',
      sourceImageResourceId: source('new-1.0.0'),
      status: 'pending',
      errorCode: null,
    });
    expect(fixture.emulator.requests.at(-1)).toMatchObject({ kind: 'graph.deviceImages.create', status: 201, graphVersion: 'v1.0' });
    const id = String(created.id);
    expect(await client.api(`${DEVICE_IMAGES}/${id}`).get()).toMatchObject({ id, status: 'pending' });
    await client.api(`${DEVICE_IMAGES}/${id}`).delete();
    expect(fixture.emulator.requests.at(-1)).toMatchObject({ kind: 'graph.deviceImages.delete', status: 204 });
    const gone = await graphFailure(client.api(`${DEVICE_IMAGES}/${id}`).get());
    expect(gone.statusCode).toBe(404);
    expect(fixture.emulator.deviceImages({ includeDeleted: true }).find((image) => image.id === id)?.deleted).toBe(true);
  });

  it('rejects a create whose displayName and version are taken, compared case-insensitively, with 409 and an error body', async () => {
    const failure = await graphFailure(
      graphClient(fixture.emulator)
        .api(DEVICE_IMAGES)
        .post(createBody('SEEDED', '1.0.0', source('a-1.0.0'))),
    );
    expect(failure.statusCode).toBe(409);
    expect(failure.code).toBe('Conflict');
    expect(failure.message).toContain('already exists');
  });

  it('validates a create: required properties, MAJOR.MINOR.PATCH versions, managed-image ids, known properties', async () => {
    const client = graphClient(fixture.emulator);
    const refused = async (body: Record<string, unknown>) => {
      const failure = await graphFailure(client.api(DEVICE_IMAGES).post(body));
      expect(failure.statusCode).toBe(400);
      return failure.message;
    };
    expect(await refused({ version: '1.0.0', sourceImageResourceId: source('a-1.0.0') })).toContain("'displayName' is required");
    expect(await refused(createBody('x', '1.2', source('a-1.0.0')))).toContain("'version'");
    expect(await refused(createBody('x', '1.2.0', '/subscriptions/nope/images/x'))).toContain("'sourceImageResourceId'");
    expect(await refused({ ...createBody('x', '1.2.0', source('a-1.0.0')), colour: 'blue' })).toContain("'colour' does not exist");
  });

  it('answers 401 InvalidAuthenticationToken to a request without a bearer token (also when the client lacks customHosts)', async () => {
    const emulator = fixture.emulator;
    const raw = await fetch(`${emulator.url}/v1.0${DEVICE_IMAGES}`);
    expect(raw.status).toBe(401);
    expect(await raw.json()).toMatchObject({ error: { code: 'InvalidAuthenticationToken' } });
    const arm = await fetch(`${emulator.url}/subscriptions/${SUB}/providers/Microsoft.Compute/images?api-version=2024-11-01`);
    expect(arm.status).toBe(401);
    const failure = await graphFailure(graphClient(emulator, { customHosts: new Set() }).api(DEVICE_IMAGES).get());
    expect(failure.statusCode).toBe(401);
    expect(emulator.requests.map((request) => request.hasBearerToken)).toEqual([false, false, false]);
  });

  it('refuses a token other than the one required, when the estate names one', async () => {
    const emulator = await startTestEmulator(estate({ token: 'the-right-token' }));
    try {
      expect(await graphClient(emulator).api(DEVICE_IMAGES).get()).toMatchObject({ value: [] });
      const failure = await graphFailure(graphClient(emulator, { token: 'another-token' }).api(DEVICE_IMAGES).get());
      expect(failure).toMatchObject({ statusCode: 401, code: 'InvalidAuthenticationToken' });
    } finally {
      await emulator.stop();
    }
  });

  it('applies a PATCH of displayName (200) and refuses read-only properties with 400', async () => {
    const client = graphClient(fixture.emulator);
    const [first] = fixture.emulator.deviceImages();
    const id = first?.id ?? '';
    const updated = await client.api(`${DEVICE_IMAGES}/${id}`).patch({ displayName: 'renamed' });
    expect(updated).toMatchObject({ id, displayName: 'renamed' });
    const failure = await graphFailure(client.api(`${DEVICE_IMAGES}/${id}`).patch({ status: 'ready' }));
    expect(failure.statusCode).toBe(400);
    await client.api(`${DEVICE_IMAGES}/${id}`).patch({ displayName: 'seeded' });
  });

  it('refuses every PATCH with 400 when the estate says updates are not supported', async () => {
    const emulator = await startTestEmulator(
      estate({
        graph: { updates: 'reject' },
        deviceImages: [deviceImage({ id: 'img-1', displayName: 'x', version: '1.0.0', sourceImageResourceId: source('x-1.0.0') })],
      }),
    );
    try {
      const failure = await graphFailure(graphClient(emulator).api(`${DEVICE_IMAGES}/img-1`).patch({ displayName: 'y' }));
      expect(failure).toMatchObject({ statusCode: 400, code: 'BadRequest' });
    } finally {
      await emulator.stop();
    }
  });

  it('lists getSourceImages from the estate: images of the subscriptions Windows 365 can read, each with its resourceId', async () => {
    const answer = await graphClient(fixture.emulator).api(`${DEVICE_IMAGES}/getSourceImages`).get();
    expect(answer.value).toHaveLength(3);
    expect(answer.value[0]).toEqual({
      id: source('new-1.0.0'),
      resourceId: source('new-1.0.0'),
      displayName: 'new-1.0.0',
      subscriptionId: SUB,
      subscriptionDisplayName: 'Imaging',
    });
    const resourceIds = answer.value.map((entry: { resourceId: string }) => entry.resourceId);
    expect(resourceIds).toEqual([source('new-1.0.0'), source('a-1.0.0'), source('b-1.0.0')]);
    expect(resourceIds.join()).not.toContain(HIDDEN);
    expect(fixture.emulator.requests[0]?.kind).toBe('graph.deviceImages.getSourceImages');
  });

  it('drops the images of a subscription from getSourceImages once Windows 365 cannot read it, and lists them again once it can', async () => {
    const emulator = fixture.emulator;
    const client = graphClient(emulator);
    emulator.setWindows365CanRead(HIDDEN, true);
    try {
      const shown = await client.api(`${DEVICE_IMAGES}/getSourceImages`).get();
      expect(shown.value.map((entry: { resourceId: string }) => entry.resourceId)).toContain(
        managedImageResourceId(HIDDEN, 'rg-hidden', 'hidden-1.0.0'),
      );
    } finally {
      emulator.setWindows365CanRead(HIDDEN, false);
    }
    const hidden = await client.api(`${DEVICE_IMAGES}/getSourceImages`).get();
    expect(hidden.value.some((entry: { subscriptionId: string }) => entry.subscriptionId === HIDDEN)).toBe(false);
  });

  it('refuses a create past the tenant limit, counting every status (failed, warning, pending) but not deleted images', async () => {
    const emulator = await startTestEmulator(
      estate({
        graph: { maxDeviceImages: 4 },
        deviceImages: [
          deviceImage({ id: 'ready', displayName: 'x', version: '1.0.0', sourceImageResourceId: source('x-1.0.0') }),
          deviceImage({ id: 'failed', displayName: 'x', version: '1.1.0', sourceImageResourceId: source('x-1.1.0'), status: 'failed' }),
          deviceImage({ id: 'warning', displayName: 'x', version: '1.2.0', sourceImageResourceId: source('x-1.2.0'), status: 'warning' }),
          deviceImage({ id: 'pending', displayName: 'x', version: '1.3.0', sourceImageResourceId: source('x-1.3.0'), status: 'pending' }),
        ],
      }),
    );
    try {
      const client = graphClient(emulator);
      const full = await graphFailure(client.api(DEVICE_IMAGES).post(createBody('x', '2.0.0', source('x-2.0.0'))));
      expect(full).toMatchObject({
        statusCode: 400,
        code: 'BadRequest',
        message: 'The tenant already holds the maximum of 4 custom images; delete one first.',
      });
      await client.api(`${DEVICE_IMAGES}/failed`).delete();
      expect(await client.api(DEVICE_IMAGES).post(createBody('x', '2.0.0', source('x-2.0.0')))).toMatchObject({ status: 'pending' });
      const again = await graphFailure(client.api(DEVICE_IMAGES).post(createBody('x', '2.1.0', source('x-2.1.0'))));
      expect(again).toMatchObject({
        statusCode: 400,
        message: 'The tenant already holds the maximum of 4 custom images; delete one first.',
      });
      expect(emulator.requests.map((request) => [request.kind, request.status])).toEqual([
        ['graph.deviceImages.create', 400],
        ['graph.deviceImages.delete', 204],
        ['graph.deviceImages.create', 201],
        ['graph.deviceImages.create', 400],
      ]);
      expect(emulator.deviceImages()).toHaveLength(4);
    } finally {
      await emulator.stop();
    }
  });

  it('supports $select and a simple $filter, and refuses a filter on sourceImageResourceId', async () => {
    const client = graphClient(fixture.emulator);
    const selected = await client.api(DEVICE_IMAGES).select(['displayName']).filter("version eq '1.3.0'").get();
    expect(selected.value).toEqual([{ id: expect.any(String), displayName: 'seeded' }]);
    const failure = await graphFailure(
      client
        .api(DEVICE_IMAGES)
        .filter(`sourceImageResourceId eq '${source('a-1.0.0')}'`)
        .get(),
    );
    expect(failure.statusCode).toBe(400);
  });

  it('serves the Windows OS catalogue on beta (list, get, create) and not on v1.0', async () => {
    const client = graphClient(fixture.emulator);
    const catalogue = '/deviceManagement/managedDeviceWindowsOSImages';
    const listed = await client.api(catalogue).version('beta').get();
    expect(listed.value.map((image: { id: string }) => image.id)).toEqual(['Windows 11 23H2', 'Windows 11 24H2']);
    const one = await client
      .api(`${catalogue}/${encodeURIComponent('Windows 11 24H2')}`)
      .version('beta')
      .get();
    expect(one.availableUpdates).toHaveLength(3);
    const created = await client
      .api(catalogue)
      .version('beta')
      .post({ id: 'Windows 10 22H2', supportedArchitectures: ['x64'] });
    expect(created).toMatchObject({ id: 'Windows 10 22H2' });
    expect((await graphFailure(client.api(catalogue).get())).statusCode).toBe(400);
    expect(fixture.emulator.requests.map((request) => request.kind)).toEqual([
      'graph.osImages.list',
      'graph.osImages.get',
      'graph.osImages.create',
      'graph.osImages.list',
    ]);
  });

  it('reports failures in the old statusDetails field when the estate asks for it', async () => {
    const emulator = await startTestEmulator(
      estate({
        graph: { failureField: 'statusDetails' },
        deviceImages: [
          deviceImage({
            id: 'old',
            displayName: 'x',
            version: '1.0.0',
            sourceImageResourceId: source('x-1.0.0'),
            status: 'failed',
            errorCode: 'sourceImageNotFound',
          }),
        ],
      }),
    );
    try {
      const image = await graphClient(emulator).api(`${DEVICE_IMAGES}/old`).get();
      expect(image).toMatchObject({ status: 'failed', statusDetails: 'sourceImageNotFound' });
      expect(image).not.toHaveProperty('errorCode');
    } finally {
      await emulator.stop();
    }
  });

  it('shows the warning status only on beta, to callers that send Prefer: include-unknown-enum-members; v1.0 has no such value', async () => {
    const emulator = await startTestEmulator(
      estate({
        deviceImages: [
          deviceImage({ id: 'warned', displayName: 'x', version: '1.0.0', sourceImageResourceId: source('x-1.0.0'), status: 'warning' }),
        ],
      }),
    );
    try {
      const client = graphClient(emulator);
      const statusOf = async (version: 'v1.0' | 'beta', prefer: boolean) => {
        const request = client.api(`${DEVICE_IMAGES}/warned`).version(version);
        return (await (prefer ? request.header('Prefer', 'include-unknown-enum-members') : request).get()).status;
      };
      expect(await statusOf('v1.0', false)).toBe('unknownFutureValue');
      expect(await statusOf('v1.0', true)).toBe('unknownFutureValue');
      expect(await statusOf('beta', false)).toBe('unknownFutureValue');
      expect(await statusOf('beta', true)).toBe('warning');
      const listed = await client.api(DEVICE_IMAGES).header('Prefer', 'include-unknown-enum-members').get();
      expect(listed.value.map((image: { status: string }) => image.status)).toEqual(['unknownFutureValue']);
      expect(emulator.deviceImages()[0]?.status).toBe('warning');
    } finally {
      await emulator.stop();
    }
  });

  it('answers v1.0 with osVersionNumber and sizeInGB (in v1.0 since March 2026) but without beta-only scopeIds, and beta with all three', async () => {
    const client = graphClient(fixture.emulator);
    const [seeded] = fixture.emulator.deviceImages();
    const id = seeded?.id ?? '';
    const v1 = await client.api(`${DEVICE_IMAGES}/${id}`).get();
    expect(
      Object.keys(v1)
        .filter((name) => name !== '@odata.context')
        .sort(),
    ).toEqual(
      [
        'id',
        'displayName',
        'version',
        'sourceImageResourceId',
        'status',
        'errorCode',
        'osStatus',
        'expirationDate',
        'lastModifiedDateTime',
        'operatingSystem',
        'osBuildNumber',
        'osVersionNumber',
        'sizeInGB',
      ].sort(),
    );
    expect(v1).toMatchObject({ osVersionNumber: '10.0.22631.4317', sizeInGB: 64 });
    const listed = await client.api(DEVICE_IMAGES).get();
    for (const image of listed.value) expect(image).not.toHaveProperty('scopeIds');
    const beta = await client.api(`${DEVICE_IMAGES}/${id}`).version('beta').get();
    expect(beta).toMatchObject({ id, osVersionNumber: '10.0.22631.4317', sizeInGB: 64, scopeIds: ['0'] });
  });

  it('refuses a $select of a beta-only property on v1.0 with 400, and serves it on beta', async () => {
    const client = graphClient(fixture.emulator);
    const [seeded] = fixture.emulator.deviceImages();
    const id = seeded?.id ?? '';
    const failure = await graphFailure(client.api(`${DEVICE_IMAGES}/${id}`).select(['scopeIds']).get());
    expect(failure).toMatchObject({ statusCode: 400, code: 'BadRequest' });
    expect(failure.message).toBe("Could not find a property named 'scopeIds' on type 'microsoft.graph.cloudPcDeviceImage'.");
    expect((await graphFailure(client.api(DEVICE_IMAGES).select(['displayName', 'scopeIds']).get())).statusCode).toBe(400);
    expect(await client.api(`${DEVICE_IMAGES}/${id}`).select(['osVersionNumber']).get()).toEqual({
      id,
      osVersionNumber: '10.0.22631.4317',
    });
    expect(await client.api(`${DEVICE_IMAGES}/${id}`).version('beta').select(['scopeIds']).get()).toEqual({ id, scopeIds: ['0'] });
  });

  it('refuses a create naming a beta-only property on v1.0, where the type does not have it', async () => {
    const failure = await graphFailure(
      graphClient(fixture.emulator)
        .api(DEVICE_IMAGES)
        .post({ ...createBody('x', '9.0.0', source('a-1.0.0')), scopeIds: ['0'] }),
    );
    expect(failure.statusCode).toBe(400);
    expect(failure.message).toContain("'scopeIds' does not exist on type 'microsoft.graph.cloudPcDeviceImage'");
    expect(fixture.emulator.deviceImages().some((image) => image.version === '9.0.0')).toBe(false);
  });

  it('lists getSourceImages on beta with category managedImage, which v1.0 does not have', async () => {
    const client = graphClient(fixture.emulator);
    const beta = await client.api(`${DEVICE_IMAGES}/getSourceImages`).version('beta').get();
    expect(beta.value[0]).toEqual({
      id: source('new-1.0.0'),
      resourceId: source('new-1.0.0'),
      displayName: 'new-1.0.0',
      subscriptionId: SUB,
      subscriptionDisplayName: 'Imaging',
      category: 'managedImage',
    });
    const v1 = await client.api(`${DEVICE_IMAGES}/getSourceImages`).get();
    for (const entry of v1.value) expect(entry).not.toHaveProperty('category');
  });
});
