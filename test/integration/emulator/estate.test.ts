import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEstateFile, sampleEstate, serveEmulator } from '../../../src/emulator';
import { startTestEmulator } from '../../support/emulator';
import { estateProblems } from './graphClient';

let directory = '';
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'estate-test-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const problemsOf = estateProblems;

describe('estate files', () => {
  it('reads the sample estate: two subscriptions, one with four resource groups (a gallery, an empty staging group), tagged and untagged images, two registered images (one an earlier version of a rebuilt image)', () => {
    const sample = sampleEstate();
    expect(sample.subscriptions.map((subscription) => subscription.resourceGroups.length)).toEqual([4, 1]);
    const groups = sample.subscriptions[0]?.resourceGroups ?? [];
    const staging = groups.find((group) => group.name === 'rg-cloudpc-staging');
    expect([staging?.location, staging?.images, staging?.galleries]).toEqual(['westeurope', [], []]);
    const gold = groups.find((group) => group.name === 'rg-gallery')?.galleries[0]?.images[0];
    expect(gold).toMatchObject({ name: 'win11-gold', osType: 'Windows', osState: 'Generalized', hyperVGeneration: 'V2' });
    expect(gold?.tags).toEqual({ 'cloudpc-sync': 'true', 'cloudpc-display-name': 'Windows 11 Gold' });
    expect(gold?.versions.map((version) => [version.name, version.targetRegions])).toEqual([['1.4.0', ['West Europe']]]);
    const images = sample.subscriptions.flatMap((subscription) => subscription.resourceGroups.flatMap((group) => group.images));
    const optedIn = images.filter((image) =>
      Object.entries(image.tags ?? {}).some(([name, value]) => name.toLowerCase() === 'cloudpc-sync' && value.toLowerCase() === 'true'),
    );
    expect(optedIn).toHaveLength(11);
    expect(images.length - optedIn.length).toBe(2);
    expect(sample.deviceImages).toHaveLength(2);
    expect(sample.deviceImages[0]?.sourceImageResourceId).toContain('/resourcegroups/RG-Images/');
    const kiosk = images.find((image) => image.name === 'win11-kiosk');
    expect([kiosk?.build, kiosk?.tags?.['cloudpc-version'], sample.deviceImages[1]?.version]).toEqual(['2026-11-28', '3.1.0', '3.0.0']);
    expect(
      images.filter((image) => image.upload?.outcome === 'failed').map((image) => [image.upload?.errorCode, image.upload?.retryOutcome]),
    ).toEqual([
      ['sourceImageNotGeneralized', undefined],
      ['internalServerError', 'ready'],
    ]);
  });

  it('serves the sample estate: the registered device image and every image Windows 365 can see', async () => {
    const emulator = await startTestEmulator(sampleEstate());
    try {
      const headers = { Authorization: `Bearer ${emulator.token}` };
      const base = `${emulator.url}/v1.0/deviceManagement/virtualEndpoint/deviceImages`;
      const listed = (await (await fetch(base, { headers })).json()) as { value: { id: string; status: string }[] };
      expect(listed.value).toEqual([
        expect.objectContaining({ id: 'eda7ed64-7705-4079-9d08-c2bd883f4fff', status: 'ready' }),
        expect.objectContaining({ id: '6b0f3c1e-2d4a-4c8e-9f71-3a5d2e8c4b90', status: 'ready' }),
      ]);
      const sources = (await (await fetch(`${base}/getSourceImages`, { headers })).json()) as { value: unknown[] };
      expect(sources.value).toHaveLength(13);
      const betaBase = base.replace('/v1.0/', '/beta/');
      const beta = (await (await fetch(`${betaBase}/getSourceImages`, { headers })).json()) as { value: { category: string }[] };
      expect(beta.value.filter((entry) => entry.category === 'azureComputeGallery')).toEqual([
        expect.objectContaining({
          resourceId:
            '/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-gallery/providers/Microsoft.Compute/galleries/galImages/images/win11-gold/versions/1.4.0',
        }),
      ]);
    } finally {
      await emulator.stop();
    }
  });

  it('names every wrong field in a refused estate', () => {
    expect(problemsOf({ subscription: [] })).toContain('(top level): Unrecognized key');
    const nested = problemsOf({
      subscriptions: [
        {
          id: '11111111-1111-4111-8111-111111111111',
          resourceGroups: [{ name: 'rg', images: [{ name: 'a' }, { name: 'b', dataDisks: -1 }] }],
        },
        { id: 'nope' },
      ],
    });
    expect(nested).toContain('subscriptions[0].resourceGroups[0].images[1].dataDisks');
    expect(nested).toContain('subscriptions[1].id: a subscription GUID');
    expect(problemsOf({ deviceImages: [{ displayName: 'x', version: '1.0.0', sourceImageResourceId: '/s', status: 'done' }] })).toContain(
      'deviceImages[0].status',
    );
    expect(problemsOf({ faults: [{ service: 'storage' }] })).toContain('faults[0].service');
    const os = problemsOf({
      subscriptions: [
        {
          id: '11111111-1111-4111-8111-111111111111',
          resourceGroups: [{ name: 'rg', images: [{ name: 'a', build: 'no/slash', reportedOs: { osStatus: 'fine' } }] }],
        },
      ],
      deviceImages: [{ displayName: 'x', version: '1.0.0', sourceImageResourceId: '/s', reportedOs: { expirationDate: '31/12/2026' } }],
    });
    expect(os).toContain('subscriptions[0].resourceGroups[0].images[0].build: a build');
    expect(os).toContain('subscriptions[0].resourceGroups[0].images[0].reportedOs.osStatus');
    expect(os).toContain('deviceImages[0].reportedOs.expirationDate');
  });

  it('names the wrong fields of galleries: a version not MAJOR.MINOR.PATCH, a negative data disk count, an unknown key, names given twice', () => {
    const version = (name: string, more: Record<string, unknown> = {}) => ({ name, ...more });
    const problems = problemsOf({
      subscriptions: [
        {
          id: '11111111-1111-4111-8111-111111111111',
          resourceGroups: [
            {
              name: 'rg',
              location: 'westeurope',
              galleries: [
                {
                  name: 'gal',
                  images: [
                    {
                      name: 'def',
                      versions: [version('1.0'), version('1.1.0', { dataDiskImages: -1 }), version('1.2.0', { regions: [] })],
                    },
                  ],
                },
                { name: 'GAL', images: [{ name: 'def', versions: [version('2.0.0'), version('2.0.0')] }] },
              ],
            },
          ],
        },
      ],
    });
    const group = 'subscriptions[0].resourceGroups[0]';
    expect(problems).toContain(
      `${group}.galleries[0].images[0].versions[0].name: a gallery image version name: MAJOR.MINOR.PATCH in digits`,
    );
    expect(problems).toContain(`${group}.galleries[0].images[0].versions[1].dataDiskImages`);
    expect(problems).toContain(`${group}.galleries[0].images[0].versions[2]: Unrecognized key`);
    expect(problems).toContain(`${group}.galleries[1].name: gallery GAL appears twice in rg`);
    expect(problems).toContain(`${group}.galleries[1].images[0].versions[1].name: version 2.0.0 appears twice in GAL/def`);
  });

  it('reads an estate file, and names the file when it is not JSON', async () => {
    const good = join(directory, 'good.json');
    await writeFile(good, JSON.stringify({ uploadSeconds: 1, subscriptions: [{ id: '11111111-1111-4111-8111-111111111111' }] }));
    expect((await readEstateFile(good)).subscriptions[0]?.access).toBe('readable');
    const bad = join(directory, 'bad.json');
    await writeFile(bad, '{ "subscriptions": [');
    await expect(readEstateFile(bad)).rejects.toThrow(`${bad} is not a valid estate: is not JSON`);
    await expect(readEstateFile(join(directory, 'absent.json'))).rejects.toThrow('cannot be read');
  });

  it('serves an estate file for the CLI, printing the URL, the certificate and the settings, until a signal stops it', async () => {
    const file = join(directory, 'served.json');
    await writeFile(file, JSON.stringify({ token: 'cli-token', subscriptions: [{ id: '11111111-1111-4111-8111-111111111111' }] }));
    const lines: string[] = [];
    const listenersBefore = process.listeners('SIGTERM');
    const served = await serveEmulator({ estatePath: file, log: (line) => lines.push(line) });
    const output = lines.join('\n');
    expect(output).toContain(served.emulator.url);
    expect(output).toContain(served.emulator.caCertificatePath);
    expect(output).toContain(`GRAPH_ENDPOINT=${served.emulator.url}`);
    expect(output).toContain(`ARM_ENDPOINT=${served.emulator.url}`);
    expect(output).toContain('IMAGE_SYNC_STATIC_TOKEN=cli-token');
    expect(output).toContain('IMAGE_SYNC_SUBSCRIPTION_IDS=11111111-1111-4111-8111-111111111111');
    const added = process.listeners('SIGTERM').filter((listener) => !listenersBefore.includes(listener));
    expect(added).toHaveLength(1);
    added[0]?.('SIGTERM');
    await served.stopped;
    expect(lines.at(-1)).toBe('Emulator stopped.');
    expect(process.listeners('SIGTERM')).toEqual(listenersBefore);
  });
});
