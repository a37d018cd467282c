// The lifecycle calls of the device image API (delete, getSourceImages, provisioning policies, a
// create past the tenant's limit) through the app's own Graph client, against the emulator.
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
import { DeviceImageInUseError, PermanentError, TenantImageLimitError } from '../../../src/errors';
import { startTestEmulator, useEmulator } from '../../support/emulator';
import { deviceImageApi, rejection } from './appDeviceImageApi';

const SUB = '31111111-1111-4111-8111-111111111111';
const HIDDEN = '32222222-2222-4222-8222-222222222222';
const source = (name: string) => managedImageResourceId(SUB, 'rg-images', name);
const hidden = (name: string) => managedImageResourceId(HIDDEN, 'rg-hidden', name);

const DELETABLE_ID = 'd0000000-0000-4000-8000-000000000001';
const FLAGGED_IN_USE_ID = 'd0000000-0000-4000-8000-000000000002';
const POLICY_IMAGE_ID = 'd0000000-0000-4000-8000-000000000003';
const RESET_ID = 'd0000000-0000-4000-8000-000000000004';
const TWICE_ID = 'd0000000-0000-4000-8000-000000000005';
const NEVER_EXISTED_ID = 'd0000000-0000-4000-8000-0000000000ff';

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
            ['win11-ent-1.0.0', 'win11-ent-1.1.0', 'win10-ent-1.0.0'].map((name) => managedImage({ name })),
          ),
        ],
      }),
      subscription({
        id: HIDDEN,
        displayName: 'Hidden',
        windows365CanRead: false,
        resourceGroups: [resourceGroup('rg-hidden', [managedImage({ name: 'hidden-1.0.0' })])],
      }),
    ],
    deviceImages: [
      deviceImage({ id: DELETABLE_ID, displayName: 'win11-ent', version: '1.0.0', sourceImageResourceId: source('win11-ent-1.0.0') }),
      deviceImage({
        id: FLAGGED_IN_USE_ID,
        displayName: 'win11-ent',
        version: '1.1.0',
        sourceImageResourceId: source('win11-ent-1.1.0'),
        usedByProvisioningPolicy: true,
        reportedOs: { osStatus: 'supportedWithWarning' },
      }),
      deviceImage({ id: POLICY_IMAGE_ID, displayName: 'win10-ent', version: '1.0.0', sourceImageResourceId: source('win10-ent-1.0.0') }),
      deviceImage({ id: RESET_ID, displayName: 'win10-ent', version: '0.9.0', sourceImageResourceId: source('win10-ent-1.0.0') }),
      deviceImage({ id: TWICE_ID, displayName: 'win10-ent', version: '0.8.0', sourceImageResourceId: source('win10-ent-1.0.0') }),
    ],
    provisioningPolicies: [
      provisioningPolicy({
        id: 'p0000000-0000-4000-8000-000000000001',
        displayName: 'Finance',
        imageType: 'custom',
        imageId: POLICY_IMAGE_ID,
        imageDisplayName: 'win10-ent 1.0.0',
      }),
      provisioningPolicy({
        id: 'p0000000-0000-4000-8000-000000000002',
        displayName: 'Sales',
        imageType: 'gallery',
        imageId: 'microsoftwindowsdesktop_windows-ent-cpc_win11-24h2-ent-cpc',
        imageDisplayName: 'Windows 11 Enterprise 24H2',
      }),
      provisioningPolicy({ id: 'p0000000-0000-4000-8000-000000000003', displayName: 'Engineering', imageType: 'custom' }),
    ],
  }),
);

afterEach(() => {
  fixture.emulator.clearFaults();
  fixture.emulator.clearRequests();
});

describe('DeviceImageApi.delete against the emulator', () => {
  it('deletes a device image (one DELETE, 204): deleted, and it is gone from the listing', async () => {
    const api = deviceImageApi(fixture.emulator);
    expect(await api.delete(DELETABLE_ID)).toBe('deleted');
    expect(
      fixture.emulator.requests.filter((request) => request.kind === 'graph.deviceImages.delete').map((request) => request.status),
    ).toEqual([204]);
    expect((await api.list()).map((image) => image.id)).not.toContain(DELETABLE_ID);
    expect(await api.get(DELETABLE_ID)).toBeNull();
  });

  it('answers absent for a second delete of the same image (404), without throwing', async () => {
    const api = deviceImageApi(fixture.emulator);
    expect(await api.delete(TWICE_ID)).toBe('deleted');
    await expect(api.delete(TWICE_ID)).resolves.toBe('absent');
    expect(
      fixture.emulator.requests.filter((request) => request.kind === 'graph.deviceImages.delete').map((request) => request.status),
    ).toEqual([204, 404]);
  });

  it('answers absent for an id the tenant never had', async () => {
    await expect(deviceImageApi(fixture.emulator).delete(NEVER_EXISTED_ID)).resolves.toBe('absent');
  });

  it("throws DeviceImageInUseError, keeping Graph's message, for an image a provisioning policy uses; the image stays", async () => {
    const api = deviceImageApi(fixture.emulator);
    const error = await rejection(api.delete(FLAGGED_IN_USE_ID));
    expect(error).toBeInstanceOf(DeviceImageInUseError);
    expect(error instanceof DeviceImageInUseError ? error.status : null).toBe(400);
    expect(error instanceof Error ? error.message : '').toMatch(/provisioning polic.*cannot be deleted/);
    expect(fixture.emulator.count('graph.deviceImages.delete')).toBe(1);
    expect(await api.get(FLAGGED_IN_USE_ID)).toMatchObject({ id: FLAGGED_IN_USE_ID, status: 'ready' });
  });

  it('throws DeviceImageInUseError for an image a seeded provisioning policy points at', async () => {
    const error = await rejection(deviceImageApi(fixture.emulator).delete(POLICY_IMAGE_ID));
    expect(error).toBeInstanceOf(DeviceImageInUseError);
    expect(error instanceof Error ? error.message : '').toContain('Finance');
  });

  it('sends the delete again after a reset: DELETE is idempotent', async () => {
    fixture.emulator.setFaults({ kinds: ['graph.deviceImages.delete'], reset: { next: 1 } });
    await expect(deviceImageApi(fixture.emulator).delete(RESET_ID)).resolves.toBe('deleted');
    expect(
      fixture.emulator.requests.filter((request) => request.kind === 'graph.deviceImages.delete').map((request) => request.status),
    ).toEqual(['reset', 204]);
  });

  it('refuses an id that is not a device image id without sending anything', async () => {
    const error = await rejection(deviceImageApi(fixture.emulator).delete('../provisioningPolicies'));
    expect(error).toBeInstanceOf(PermanentError);
    expect(fixture.emulator.requests).toHaveLength(0);
  });
});

describe('DeviceImageApi.listSourceImageIds against the emulator', () => {
  it('lists the resource ids of the images Windows 365 can read, and not those of a subscription it cannot', async () => {
    const ids = await deviceImageApi(fixture.emulator).listSourceImageIds();
    expect(ids.map((id) => id.toLowerCase()).sort()).toEqual(
      ['win10-ent-1.0.0', 'win11-ent-1.0.0', 'win11-ent-1.1.0'].map((name) => source(name).toLowerCase()).sort(),
    );
    expect(ids.map((id) => id.toLowerCase())).not.toContain(hidden('hidden-1.0.0').toLowerCase());
    expect(fixture.emulator.requests.map((request) => [request.kind, request.graphVersion])).toEqual([
      ['graph.deviceImages.getSourceImages', 'v1.0'],
    ]);
  });
});

describe('DeviceImageApi.listProvisioningPolicies against the emulator', () => {
  it('lists every policy across pages, with the image each gives new Cloud PCs', async () => {
    const policies = await deviceImageApi(fixture.emulator).listProvisioningPolicies();
    expect(policies).toEqual([
      {
        id: 'p0000000-0000-4000-8000-000000000001',
        displayName: 'Finance',
        imageType: 'custom',
        imageId: POLICY_IMAGE_ID,
        imageDisplayName: 'win10-ent 1.0.0',
      },
      {
        id: 'p0000000-0000-4000-8000-000000000002',
        displayName: 'Sales',
        imageType: 'gallery',
        imageId: 'microsoftwindowsdesktop_windows-ent-cpc_win11-24h2-ent-cpc',
        imageDisplayName: 'Windows 11 Enterprise 24H2',
      },
      {
        id: 'p0000000-0000-4000-8000-000000000003',
        displayName: 'Engineering',
        imageType: 'custom',
        imageId: null,
        imageDisplayName: null,
      },
    ]);
    expect(fixture.emulator.count('graph.provisioningPolicies.list')).toBe(2);
    expect(fixture.emulator.requests.every((request) => request.graphVersion === 'v1.0')).toBe(true);
  });
});

describe('DeviceImageApi.getProvisioningPolicy against the emulator', () => {
  it('reads one policy as it is now (one GET, ids in any casing), and null for a policy Graph does not have (404)', async () => {
    const api = deviceImageApi(fixture.emulator);
    expect(await api.getProvisioningPolicy('P0000000-0000-4000-8000-000000000002')).toEqual({
      id: 'p0000000-0000-4000-8000-000000000002',
      displayName: 'Sales',
      imageType: 'gallery',
      imageId: 'microsoftwindowsdesktop_windows-ent-cpc_win11-24h2-ent-cpc',
      imageDisplayName: 'Windows 11 Enterprise 24H2',
    });
    expect(await api.getProvisioningPolicy('p0000000-0000-4000-8000-0000000000ff')).toBeNull();
    expect(fixture.emulator.requests.map((request) => [request.kind, request.status])).toEqual([
      ['graph.provisioningPolicies.get', 200],
      ['graph.provisioningPolicies.get', 404],
    ]);
  });
});

describe('DeviceImageApi reads osStatus and expirationDate', () => {
  it('gives a ready image its osStatus and a YYYY-MM-DD expirationDate', async () => {
    const image = await deviceImageApi(fixture.emulator).get(FLAGGED_IN_USE_ID);
    expect(image?.osStatus).toBe('supportedWithWarning');
    expect(image?.expirationDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('reads osStatus unknown for a ready image whose OS support Graph does not know', async () => {
    expect((await deviceImageApi(fixture.emulator).get(POLICY_IMAGE_ID))?.osStatus).toBe('unknown');
  });
});

describe('DeviceImageApi.create in a full tenant', () => {
  it('throws TenantImageLimitError for a create past the limit, sent once, and nothing is created', async () => {
    const emulator = await startTestEmulator(
      estate({
        graph: { maxDeviceImages: 1 },
        subscriptions: [
          subscription({
            id: SUB,
            resourceGroups: [
              resourceGroup('rg-images', [managedImage({ name: 'win11-ent-1.0.0' }), managedImage({ name: 'win11-ent-1.1.0' })]),
            ],
          }),
        ],
        deviceImages: [deviceImage({ displayName: 'win11-ent', version: '1.0.0', sourceImageResourceId: source('win11-ent-1.0.0') })],
      }),
    );
    try {
      const error = await rejection(
        deviceImageApi(emulator).create({ displayName: 'win11-ent', version: '1.1.0', sourceImageResourceId: source('win11-ent-1.1.0') }),
      );
      expect(error).toBeInstanceOf(TenantImageLimitError);
      expect(error instanceof TenantImageLimitError ? error.status : null).toBe(400);
      expect(error instanceof Error ? error.message : '').toContain('maximum of 1 custom images');
      expect(emulator.requests.filter((request) => request.kind === 'graph.deviceImages.create').map((request) => request.status)).toEqual([
        400,
      ]);
      expect(emulator.deviceImages().map((image) => image.version)).toEqual(['1.0.0']);
    } finally {
      await emulator.stop();
    }
  });

  it('still creates while there is room, and a duplicate is a plain refusal, not the limit', async () => {
    const emulator = await startTestEmulator(
      estate({
        graph: { maxDeviceImages: 3 },
        subscriptions: [
          subscription({
            id: SUB,
            resourceGroups: [
              resourceGroup('rg-images', [managedImage({ name: 'win11-ent-1.0.0' }), managedImage({ name: 'win11-ent-1.1.0' })]),
            ],
          }),
        ],
        deviceImages: [deviceImage({ displayName: 'win11-ent', version: '1.0.0', sourceImageResourceId: source('win11-ent-1.0.0') })],
      }),
    );
    try {
      const api = deviceImageApi(emulator);
      await expect(
        api.create({ displayName: 'win11-ent', version: '1.1.0', sourceImageResourceId: source('win11-ent-1.1.0') }),
      ).resolves.toMatchObject({ version: '1.1.0', status: 'pending' });
      const duplicate = await rejection(
        api.create({ displayName: 'win11-ent', version: '1.0.0', sourceImageResourceId: source('win11-ent-1.0.0') }),
      );
      expect(duplicate).toBeInstanceOf(PermanentError);
      expect(duplicate).not.toBeInstanceOf(TenantImageLimitError);
    } finally {
      await emulator.stop();
    }
  });
});
