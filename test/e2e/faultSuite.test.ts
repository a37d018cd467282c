// The fault suite: one realistic estate through the real `image-sync sync` (the compiled CLI, its
// queues and table in Azurite, the tenant emulator) while the emulator throttles, fails, resets and
// loses the answers of creates, all at once and seeded. Every eligible image must end ready exactly
// once, no request may be resent before its Retry-After, every failure and problem must be recorded,
// and the run's figures are printed (a measurement, never a timed assertion).
import { describe, expect, it } from 'vitest';
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
  type Emulator,
  type ManagedImageInput,
} from '../../src/emulator';
import { encodeMessage } from '../../src/queue/messageEncoding';
import { splitVersionSuffix } from '../../src/rules/naming';
import { testAppSettings } from '../support/appDeps';
import { runImageSync } from '../support/cliProcess';
import { contractErrors } from '../support/contract';
import { useEmulator } from '../support/emulator';
import { testConnectionString, testStorageClients } from '../support/storage';

const SUBSCRIPTIONS = [
  'a1a1a1a1-0000-4000-8000-00000000000a',
  'b2b2b2b2-0000-4000-8000-00000000000b',
  'c3c3c3c3-0000-4000-8000-00000000000c',
] as const;
const LOCKED = 'd4d4d4d4-0000-4000-8000-00000000000d';
const TOKEN = 'fault-suite-token-5b0e1c';
/** A seed whose first draws (a run makes about 125 requests) come close to the nominal rates. */
const SEED = 24;
const CREATE = 'graph.deviceImages.create';
/** The emulated tenant's custom-image limit, high enough for every image of the estate. */
const TENANT_IMAGE_LIMIT = 60;

interface Expected {
  readonly ready: string[];
  readonly failed: Map<string, string>;
  readonly skipped: Map<string, string>;
  readonly preRegistered: Map<string, string>;
}

const expected: Expected = { ready: [], failed: new Map(), skipped: new Map(), preRegistered: new Map() };
/** Gallery sources (DESIGN §17, IMAGE_SYNC_GALLERY_SOURCES=copy): two eligible versions in the third subscription, copied into a staging group of the first. */
const GALLERY_GROUP = 'rg-gallery';
const STAGING_GROUP = 'rg-staging';
const galleryVersionOf = (definition: string, version: string) =>
  galleryImageVersionId(SUBSCRIPTIONS[2], GALLERY_GROUP, 'galFault', definition, version);
const GALLERY_READY = [galleryVersionOf('win11-fleet', '2.0.0'), galleryVersionOf('win11-fleet', '2.1.0')];
const GROUP = 'rg-images';
const idOf = (sub: string, name: string) => managedImageResourceId(sub, GROUP, name);

/** Eight eligible images per subscription, three ineligible ones (a different rule each), one untagged. */
function imagesOf(index: number): ManagedImageInput[] {
  const sub = SUBSCRIPTIONS[index] ?? '';
  const tag = `s${index + 1}`;
  const images: ManagedImageInput[] = [];
  for (let n = 1; n <= 8; n++) {
    const name = `win11-${tag}-app${n}-1.${n}.0`;
    images.push(managedImage({ name, upload: { outcome: 'ready', seconds: 0.5 + (n % 2) * 0.5 } }));
    expected.ready.push(idOf(sub, name));
  }
  const ineligible: Array<[string, Partial<ManagedImageInput>, string]> = [
    [`win11-${tag}-failedprov-1.0.0`, { provisioningState: 'Failed' }, 'not-succeeded'],
    [`linux-${tag}-1.0.0`, { osType: 'Linux' }, 'not-windows'],
    [`win11-${tag}-captured-1.0.0`, { osState: 'Specialized' }, 'not-generalized'],
    [`win11-${tag}-gen1-1.0.0`, { hyperVGeneration: 'V1' }, 'gen1'],
    [`win11-${tag}-sql-1.0.0`, { dataDisks: 2 }, 'has-data-disks'],
    [
      `win11-${tag}-cmk-1.0.0`,
      { diskEncryptionSet: `/subscriptions/${sub}/resourceGroups/${GROUP}/providers/Microsoft.Compute/diskEncryptionSets/des` },
      'disk-encryption-set',
    ],
    [`win11-${tag}-broken-1.0.0`, { armOmit: ['properties.storageProfile'] }, 'malformed'],
    [`win11-${tag}-nightly`, {}, 'no-version'],
    [`win11-${tag}-badversion`, { tags: { 'cloudpc-sync': 'true', 'cloudpc-version': '1.2' } }, 'invalid-version'],
  ];
  for (const [name, overrides, reason] of ineligible.slice(index * 3, index * 3 + 3)) {
    images.push(managedImage({ name, ...overrides }));
    expected.skipped.set(idOf(sub, name), reason);
  }
  images.push(managedImage({ name: `win11-${tag}-scratch-1.0.0`, tags: { purpose: 'scratch' } }));
  return images;
}

function faultSuiteEstate() {
  const [first, second, third] = [imagesOf(0), imagesOf(1), imagesOf(2)];
  const [subA, subB, subC] = SUBSCRIPTIONS;
  // Already registered, with the ids cased differently in Graph (as Graph returns them).
  for (const [sub, name, id] of [
    [subA, 'win11-s1-legacy-0.9.0', 'aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa'],
    [subB, 'win11-s2-legacy-0.9.0', 'bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb'],
  ] as const) {
    (sub === subA ? first : second).push(managedImage({ name }));
    expected.preRegistered.set(idOf(sub, name), id);
  }
  first.push(
    managedImage({
      name: 'win11-s1-notsysprepped-2.0.0',
      upload: { outcome: 'failed', errorCode: 'sourceImageNotGeneralized', seconds: 0.5 },
    }),
  );
  expected.failed.set(idOf(subA, 'win11-s1-notsysprepped-2.0.0'), 'sourceImageNotGeneralized');
  second.push(
    managedImage({
      name: 'win11-s2-flaky-3.0.0',
      upload: { outcome: 'failed', errorCode: 'internalServerError', seconds: 0.5, retryOutcome: 'ready', retrySeconds: 0.5 },
    }),
  );
  expected.ready.push(idOf(subB, 'win11-s2-flaky-3.0.0'));
  // Two images claiming one display name and version: neither is picked arbitrarily.
  for (const name of ['win11-s3-twin-a', 'win11-s3-twin-b']) {
    third.push(
      managedImage({ name, tags: { 'cloudpc-sync': 'true', 'cloudpc-display-name': 'Windows 11 Twin', 'cloudpc-version': '1.0.0' } }),
    );
    expected.skipped.set(idOf(subC, name), 'name-version-taken');
  }
  const galleryGroup = resourceGroup(GALLERY_GROUP, [], {
    galleries: [
      gallery('galFault', [
        galleryImage({ name: 'win11-fleet' }, [
          galleryImageVersion('2.0.0', { upload: { outcome: 'ready', seconds: 0.5 } }),
          galleryImageVersion('2.1.0', { upload: { outcome: 'ready', seconds: 1 } }),
        ]),
        galleryImage({ name: 'win11-fleet-gen1', hyperVGeneration: 'V1' }, [galleryImageVersion('1.0.0')]),
      ]),
    ],
  });
  expected.skipped.set(galleryVersionOf('win11-fleet-gen1', '1.0.0'), 'gen1');
  return estate({
    uploadSeconds: 0.5,
    arm: { pageSize: 5 },
    graph: { pageSize: 10, maxDeviceImages: TENANT_IMAGE_LIMIT },
    subscriptions: [
      subscription({ id: subA, displayName: 'Imaging', resourceGroups: [resourceGroup(GROUP, first), resourceGroup(STAGING_GROUP)] }),
      subscription({ id: subB, displayName: 'Engineering', resourceGroups: [resourceGroup(GROUP, second)] }),
      subscription({ id: subC, displayName: 'Branches', resourceGroups: [resourceGroup(GROUP, third), galleryGroup] }),
      subscription({ id: LOCKED, displayName: 'Finance', access: 'forbidden' }),
    ],
    deviceImages: [...expected.preRegistered].map(([sourceImageResourceId, id]) => ({
      id,
      displayName:
        sourceImageResourceId
          .split('/')
          .pop()
          ?.replace(/-0\.9\.0$/, '') ?? 'legacy',
      version: '0.9.0',
      sourceImageResourceId: sourceImageResourceId.replace('/resourceGroups/rg-images/', '/resourcegroups/RG-IMAGES/').toLowerCase(),
      status: 'ready' as const,
    })),
  });
}

/**
 * Every request kind meets 429s (Retry-After 1 s), 503s (no Retry-After: backoff) and resets, at
 * about 15%, 8% and 4% of all requests, drawn from a seeded generator. The create POST meets 429s,
 * creates that take effect and then lose their answer (a 500, a reset), and exactly one 503 and one
 * reset before it takes effect: each of those costs its message one visibility timeout (host.json:
 * 30 s) before the queue delivers it again, so they are counted rather than drawn, to keep the suite
 * under a minute; test/integration/reliability proves more rounds (exactlyOnce, retryAfter).
 */
const FAULTS = [
  // First, so that the first two creates meet them and their one redelivery round starts early.
  { service: 'graph' as const, kinds: [CREATE], unavailable: { next: 1 }, ambiguousCreates: { next: 1, answer: 'reset' as const } },
  { service: 'graph' as const, kinds: [CREATE], reset: { next: 1 } },
  {
    service: 'graph' as const,
    kinds: [CREATE],
    throttle: { probability: 0.2, retryAfterSeconds: 1 },
    ambiguousCreates: { next: 2, probability: 0.05, answer: 500 },
  },
  {
    kinds: ['arm.*', 'graph.deviceImages.list', 'graph.deviceImages.get', 'graph.deviceImages.retryUpload'],
    throttle: { probability: 0.2, retryAfterSeconds: 1 },
    unavailable: { probability: 0.13 },
    reset: { probability: 0.05 },
  },
];

const fixture = useEmulator(faultSuiteEstate, { seed: SEED, token: TOKEN });

interface StatusDocument {
  readonly images: ReadonlyArray<{
    sourceImageResourceId: string;
    state: string;
    errorCode: string | null;
    reason: string | null;
    deviceImageId: string | null;
  }>;
  readonly problems: ReadonlyArray<{ kind: string; detail: string }>;
  readonly summary: Record<string, number>;
}

function figures(emulator: Emulator, wallMs: number, stderr: string): string {
  const requests = emulator.requests;
  const byKind = Object.entries(emulator.counts())
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, count]) => `    ${kind.padEnd(36)} ${count}`);
  const faults = new Map<string, number>();
  for (const request of requests)
    if (request.fault !== null)
      faults.set(`${request.fault} ${request.status}`, (faults.get(`${request.fault} ${request.status}`) ?? 0) + 1);
  const retried = requests.filter((request) => request.headers['retry-attempt'] !== undefined).length;
  const share = (fault: string) =>
    `${((100 * requests.filter((request) => request.fault === fault).length) / requests.length).toFixed(1)}%`;
  const deliveries = (stderr.match(/QueueMessageFailed/g) ?? []).length;
  // A failed delivery's dequeueCount is the delivery it was; one more delivery ended it.
  const highestDelivery = Math.max(
    1,
    ...[...stderr.matchAll(/QueueMessageFailed.*?"dequeueCount":(\d+)/g)].map((match) => Number(match[1]) + 1),
  );
  const resent = (stderr.match(/TransientRetryScheduled/g) ?? []).length;
  return [
    `fault suite (seed ${SEED}): ${requests.length} requests in ${(wallMs / 1000).toFixed(1)} s wall time`,
    '  requests by kind:',
    ...byKind,
    `  faults met: ${[...faults].map(([fault, count]) => `${fault}: ${count}`).join(', ')}`,
    `  share of all requests: 429 ${share('throttle')}, 503 ${share('unavailable')}, reset ${share('reset')}, ambiguous create ${share('ambiguous-create')}`,
    `  Graph middleware retries (Retry-Attempt header): ${retried}; jobs sent again after a transient failure: ${resent}; queue redeliveries (failed handler runs): ${deliveries}; highest delivery of any message: ${highestDelivery} of 5`,
    `  device images created: ${emulator.deviceImages().length - expected.preRegistered.size}; early retries: ${emulator.earlyRetries().length}; duplicates: ${emulator.duplicateDeviceImages().length}`,
  ].join('\n');
}

describe('image-sync sync under faults', () => {
  it(
    'registers every eligible image exactly once, waits out every Retry-After, records every failure and problem, exit code 2',
    { timeout: 150_000 },
    async () => {
      // The emulated tenant holds up to 60 custom images (graph.maxDeviceImages); the app is told so,
      // or it would stop at Windows 365's default 20 and skip the rest as tenant-image-limit.
      const settings = testAppSettings(fixture.emulator, {
        IMAGE_SYNC_SUBSCRIPTION_IDS: [...SUBSCRIPTIONS, LOCKED].join(','),
        IMAGE_SYNC_TENANT_IMAGE_LIMIT: String(TENANT_IMAGE_LIMIT),
        IMAGE_SYNC_GALLERY_SOURCES: 'copy',
        IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP: `/subscriptions/${SUBSCRIPTIONS[0]}/resourceGroups/${STAGING_GROUP}`,
      });
      expect(settings.AzureWebJobsStorage).toBe(testConnectionString());
      // A message no one can read, already waiting on the register queue.
      const queue = testStorageClients().queue(settings.IMAGE_SYNC_REGISTER_QUEUE ?? '');
      await queue.createIfNotExists();
      await queue.sendMessage(encodeMessage({ v: 1, image: 'not a register job' }));
      fixture.emulator.setFaults(...FAULTS);

      const startedAt = Date.now();
      const run = await runImageSync(['sync', '--json', '--timeout', '120'], settings, 140_000);
      const wallMs = Date.now() - startedAt;
      fixture.emulator.clearFaults();
      console.log(figures(fixture.emulator, wallMs, run.stderr));

      expect(run.code, run.stderr.slice(-2_000)).toBe(2);
      const report = JSON.parse(run.stdout) as StatusDocument;
      expect(contractErrors('status', report)).toBeNull();
      const byId = new Map(report.images.map((image) => [image.sourceImageResourceId.toLowerCase(), image]));

      // Every eligible image ready, with exactly one device image; nothing created twice. A registration
      // is a source image at a version (the emulator counts duplicates per source and version); each
      // source here has one version, the one its name gives, so it has exactly one device image.
      for (const id of expected.ready) expect(byId.get(id.toLowerCase()), id).toMatchObject({ state: 'ready', errorCode: null });
      expect(fixture.emulator.duplicateDeviceImages()).toEqual([]);
      const created = fixture.emulator.deviceImages({ includeDeleted: true });
      for (const id of [...expected.ready, ...expected.failed.keys()]) {
        const versions = created
          .filter((image) => image.sourceImageResourceId.toLowerCase() === id.toLowerCase())
          .map((image) => image.version);
        expect(versions, id).toEqual([splitVersionSuffix(id.split('/').pop() ?? '')?.version]);
      }
      expect(created.find((image) => image.sourceImageResourceId.toLowerCase().endsWith('win11-s2-flaky-3.0.0'))?.uploads).toBe(2);
      // Already registered (ids cased differently in Graph): adopted, not posted.
      for (const [id, deviceImageId] of expected.preRegistered)
        expect(byId.get(id.toLowerCase()), id).toMatchObject({ state: 'ready', deviceImageId });
      expect(fixture.emulator.requests.filter((request) => request.kind === CREATE && request.body.includes('legacy'))).toEqual([]);

      // Every failure and skip recorded with its reason; every problem recorded.
      for (const [id, errorCode] of expected.failed)
        expect(byId.get(id.toLowerCase()), id).toMatchObject({ state: 'failed', errorCode, reason: expect.stringMatching(/sysprep/) });
      for (const [id, reason] of expected.skipped) expect(byId.get(id.toLowerCase()), id).toMatchObject({ state: 'skipped', reason });
      expect(report.images).toHaveLength(
        expected.ready.length + expected.failed.size + expected.skipped.size + expected.preRegistered.size + GALLERY_READY.length,
      );

      // Gallery versions: each ready through exactly one copy (one disk, one managed image, one device
      // image of its display name and version), and no copy left in the staging group.
      for (const id of GALLERY_READY) {
        expect(byId.get(id.toLowerCase()), id).toMatchObject({ state: 'ready', errorCode: null });
        expect(fixture.emulator.createdCopiesOf(id), id).toEqual({ disks: 1, images: 1 });
        const version = id.split('/').pop();
        expect(
          created.filter((image) => image.displayName === 'win11-fleet' && image.version === version),
          id,
        ).toHaveLength(1);
      }
      expect(fixture.emulator.disks()).toEqual([]);
      expect(report.problems.map((problem) => problem.kind).sort()).toEqual(['invalid-message', 'subscription-unreadable']);
      expect(report.summary).toMatchObject({
        ready: expected.ready.length + expected.preRegistered.size + GALLERY_READY.length,
        failed: 1,
        skipped: expected.skipped.size,
        problems: 2,
      });

      // No request resent before its Retry-After; every kind of fault was met; no secret printed.
      expect(fixture.emulator.earlyRetries()).toEqual([]);
      const met = new Set(fixture.emulator.requests.map((request) => request.fault));
      for (const fault of ['throttle', 'unavailable', 'reset', 'ambiguous-create']) expect(met.has(fault as never), fault).toBe(true);
      expect(`${run.stdout}\n${run.stderr}`).not.toContain(TOKEN);
    },
  );
});
