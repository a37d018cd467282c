import { describe, expect, it } from 'vitest';
import { GraphError, type Client } from '@microsoft/microsoft-graph-client';
import {
  deviceImage,
  estate,
  managedImage,
  managedImageResourceId,
  resourceGroup,
  subscription,
  type EstateInput,
} from '../../../src/emulator';
import { manualClock, startTestEmulator, useEmulator } from '../../support/emulator';
import { createBody, DEVICE_IMAGES, graphClient } from './graphClient';

const SUB = '11111111-1111-4111-8111-111111111111';
const HIDDEN = '22222222-2222-4222-8222-222222222222';
const source = (name: string, subscriptionId = SUB) => managedImageResourceId(subscriptionId, 'rg-images', name);

const uploadEstate = (): EstateInput =>
  estate({
    uploadSeconds: 0.3,
    subscriptions: [
      subscription({
        id: SUB,
        resourceGroups: [
          resourceGroup('rg-images', [
            managedImage({ name: 'good-1.0.0' }),
            managedImage({ name: 'sysprep-1.0.0', upload: { outcome: 'failed', errorCode: 'sourceImageNotGeneralized', seconds: 0.2 } }),
            managedImage({
              name: 'flaky-1.0.0',
              upload: { outcome: 'failed', errorCode: 'internalServerError', seconds: 0.2, retryOutcome: 'ready', retrySeconds: 0.3 },
            }),
            managedImage({
              name: 'broken-1.0.0',
              upload: { outcome: 'failed', errorCode: 'internalServerError', seconds: 0.2, retryErrorCode: 'sourceImageInvalid' },
            }),
            managedImage({ name: 'specialized-1.0.0', osState: 'Specialized' }),
            managedImage({ name: 'ending-1.0.0', reportedOs: { osStatus: 'supportedWithWarning', expirationDate: '2026-12-31' } }),
            managedImage({ name: 'warned-1.0.0', upload: { outcome: 'warning', seconds: 0.3 } }),
            managedImage({ name: 'disks-1.0.0', dataDisks: 2 }),
            managedImage({
              name: 'encrypted-1.0.0',
              diskEncryptionSet: `/subscriptions/${SUB}/resourceGroups/rg-keys/providers/Microsoft.Compute/diskEncryptionSets/des-1`,
            }),
            managedImage({ name: 'gen1-1.0.0', hyperVGeneration: 'V1', dataDisks: 1 }),
            managedImage({ name: 'joined-1.0.0', upload: { outcome: 'failed', errorCode: 'vmAlreadyAzureAdjoined', seconds: 0.2 } }),
          ]),
        ],
      }),
      subscription({
        id: HIDDEN,
        windows365CanRead: false,
        resourceGroups: [resourceGroup('rg-images', [managedImage({ name: 'hidden-1.0.0' })])],
      }),
    ],
    deviceImages: [
      deviceImage({
        id: 'seeded-unknown',
        displayName: 'seeded',
        version: '1.0.0',
        sourceImageResourceId: source('seeded-1.0.0'),
        reportedOs: { osStatus: 'unknown', expirationDate: '2025-06-30' },
      }),
      deviceImage({
        id: 'seeded-failed',
        displayName: 'seeded',
        version: '1.1.0',
        sourceImageResourceId: source('seeded-1.1.0'),
        status: 'failed',
        reportedOs: { osStatus: 'supported' },
      }),
    ],
  });

/** Most tests move this clock rather than wait; one test settles on real time. */
const clock = manualClock();
const fixture = useEmulator(uploadEstate, { clock });

let versionsUsed = 0;

/** Creates a device image of the source image `name`; each call uses a fresh version, so none is a duplicate. */
async function create(client: Client, name: string, subscriptionId = SUB): Promise<string> {
  versionsUsed += 1;
  const created = await client.api(DEVICE_IMAGES).post(createBody(name, `1.0.${versionsUsed}`, source(name, subscriptionId)));
  expect(created.status).toBe('pending');
  return String(created.id);
}

async function statusOf(client: Client, id: string): Promise<{ status: string; errorCode: string | null; [name: string]: unknown }> {
  return client.api(`${DEVICE_IMAGES}/${id}`).get();
}

/** The image as a beta caller that sends `Prefer: include-unknown-enum-members` (as the app does) reads it. */
async function betaStatusOf(client: Client, id: string): Promise<{ status: string; errorCode: string | null; [name: string]: unknown }> {
  return client.api(`${DEVICE_IMAGES}/${id}`).version('beta').header('Prefer', 'include-unknown-enum-members').get();
}

describe('emulated uploads: pending → ready or failed on the clock, and retryUpload', () => {
  it('settles an eligible image pending → ready when its time has passed on an injected clock, with the OS filled in', async () => {
    const client = graphClient(fixture.emulator);
    const id = await create(client, 'good-1.0.0');
    clock.advance(299);
    expect(await statusOf(client, id)).toMatchObject({ status: 'pending', errorCode: null, operatingSystem: null });
    clock.advance(1);
    expect(await statusOf(client, id)).toMatchObject({
      status: 'ready',
      errorCode: null,
      osStatus: 'unknown',
      operatingSystem: 'Windows 11 Enterprise',
      osBuildNumber: '22631',
      lastModifiedDateTime: clock.now().toISOString(),
    });
    expect(await betaStatusOf(client, id)).toMatchObject({ status: 'ready', osVersionNumber: '10.0.22631.4317', sizeInGB: 64 });
  });

  it('shows osStatus and expirationDate on usable images only: by default unknown, usable until two years after the upload settles', async () => {
    const emulator = fixture.emulator;
    const client = graphClient(emulator);
    const id = await create(client, 'good-1.0.0');
    expect(await statusOf(client, id)).toMatchObject({ status: 'pending', osStatus: null, expirationDate: null });
    clock.advance(300);
    const settledAt = clock.now().getTime();
    const twoYearsOn = new Date(settledAt + 2 * 365 * 24 * 3600_000).toISOString().slice(0, 10);
    expect(await statusOf(client, id)).toMatchObject({ status: 'ready', osStatus: 'unknown', expirationDate: twoYearsOn });
    expect(emulator.deviceImages().find((image) => image.id === id)).toMatchObject({ osStatus: 'unknown', expirationDate: twoYearsOn });
    const failed = await create(client, 'sysprep-1.0.0');
    clock.advance(300);
    expect(await statusOf(client, failed)).toMatchObject({ status: 'failed', osStatus: null, expirationDate: null });
  });

  it('reports the osStatus and expirationDate the estate gives a managed image or a seed, and unknown for a warning upload it says nothing of', async () => {
    const emulator = fixture.emulator;
    const client = graphClient(emulator);
    const ending = await create(client, 'ending-1.0.0');
    const warned = await create(client, 'warned-1.0.0');
    clock.advance(300);
    expect(await statusOf(client, ending)).toMatchObject({
      status: 'ready',
      osStatus: 'supportedWithWarning',
      expirationDate: '2026-12-31',
    });
    expect(await betaStatusOf(client, warned)).toMatchObject({
      status: 'warning',
      osStatus: 'unknown',
      expirationDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
    expect(await statusOf(client, 'seeded-unknown')).toMatchObject({ status: 'ready', osStatus: 'unknown', expirationDate: '2025-06-30' });
    expect(await statusOf(client, 'seeded-failed')).toMatchObject({ status: 'failed', osStatus: null, expirationDate: null });
    const described = emulator.deviceImages();
    expect(described.find((image) => image.id === 'seeded-unknown')).toMatchObject({ osStatus: 'unknown', expirationDate: '2025-06-30' });
    expect(described.find((image) => image.id === 'seeded-failed')).toMatchObject({ osStatus: null, expirationDate: null });
  });

  it('fails an upload with the errorCode the estate gives its source image, on real time', async () => {
    const emulator = await startTestEmulator(uploadEstate());
    try {
      const client = graphClient(emulator);
      const id = await create(client, 'sysprep-1.0.0');
      await new Promise((resolve) => setTimeout(resolve, 250));
      expect(await statusOf(client, id)).toMatchObject({ status: 'failed', errorCode: 'sourceImageNotGeneralized', operatingSystem: null });
    } finally {
      await emulator.stop();
    }
  });

  it('fails sourceImageNotFound for a source not in the estate or in a subscription Windows 365 cannot read', async () => {
    const client = graphClient(fixture.emulator);
    const missing = await create(client, 'absent-1.0.0');
    const hidden = await create(client, 'hidden-1.0.0', HIDDEN);
    clock.advance(350);
    expect(await statusOf(client, missing)).toMatchObject({ status: 'failed', errorCode: 'sourceImageNotFound' });
    expect(await statusOf(client, hidden)).toMatchObject({ status: 'failed', errorCode: 'sourceImageNotFound' });
  });

  it('fails an image that breaks the source requirements with the code Windows 365 gives (not generalized)', async () => {
    const client = graphClient(fixture.emulator);
    const id = await create(client, 'specialized-1.0.0');
    clock.advance(350);
    expect(await statusOf(client, id)).toMatchObject({ status: 'failed', errorCode: 'sourceImageNotGeneralized' });
  });

  it('serves retryUpload on beta only: v1.0 answers 400 for the unknown segment', async () => {
    const emulator = fixture.emulator;
    const client = graphClient(emulator);
    const id = await create(client, 'broken-1.0.0');
    clock.advance(250);
    const failure = await client
      .api(`${DEVICE_IMAGES}/${id}/retryUpload`)
      .post(null)
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(GraphError);
    expect(failure).toMatchObject({ statusCode: 400, code: 'BadRequest' });
    expect((failure as GraphError).message).toContain("segment 'retryUpload'");
    expect(emulator.requests.at(-1)).toMatchObject({ kind: 'graph.deviceImages.retryUpload', graphVersion: 'v1.0', status: 400 });
  });

  it('turns a failed upload into pending, then ready, on a beta retryUpload (204) when the estate says the retry succeeds', async () => {
    const emulator = fixture.emulator;
    const client = graphClient(emulator);
    const id = await create(client, 'flaky-1.0.0');
    clock.advance(250);
    expect(await statusOf(client, id)).toMatchObject({ status: 'failed', errorCode: 'internalServerError' });
    await client.api(`${DEVICE_IMAGES}/${id}/retryUpload`).version('beta').post(null);
    expect(emulator.requests.at(-1)).toMatchObject({ kind: 'graph.deviceImages.retryUpload', graphVersion: 'beta', status: 204 });
    expect(await statusOf(client, id)).toMatchObject({ status: 'pending', errorCode: null });
    clock.advance(350);
    expect(await statusOf(client, id)).toMatchObject({ status: 'ready', errorCode: null });
    expect(emulator.deviceImages().find((image) => image.id === id)?.uploads).toBe(2);
  });

  it('fails a retried upload again, with the retry errorCode, when the estate says so', async () => {
    const client = graphClient(fixture.emulator);
    const id = await create(client, 'broken-1.0.0');
    clock.advance(250);
    await client.api(`${DEVICE_IMAGES}/${id}/retryUpload`).version('beta').post(null);
    clock.advance(250);
    expect(await statusOf(client, id)).toMatchObject({ status: 'failed', errorCode: 'sourceImageInvalid' });
  });

  it('refuses retryUpload of an upload that has not failed', async () => {
    const client = graphClient(fixture.emulator);
    const id = await create(client, 'good-1.0.0');
    const failure = await client
      .api(`${DEVICE_IMAGES}/${id}/retryUpload`)
      .version('beta')
      .post(null)
      .then(
        () => null,
        (error: unknown) => error,
      );
    expect(failure).toMatchObject({ statusCode: 400 });
    expect((failure as GraphError).message).toContain('Only a failed upload can be retried');
  });

  it('refuses the retired reupload action', async () => {
    const client = graphClient(fixture.emulator);
    const id = await create(client, 'sysprep-1.0.0');
    clock.advance(250);
    for (const version of ['v1.0', 'beta']) {
      const failure = await client
        .api(`${DEVICE_IMAGES}/${id}/reupload`)
        .version(version)
        .post(null)
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(failure).toMatchObject({ statusCode: 400 });
      expect((failure as GraphError).message).toContain('retired');
    }
    expect(fixture.emulator.count('graph.deviceImages.reupload')).toBe(2);
  });
  it.each([
    ['disks-1.0.0', 'sourceImageWithDataDiskNotSupported'],
    ['encrypted-1.0.0', 'sourceImageWithDiskEncryptionSetNotSupported'],
  ])("fails %s with beta's own code %s on beta, and sourceImageInvalid on v1.0, header or not", async (name, betaCode) => {
    const client = graphClient(fixture.emulator);
    const id = await create(client, name);
    clock.advance(350);
    expect(await betaStatusOf(client, id)).toMatchObject({ status: 'failed', errorCode: betaCode });
    expect(await statusOf(client, id)).toMatchObject({ status: 'failed', errorCode: 'sourceImageInvalid' });
    expect(await client.api(`${DEVICE_IMAGES}/${id}`).header('Prefer', 'include-unknown-enum-members').get()).toMatchObject({
      errorCode: 'sourceImageInvalid',
    });
    // Beta's codes follow unknownFutureValue in its enum: without the header they read as it.
    expect(await client.api(`${DEVICE_IMAGES}/${id}`).version('beta').get()).toMatchObject({ errorCode: 'unknownFutureValue' });
    expect(fixture.emulator.deviceImages().find((image) => image.id === id)).toMatchObject({ errorCode: betaCode });
  });

  it('fails a Generation 1 image sourceImageInvalid in both versions, before its data disks are looked at', async () => {
    const client = graphClient(fixture.emulator);
    const id = await create(client, 'gen1-1.0.0');
    clock.advance(350);
    expect(await statusOf(client, id)).toMatchObject({ errorCode: 'sourceImageInvalid' });
    expect(await betaStatusOf(client, id)).toMatchObject({ errorCode: 'sourceImageInvalid' });
  });

  it('shows an evolvable errorCode (vmAlreadyAzureAdjoined) only to callers that send the Prefer header, spelt as the estate spells it', async () => {
    const client = graphClient(fixture.emulator);
    const id = await create(client, 'joined-1.0.0');
    clock.advance(250);
    expect(await statusOf(client, id)).toMatchObject({ status: 'failed', errorCode: 'unknownFutureValue' });
    expect(await client.api(`${DEVICE_IMAGES}/${id}`).header('Prefer', 'include-unknown-enum-members').get()).toMatchObject({
      errorCode: 'vmAlreadyAzureAdjoined',
    });
    expect(await betaStatusOf(client, id)).toMatchObject({ errorCode: 'vmAlreadyAzureAdjoined' });
  });
});
