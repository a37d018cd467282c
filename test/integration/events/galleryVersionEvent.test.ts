// A written gallery image version (Microsoft.Compute/galleries/images/versions/write, DESIGN §17)
// through the imageWritten handler against the emulator: with gallery sources on, the version (and
// its definition) is read through ARM and planned like any source; with them off, the event is
// ignored with a log line and not one gallery request.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  estate,
  gallery,
  galleryImage,
  galleryImageVersion,
  galleryImageVersionId,
  resourceGroup,
  subscription,
} from '../../../src/emulator';
import { handleImageEvent } from '../../../src/handlers/imageWritten';
import { testApp, testAppSettings } from '../../support/appDeps';
import { useEmulator } from '../../support/emulator';
import { REPO_ROOT } from '../../support/functionApp';

const SUB = '11111111-1111-4111-8111-111111111111';
const VERSION = galleryImageVersionId(SUB, 'rg-gallery', 'galImages', 'win11-gold', '1.4.0');
const GEN1 = galleryImageVersionId(SUB, 'rg-gallery', 'galImages', 'win11-gen1', '1.0.0');

const fixture = useEmulator(() =>
  estate({
    subscriptions: [
      subscription({
        id: SUB,
        resourceGroups: [
          resourceGroup('rg-gallery', [], {
            galleries: [
              gallery('galImages', [
                galleryImage({ name: 'win11-gold' }, [galleryImageVersion('1.4.0')]),
                galleryImage({ name: 'win11-gen1', hyperVGeneration: 'V1' }, [galleryImageVersion('1.0.0')]),
              ]),
            ],
          }),
        ],
      }),
    ],
  }),
);

/** The fixture event: a versions/write of VERSION, in Event Grid's schema. */
function versionWritten(resourceId = VERSION): Record<string, unknown> {
  const [event] = JSON.parse(
    readFileSync(path.join(REPO_ROOT, 'test/fixtures/api/events/eventgrid-gallery-version-written.json'), 'utf8'),
  ) as Record<string, unknown>[];
  if (event === undefined) throw new Error('the fixture holds no event');
  return { ...event, subject: resourceId, data: { ...(event['data'] as object), resourceUri: resourceId } };
}

const galleryRequests = () => fixture.emulator.requests.filter((request) => /galleries/i.test(request.path)).length;

describe('a gallery version written', () => {
  it('is ignored with a log line, and no gallery request, when gallery sources are off', async () => {
    const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB }));
    const before = galleryRequests();
    expect(await handleImageEvent(app.deps, versionWritten())).toBeNull();
    expect(galleryRequests()).toBe(before);
    expect(app.lines.filter((line) => line.includes('ImageEventIgnored'))).toEqual([
      expect.stringContaining('IMAGE_SYNC_GALLERY_SOURCES is off'),
    ]);
    expect(await app.clients.ledger.listProblems()).toEqual([]);
  });

  it('is read through ARM (version and definition) and planned like any source when gallery sources are on', async () => {
    const app = testApp(testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB, IMAGE_SYNC_GALLERY_SOURCES: 'direct' }));
    const versionGets = fixture.emulator.count('arm.galleryImageVersions.get');
    const definitionGets = fixture.emulator.count('arm.galleryImages.get');
    expect(await handleImageEvent(app.deps, versionWritten(GEN1))).toMatchObject({ registered: 0, skipped: 1 });
    expect(fixture.emulator.count('arm.galleryImageVersions.get')).toBe(versionGets + 1);
    expect(fixture.emulator.count('arm.galleryImages.get')).toBe(definitionGets + 1);
    const row = (await app.clients.ledger.list()).find((entry) => entry.sourceImageResourceId.toLowerCase() === GEN1.toLowerCase());
    expect(row).toMatchObject({ state: 'skipped', reason: 'gen1', fix: expect.stringContaining('the image definition is Gen1') });
  });

  it('is ignored when the version is outside IMAGE_SYNC_RESOURCE_GROUPS, and when it no longer exists', async () => {
    const app = testApp(
      testAppSettings(fixture.emulator, {
        IMAGE_SYNC_SUBSCRIPTION_IDS: SUB,
        IMAGE_SYNC_GALLERY_SOURCES: 'direct',
        IMAGE_SYNC_RESOURCE_GROUPS: 'rg-other',
      }),
    );
    expect(await handleImageEvent(app.deps, versionWritten())).toBeNull();
    const everywhere = testApp(
      testAppSettings(fixture.emulator, { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB, IMAGE_SYNC_GALLERY_SOURCES: 'direct' }),
    );
    const gone = galleryImageVersionId(SUB, 'rg-gallery', 'galImages', 'win11-gold', '9.9.9');
    expect(await handleImageEvent(everywhere.deps, versionWritten(gone))).toBeNull();
    expect(everywhere.lines.some((line) => line.includes('the image no longer exists'))).toBe(true);
  });
});
