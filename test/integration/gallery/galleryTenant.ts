// A tenant with one gallery version (win11-gold 1.4.0, replicated to West Europe) and the empty
// staging group rg-cloudpc-staging (westeurope), and the app in copy mode against it (DESIGN §17).
import type { Clock } from '../../../src/domain';
import {
  type EstateInput,
  type GalleryImageVersionInput,
  estate,
  gallery,
  galleryImage,
  galleryImageVersion,
  galleryImageVersionId,
  resourceGroup,
  subscription,
} from '../../../src/emulator';
import type { Emulator } from '../../../src/emulator';
import { loadConfig } from '../../../src/config';
import { createSharedClients, createSyncDeps } from '../../../src/runtime/createSyncDeps';
import { galleryCopyIds } from '../../../src/rules/galleryCopyName';
import { type TestApp, capturedLog, drainQueueForTest, testAppSettings } from '../../support/appDeps';
import type { RegisterJob } from '../../../src/domain';
import { reconcile } from '../../../src/handlers/reconcile';

export const SUB = '22222222-2222-4222-8222-222222222222';
export const STAGING = `/subscriptions/${SUB}/resourceGroups/rg-cloudpc-staging`;
export const VERSION_ID = galleryImageVersionId(SUB, 'rg-gallery', 'galImages', 'win11-gold', '1.4.0');
export const COPY = galleryCopyIds(VERSION_ID, { id: STAGING, subscriptionId: SUB, name: 'rg-cloudpc-staging' })!;

export interface GalleryEstateOptions {
  readonly stagingGroup?: 'present' | 'absent' | 'refuses-writes';
  readonly targetRegions?: string[];
  readonly galleryDirect?: boolean;
  readonly upload?: GalleryImageVersionInput['upload'];
}

export function galleryEstate(options: GalleryEstateOptions = {}): EstateInput {
  const staging = options.stagingGroup ?? 'present';
  const version = galleryImageVersion('1.4.0', {
    ...(options.targetRegions === undefined ? {} : { targetRegions: options.targetRegions }),
    ...(options.upload === undefined ? {} : { upload: options.upload }),
  });
  return estate({
    uploadSeconds: 0.3,
    ...(options.galleryDirect === true ? { graph: { galleryDirect: true } } : {}),
    subscriptions: [
      subscription({
        id: SUB,
        resourceGroups: [
          resourceGroup('rg-gallery', [], { galleries: [gallery('galImages', [galleryImage({ name: 'win11-gold' }, [version])])] }),
          ...(staging === 'absent' ? [] : [resourceGroup('rg-cloudpc-staging', [], { refusesWrites: staging === 'refuses-writes' })]),
        ],
      }),
    ],
  });
}

/** The real clients in copy (or direct) mode, with quick retries and quick pollers. */
export function galleryApp(emulator: Emulator, mode: 'copy' | 'direct' = 'copy', clock?: Clock): TestApp {
  const settings = testAppSettings(emulator, {
    IMAGE_SYNC_SUBSCRIPTION_IDS: SUB,
    IMAGE_SYNC_GALLERY_SOURCES: mode,
    ...(mode === 'copy' ? { IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP: STAGING } : {}),
  });
  const config = loadConfig(settings);
  const captured = capturedLog();
  const clients = createSharedClients(config, captured.log, {
    graphRetry: { delaySeconds: 0.1, maxRetries: 2 },
    armRetry: { maxRetries: 2, retryDelayInMs: 50 },
    armPollIntervalMs: 20,
    secondPassDelayMs: 100,
  });
  return { ...captured, config, clients, deps: createSyncDeps(config, clients, captured.log, clock) };
}

/** What the staging group holds now: the emulator's disks, and every tagged disk or image ARM lists there. */
export async function leftInStaging(emulator: Emulator, app: TestApp): Promise<string[]> {
  const listed = app.deps.galleryCopies === null ? [] : await app.deps.galleryCopies.list();
  return [...new Set([...emulator.disks().map((disk) => disk.id), ...listed.map((resource) => resource.id)])];
}

/** The reconcile's one register job for the version (taken off the queue). */
export async function plannedJob(app: TestApp): Promise<RegisterJob> {
  await reconcile(app.deps);
  const jobs = (await drainQueueForTest(app, app.config.registerQueue)) as RegisterJob[];
  const job = jobs.find((candidate) => candidate.sourceImageResourceId === VERSION_ID);
  if (job === undefined) throw new Error(`the reconcile queued no job for the version: ${JSON.stringify(jobs)}`);
  return job;
}
