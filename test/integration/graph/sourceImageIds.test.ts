// getSourceImages through the app's device image API: only `resourceId` is asked for (with beta's
// `category` when gallery sources are on), the ids are the same whether Graph honours `$select` or
// answers every property, and only the ids the caller wants are kept.
import { afterEach, describe, expect, it } from 'vitest';
import {
  estate,
  gallery,
  galleryImage,
  galleryImageVersion,
  galleryImageVersionId,
  managedImage,
  managedImageResourceId,
  resourceGroup,
  subscription,
} from '../../../src/emulator';
import { useEmulator } from '../../support/emulator';
import { graphClient } from '../emulator/graphClient';
import { deviceImageApi } from './appDeviceImageApi';

const SUB = '41111111-1111-4111-8111-111111111111';
const HIDDEN = '42222222-2222-4222-8222-222222222222';
const SOURCE_IMAGES = '/deviceManagement/virtualEndpoint/deviceImages/getSourceImages';
const source = (name: string) => managedImageResourceId(SUB, 'rg-images', name);
const GOLD_140 = galleryImageVersionId(SUB, 'rg-gallery', 'galImages', 'win11-gold', '1.4.0');
const MANAGED = ['win10-ent-1.0.0', 'win11-ent-1.0.0', 'win11-ent-1.1.0'].map(source);

const fixture = useEmulator(() =>
  estate({
    subscriptions: [
      subscription({
        id: SUB,
        displayName: 'Imaging',
        resourceGroups: [
          resourceGroup(
            'rg-images',
            ['win11-ent-1.0.0', 'win11-ent-1.1.0', 'win10-ent-1.0.0'].map((name) => managedImage({ name })),
          ),
          resourceGroup('rg-gallery', [], {
            galleries: [gallery('galImages', [galleryImage({ name: 'win11-gold' }, [galleryImageVersion('1.4.0')])])],
          }),
        ],
      }),
      subscription({
        id: HIDDEN,
        displayName: 'Hidden',
        windows365CanRead: false,
        resourceGroups: [resourceGroup('rg-hidden', [managedImage({ name: 'hidden-1.0.0' })])],
      }),
    ],
  }),
);

afterEach(() => {
  fixture.emulator.clearFaults();
  fixture.emulator.clearRequests();
});

const sorted = (ids: readonly string[]) => ids.map((id) => id.toLowerCase()).sort();
const sent = () => fixture.emulator.requests.map((request) => [request.graphVersion, request.status, request.path.split('?')[1] ?? '']);

describe('DeviceImageApi.listSourceImageIds: what it asks for, and what it keeps', () => {
  it('asks v1.0 for resourceId only, and the emulator answers that property alone', async () => {
    const ids = await deviceImageApi(fixture.emulator).listSourceImageIds();
    expect(sorted(ids)).toEqual(sorted(MANAGED));
    expect(sent()).toEqual([['v1.0', 200, '$select=resourceId']]);

    const answer = (await graphClient(fixture.emulator).api(SOURCE_IMAGES).select(['resourceId']).get()) as { value: object[] };
    expect(answer.value.map((entry) => Object.keys(entry))).toEqual(MANAGED.map(() => ['resourceId']));
  });

  it('reads the same ids from an answer with every property: $select refused with 400 is read again without it', async () => {
    const selected = await deviceImageApi(fixture.emulator).listSourceImageIds();
    fixture.emulator.clearRequests();
    fixture.emulator.setFaults({ kinds: ['graph.deviceImages.getSourceImages'], refuse: { next: 1, status: 400, code: 'BadRequest' } });

    const unselected = await deviceImageApi(fixture.emulator).listSourceImageIds();
    expect(sorted(unselected)).toEqual(sorted(selected));
    expect(sent()).toEqual([
      ['v1.0', 400, '$select=resourceId'],
      ['v1.0', 200, ''],
    ]);
    // What that second answer held: every property, as Graph sends when it ignores $select.
    const answer = (await graphClient(fixture.emulator).api(SOURCE_IMAGES).get()) as { value: Record<string, unknown>[] };
    expect(Object.keys(answer.value[0] ?? {}).sort()).toEqual([
      'displayName',
      'id',
      'resourceId',
      'subscriptionDisplayName',
      'subscriptionId',
    ]);
  });

  it('with gallery sources on, asks beta for resourceId and category, and lists gallery versions too', async () => {
    const ids = await deviceImageApi(fixture.emulator, { betaSourceImages: true }).listSourceImageIds();
    expect(sorted(ids)).toEqual(sorted([...MANAGED, GOLD_140]));
    expect(sent()).toEqual([['beta', 200, '$select=resourceId,category']]);

    const answer = (await graphClient(fixture.emulator).api(SOURCE_IMAGES).version('beta').select(['resourceId', 'category']).get()) as {
      value: { resourceId: string; category: string }[];
    };
    expect(answer.value.find((entry) => entry.resourceId === GOLD_140)).toEqual({ resourceId: GOLD_140, category: 'azureComputeGallery' });
  });

  it('keeps only the ids the caller wants, from the same one request', async () => {
    const wanted = new Set(
      [source('win11-ent-1.1.0'), managedImageResourceId(HIDDEN, 'rg-hidden', 'hidden-1.0.0')].map((id) => id.toLowerCase()),
    );
    const ids = await deviceImageApi(fixture.emulator).listSourceImageIds((id) => wanted.has(id.toLowerCase()));
    expect(ids).toEqual([source('win11-ent-1.1.0')]);
    expect(sent()).toEqual([['v1.0', 200, '$select=resourceId']]);
  });

  it('refuses a $select of a property the version does not have (category on v1.0), as Graph does', async () => {
    const refused = graphClient(fixture.emulator).api(SOURCE_IMAGES).select(['resourceId', 'category']).get();
    await expect(refused).rejects.toMatchObject({ statusCode: 400 });
  });
});
