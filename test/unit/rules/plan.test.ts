import { describe, expect, it } from 'vitest';
import type { ImageScope } from '../../../src/config';
import type { DeviceImage, LedgerRow, LedgerState, SkipReason, SourceImage } from '../../../src/domain';
import { type Plan, plan, type PlanInput } from '../../../src/rules/plan';
import { deviceImage } from '../../fixtures/deviceImage';
import { ledgerRow } from '../../fixtures/ledgerRow';
import { sourceImage, sourceImageId } from '../../fixtures/sourceImage';

const NOW = new Date('2026-11-20T12:00:00.000Z');
const STALE_AFTER_MS = 15 * 60_000;
const optIn: ImageScope = { kind: 'tag', name: 'cloudpc-sync', value: 'true' };

function minutesAgo(minutes: number): string {
  return new Date(NOW.getTime() - minutes * 60_000).toISOString();
}

/** No room check, no getSourceImages listing, no policies read: the lifecycle inputs (DESIGN §13) stay out of these tests. */
const LIFECYCLE_OFF = {
  capacity: null,
  visibleToWindows365: null,
  policies: null,
  expiryWarningDays: 30,
} as const satisfies Partial<PlanInput>;

function planFor(input: Partial<PlanInput>): Plan {
  return plan({
    sourceImages: [],
    deviceImages: [],
    ledger: [],
    scope: optIn,
    trigger: 'reconcile',
    now: NOW,
    staleAfterMs: STALE_AFTER_MS,
    ...LIFECYCLE_OFF,
    ...input,
  });
}

/** The image win11-ent-1.2.0 in every source of truth as asked. */
function single(options: { image?: SourceImage; row?: LedgerRow; graph?: DeviceImage; trigger?: PlanInput['trigger'] }): Plan {
  return planFor({
    sourceImages: [options.image ?? sourceImage()],
    ledger: options.row === undefined ? [] : [options.row],
    deviceImages: options.graph === undefined ? [] : [options.graph],
    ...(options.trigger === undefined ? {} : { trigger: options.trigger }),
  });
}

/**
 * A row that has recorded what Graph says of its device image (the fixture's osStatus and
 * expirationDate) and the capture of its source (the fixture's): a reconcile has nothing to observe.
 */
function upToDate(overrides: Partial<LedgerRow> = {}): LedgerRow {
  const graph = deviceImage();
  return ledgerRow({
    osStatus: graph.osStatus,
    expirationDate: graph.expirationDate,
    contentFingerprint: sourceImage().contentFingerprint,
    ...overrides,
  });
}

function kinds(result: Plan): string[] {
  return result.actions.map((action) => action.kind);
}

const OTHER = sourceImageId('win11-ent-1.2.0', 'rg-other');
const THIRD = sourceImageId('win11-ent-1.2.0', 'rg-third');

describe('plan: a new image', () => {
  it('registers an eligible opted-in image with no row and no device image', () => {
    const image = sourceImage();
    const result = single({ image });
    expect(result.actions).toEqual([
      {
        kind: 'register',
        sourceImage: image,
        cause: 'new',
        needsSlot: true,
        firstCreate: true,
        contentFingerprint: image.contentFingerprint,
        job: {
          v: 1,
          sourceImageResourceId: image.id,
          displayName: 'win11-ent',
          version: '1.2.0',
          trigger: 'reconcile',
          enqueuedAt: '2026-11-20T12:00:00.000Z',
          fingerprint: image.contentFingerprint,
        },
      },
    ]);
    expect(result.images).toEqual([
      {
        sourceImageResourceId: image.id,
        displayName: 'win11-ent',
        version: '1.2.0',
        outcome: 'register',
        ledgerState: null,
        deviceImageId: null,
        reason: null,
        fix: null,
        cause: 'new',
      },
    ]);
  });

  it('keeps the id exactly as ARM returned it in the job', () => {
    const id =
      '/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/RG-Images/providers/Microsoft.Compute/images/Win11-Ent-1.2.0';
    const result = single({ image: sourceImage({ id, name: 'Win11-Ent-1.2.0' }) });
    expect(result.actions[0]).toMatchObject({ kind: 'register', job: { sourceImageResourceId: id, displayName: 'Win11-Ent' } });
  });

  it('carries the trigger into the job', () => {
    for (const trigger of ['reconcile', 'event', 'manual'] as const) {
      expect(single({ trigger }).actions[0], trigger).toMatchObject({ job: { trigger } });
    }
  });

  it('keeps a long or unicode display name exactly in the job', () => {
    const displayName = `Ünïcødé "quoted" ${'x'.repeat(200)} 画像`;
    const image = sourceImage({ tags: { 'cloudpc-sync': 'true', 'cloudpc-display-name': displayName } });
    expect(single({ image }).actions[0]).toMatchObject({ kind: 'register', job: { displayName } });
    const longName = `${'n'.repeat(74)}-1.0.0`;
    expect(single({ image: sourceImage({ name: longName }) }).actions[0]).toMatchObject({
      job: { displayName: 'n'.repeat(74), version: '1.0.0' },
    });
  });
});

describe('plan: scope', () => {
  it('makes out-of-scope images invisible: no action, no summary, even when ineligible or known to the ledger', () => {
    const untagged = sourceImage({ tags: {} });
    const otherValue = sourceImage({ name: 'img-2.0.0', tags: { 'cloudpc-sync': 'false' }, hyperVGeneration: 'V1' });
    const tagless = { ...sourceImage({ name: 'img-3.0.0' }), tags: null } as unknown as SourceImage;
    const result = planFor({
      sourceImages: [untagged, otherValue, tagless],
      ledger: [ledgerRow({ sourceImageResourceId: untagged.id, state: 'pending', nextCheckAt: null })],
    });
    expect(result).toEqual({ actions: [], images: [] });
  });

  it("takes untagged images under scope 'all' (the manual path)", () => {
    const result = planFor({ sourceImages: [sourceImage({ tags: {} })], scope: { kind: 'all' }, trigger: 'manual' });
    expect(result.actions[0]).toMatchObject({ kind: 'register', job: { trigger: 'manual' } });
  });

  it('plans an image listed twice once', () => {
    const image = sourceImage();
    const twin = sourceImage({ id: image.id.toLowerCase() });
    const result = planFor({ sourceImages: [image, twin] });
    expect(kinds(result)).toEqual(['register']);
    expect(result.images).toHaveLength(1);
  });

  it('keeps the listing order in actions and summary', () => {
    const names = ['c-1.0.0', 'a-1.0.0', 'b-1.0.0'];
    const result = planFor({ sourceImages: names.map((name) => sourceImage({ name })) });
    expect(result.images.map((image) => image.displayName)).toEqual(['c', 'a', 'b']);
    expect(result.actions.map((action) => (action.kind === 'register' ? action.job.displayName : ''))).toEqual(['c', 'a', 'b']);
  });
});

describe('plan: skipped images', () => {
  const cases: readonly (readonly [SkipReason, Partial<SourceImage>])[] = [
    ['malformed', { hasStorageProfile: false }],
    ['not-succeeded', { provisioningState: 'Creating' }],
    ['not-windows', { osType: 'Linux' }],
    ['not-generalized', { osState: 'Specialized' }],
    ['gen1', { hyperVGeneration: null }],
    ['has-data-disks', { dataDiskCount: 3 }],
    ['disk-encryption-set', { hasDiskEncryptionSet: true }],
    ['no-version', { name: 'win11-ent' }],
    ['invalid-version', { tags: { 'cloudpc-sync': 'true', 'cloudpc-version': '1.2' } }],
  ];

  it.each(cases)('skips %s with its reason and fix, and never registers it', (reason, override) => {
    const image = sourceImage(override);
    const result = single({ image });
    expect(result.actions).toHaveLength(1);
    expect(result.actions[0]).toMatchObject({ kind: 'skip', sourceImage: image, reason });
    const action = result.actions[0];
    expect(action?.kind === 'skip' && action.fix.length > 10).toBe(true);
    expect(result.images[0]).toMatchObject({ outcome: 'skip', reason, fix: action?.kind === 'skip' ? action.fix : '' });
  });

  it('names what it can of a skipped image: no version when it has none', () => {
    expect(single({ image: sourceImage({ name: 'win11-ent' }) }).actions[0]).toMatchObject({
      displayName: 'win11-ent',
      version: null,
      reason: 'no-version',
    });
    expect(single({ image: sourceImage({ hyperVGeneration: 'V1' }) }).actions[0]).toMatchObject({
      displayName: 'win11-ent',
      version: '1.2.0',
      reason: 'gen1',
    });
  });

  it('skips again, with the ledger state shown, an image whose ledger row is already skipped', () => {
    const image = sourceImage({ osState: 'Specialized' });
    const row = ledgerRow({ state: 'skipped', reason: 'not-generalized', deviceImageId: null });
    const result = single({ image, row });
    expect(kinds(result)).toEqual(['skip']);
    expect(result.images[0]).toMatchObject({ outcome: 'skip', ledgerState: 'skipped', reason: 'not-generalized' });
  });

  it('skips an image that became ineligible after its device image vanished', () => {
    const image = sourceImage({ hyperVGeneration: 'V1' });
    const result = single({ image, row: ledgerRow({ sourceImageResourceId: image.id, state: 'ready' }) });
    expect(result.actions).toEqual([expect.objectContaining({ kind: 'skip', reason: 'gen1' })]);
    expect(result.images[0]).toMatchObject({ ledgerState: 'ready', deviceImageId: 'a4d1c7e2-3b8f-4e61-9c0a-5f2e8d7b6a01' });
  });

  it('skips an image that lost its version after its device image vanished, and retires the version it had (it can never be uploaded again)', () => {
    const image = sourceImage({ name: 'win11-ent' });
    const row = ledgerRow({ sourceImageResourceId: image.id, state: 'ready' });
    const result = single({ image, row });
    expect(result.actions).toEqual([
      expect.objectContaining({ kind: 'retire', row }),
      expect.objectContaining({ kind: 'skip', reason: 'no-version', version: null }),
    ]);
    expect(result.images).toEqual([expect.objectContaining({ outcome: 'skip', reason: 'no-version', version: null, ledgerState: null })]);
  });

  it('skips an image without a storage profile rather than crashing', () => {
    const image = sourceImage({ hasStorageProfile: false, osType: null, osState: null, hyperVGeneration: null, osDiskSizeGB: null });
    expect(single({ image }).actions[0]).toMatchObject({ kind: 'skip', reason: 'malformed' });
  });
});

describe('plan: matching Graph by source image id', () => {
  const graph = deviceImage();

  it('adopts a device image Graph already has for a source the ledger does not know', () => {
    const image = sourceImage();
    const result = single({ image, graph });
    expect(result.actions).toEqual([
      {
        kind: 'adopt',
        sourceImage: image,
        deviceImage: graph,
        displayName: 'win11-ent',
        version: '1.2.0',
        contentFingerprint: image.contentFingerprint,
        origin: 'adopted',
      },
    ]);
    expect(result.images[0]).toMatchObject({ outcome: 'adopt', ledgerState: null, deviceImageId: graph.id });
  });

  it('matches ids case-insensitively: resourcegroups, upper-case names and subscriptions', () => {
    const image = sourceImage();
    for (const sourceImageResourceId of [
      image.id.replace('/resourceGroups/', '/resourcegroups/'),
      image.id.toUpperCase(),
      image.id.toLowerCase(),
      image.id.replace('rg-images', 'RG-IMAGES').replace('Microsoft.Compute', 'microsoft.compute'),
    ]) {
      const result = single({ image, graph: deviceImage({ sourceImageResourceId }) });
      expect(kinds(result), sourceImageResourceId).toEqual(['adopt']);
    }
  });

  it('matches the ledger row case-insensitively too', () => {
    const image = sourceImage();
    const row = upToDate({ sourceImageResourceId: image.id.toUpperCase().replace('/RESOURCEGROUPS/', '/resourcegroups/'), state: 'ready' });
    const result = single({ image, row, graph: deviceImage({ sourceImageResourceId: image.id.toLowerCase() }) });
    expect(kinds(result)).toEqual([]);
    expect(result.images[0]).toMatchObject({ outcome: 'unchanged', ledgerState: 'ready' });
  });

  it('matches a device image id case-insensitively', () => {
    const row = upToDate({ state: 'ready', deviceImageId: graph.id.toUpperCase() });
    expect(kinds(single({ row, graph }))).toEqual([]);
  });

  it('does not match a device image of another source image', () => {
    const result = single({ graph: deviceImage({ sourceImageResourceId: OTHER, displayName: 'other', version: '9.0.0' }) });
    expect(kinds(result)).toEqual(['register']);
  });

  it('matches a device image whatever the source now says about eligibility or naming (nothing would be posted)', () => {
    const ineligible = sourceImage({ hyperVGeneration: 'V1', tags: { 'cloudpc-sync': 'true', 'cloudpc-display-name': 'Renamed' } });
    expect(single({ image: ineligible, graph }).actions).toEqual([
      {
        kind: 'adopt',
        sourceImage: ineligible,
        deviceImage: graph,
        displayName: 'win11-ent',
        version: '1.2.0',
        contentFingerprint: ineligible.contentFingerprint,
        origin: 'adopted',
      },
    ]);
    expect(kinds(single({ image: ineligible, graph, row: upToDate({ state: 'ready' }) }))).toEqual([]);
  });

  it('matches a device image of a version the source no longer names as a registration of that version (nothing would be posted)', () => {
    const badVersion = sourceImage({ hyperVGeneration: 'V1', tags: { 'cloudpc-sync': 'true', 'cloudpc-version': 'bad' } });
    const result = single({ image: badVersion, graph });
    expect(result.actions).toEqual([
      {
        kind: 'adopt',
        sourceImage: badVersion,
        deviceImage: graph,
        displayName: 'win11-ent',
        version: '1.2.0',
        contentFingerprint: null,
        origin: 'adopted',
      },
      expect.objectContaining({ kind: 'skip', version: null }),
    ]);
    expect(kinds(single({ image: badVersion, graph, row: upToDate({ state: 'ready' }) }))).toEqual(['skip']);
  });

  it("adopts with the device image's own displayName and version, not the current tags", () => {
    const retagged = sourceImage({ tags: { 'cloudpc-sync': 'true', 'cloudpc-display-name': 'Renamed', 'cloudpc-version': '7.0.0' } });
    expect(single({ image: retagged, graph }).actions[0]).toMatchObject({ kind: 'adopt', displayName: 'win11-ent', version: '1.2.0' });
  });

  it("prefers the ledger's device image when Graph holds several for one registration", () => {
    // One registration (source and version) with two device images: Graph holds them apart by displayName.
    const tracked = deviceImage({ id: 'tracked', status: 'failed', displayName: 'win11-ent-first-try' });
    const row = upToDate({ state: 'failed', deviceImageId: 'tracked' });
    const result = planFor({ sourceImages: [sourceImage()], ledger: [row], deviceImages: [deviceImage({ id: 'newer-ready' }), tracked] });
    expect(result.actions).toEqual([]);
    expect(result.images[0]).toMatchObject({ outcome: 'unchanged', deviceImageId: 'tracked' });
  });

  it('otherwise adopts the most usable device image: ready, then pending, then the most recently modified', () => {
    // Several device images of one registration (source and version), told apart by displayName.
    const failed = deviceImage({
      id: 'failed',
      status: 'failed',
      lastModifiedDateTime: '2026-11-20T11:00:00Z',
      displayName: 'win11-ent-a',
    });
    const pending = deviceImage({
      id: 'pending',
      status: 'pending',
      lastModifiedDateTime: '2026-11-20T10:00:00Z',
      displayName: 'win11-ent-b',
    });
    const oldReady = deviceImage({
      id: 'old-ready',
      status: 'ready',
      lastModifiedDateTime: '2026-11-01T10:00:00Z',
      displayName: 'win11-ent-c',
    });
    const newReady = deviceImage({
      id: 'new-ready',
      status: 'ready',
      lastModifiedDateTime: '2026-11-02T10:00:00Z',
      displayName: 'win11-ent-d',
    });
    const adopted = (deviceImages: DeviceImage[]) => {
      const action = planFor({ sourceImages: [sourceImage()], deviceImages }).actions[0];
      return action?.kind === 'adopt' ? action.deviceImage.id : null;
    };
    expect(adopted([failed, pending, oldReady, newReady])).toBe('new-ready');
    expect(adopted([failed, pending])).toBe('pending');
    expect(
      adopted([failed, deviceImage({ id: 'older-failed', status: 'failed', lastModifiedDateTime: null, displayName: 'win11-ent-e' })]),
    ).toBe('failed');
  });
});

describe('plan: every ledger state with the device image in Graph', () => {
  const graph = deviceImage({ status: 'pending' });
  const tracking = (state: LedgerState, change: Partial<LedgerRow> = {}) => upToDate({ state, deviceImageId: graph.id, ...change });

  it.each(['queued', 'creating', 'skipped'] as const)('adopts it for a %s row (the create may have happened)', (state) => {
    const result = single({ graph, row: ledgerRow({ state, deviceImageId: null, updatedAt: minutesAgo(1) }) });
    expect(kinds(result)).toEqual(['adopt']);
    expect(result.images[0]).toMatchObject({ outcome: 'adopt', ledgerState: state });
  });

  it.each([
    ['creating', 1, 'created'],
    ['creating', 0, 'adopted'],
    ['queued', 1, 'adopted'],
    ['skipped', 0, 'adopted'],
  ] as const)(
    'records what it adopts for a %s row with %i attempts as %s: the app created it only while its own POST is unsettled',
    (state, attempts, origin) => {
      const result = single({ graph, row: ledgerRow({ state, attempts, deviceImageId: null, updatedAt: minutesAgo(1) }) });
      expect(result.actions).toEqual([expect.objectContaining({ kind: 'adopt', origin })]);
    },
  );

  it.each(['queued', 'creating', 'skipped'] as const)('adopts it for a %s row even if the row already names it', (state) => {
    expect(kinds(single({ graph, row: tracking(state) }))).toEqual(['adopt']);
  });

  it.each(['pending', 'ready', 'failed'] as const)('adopts it for a %s row that tracks another device image', (state) => {
    expect(kinds(single({ graph, row: tracking(state, { deviceImageId: 'an-older-one' }) }))).toEqual(['adopt']);
  });

  it('leaves a pending row alone while its next status check is due in the future', () => {
    const result = single({ graph, row: tracking('pending', { nextCheckAt: new Date(NOW.getTime() + 60_000).toISOString() }) });
    expect(result.actions).toEqual([]);
    expect(result.images[0]).toMatchObject({ outcome: 'unchanged', ledgerState: 'pending', deviceImageId: graph.id });
  });

  it('leaves a pending row alone while its status check is only recently overdue (the message is on its way)', () => {
    expect(single({ graph, row: tracking('pending', { nextCheckAt: minutesAgo(14) }) }).actions).toEqual([]);
  });

  it('resumes status checks for a pending row with no check scheduled', () => {
    const row = tracking('pending', { nextCheckAt: null });
    const result = single({ graph, row });
    expect(result.actions).toEqual([{ kind: 'resumeStatusCheck', row }]);
    expect(result.images[0]).toMatchObject({ outcome: 'resumeStatusCheck', ledgerState: 'pending' });
  });

  it('resumes status checks for a pending row whose check is overdue by staleAfterMs or more', () => {
    expect(kinds(single({ graph, row: tracking('pending', { nextCheckAt: minutesAgo(15) }) }))).toEqual(['resumeStatusCheck']);
    expect(kinds(single({ graph, row: tracking('pending', { nextCheckAt: minutesAgo(600) }) }))).toEqual(['resumeStatusCheck']);
  });

  it('resumes status checks when nextCheckAt cannot be read', () => {
    expect(kinds(single({ graph, row: tracking('pending', { nextCheckAt: 'not a date' }) }))).toEqual(['resumeStatusCheck']);
  });

  it.each(['ready', 'failed'] as const)('leaves a %s row that tracks it unchanged', (state) => {
    const result = single({ graph, row: tracking(state) });
    expect(result.actions).toEqual([]);
    expect(result.images[0]).toMatchObject({ outcome: 'unchanged', ledgerState: state });
  });

  it('leaves a failed row with its device image unchanged even on a manual trigger', () => {
    expect(single({ graph, row: tracking('failed'), trigger: 'manual' }).actions).toEqual([]);
  });

  it.each(['ready', 'warning'] as const)('adopts a failed row whose device image Graph calls %s after all', (status) => {
    const ready = { ...graph, status };
    const result = single({ graph: ready, row: tracking('failed', { errorCode: 'poisonMessage' }) });
    expect(result.actions).toEqual([expect.objectContaining({ kind: 'adopt', deviceImage: ready })]);
  });
});

describe('plan: every ledger state with no device image in Graph', () => {
  const causeOf = (result: Plan) => {
    const action = result.actions[0];
    return action?.kind === 'register' ? action.cause : (action?.kind ?? null);
  };

  it('registers an image the ledger has never seen', () => {
    expect(causeOf(single({}))).toBe('new');
  });

  it.each(['queued', 'creating'] as const)('leaves a fresh %s row alone: its job is in flight', (state) => {
    const result = single({ row: ledgerRow({ state, deviceImageId: null, updatedAt: minutesAgo(14) }) });
    expect(result.actions).toEqual([]);
    expect(result.images[0]).toMatchObject({ outcome: 'unchanged', ledgerState: state, displayName: 'win11-ent', version: '1.2.0' });
  });

  it.each(['queued', 'creating'] as const)('registers again a %s row not updated for staleAfterMs (its job was lost)', (state) => {
    expect(causeOf(single({ row: ledgerRow({ state, deviceImageId: null, updatedAt: minutesAgo(15) }) }))).toBe('job-lost');
    expect(causeOf(single({ row: ledgerRow({ state, deviceImageId: null, updatedAt: minutesAgo(60 * 24) }) }))).toBe('job-lost');
  });

  it('registers again a queued row whose updatedAt cannot be read', () => {
    expect(causeOf(single({ row: ledgerRow({ state: 'queued', deviceImageId: null, updatedAt: '' }) }))).toBe('job-lost');
  });

  it.each(['pending', 'ready'] as const)('puts back a %s image whose device image vanished from Graph', (state) => {
    const result = single({ row: ledgerRow({ state, updatedAt: minutesAgo(1) }) });
    expect(causeOf(result)).toBe('device-image-vanished');
    expect(result.images[0]).toMatchObject({ outcome: 'register', ledgerState: state, cause: 'device-image-vanished' });
  });

  it.each(['ready', 'failed'] as const)(
    'does not post again a %s row whose deletion retention began (retiringAt): retention finishes or takes it back',
    (state) => {
      for (const trigger of ['reconcile', 'event', 'manual'] as const) {
        const result = single({ row: ledgerRow({ state, retiringAt: minutesAgo(2), updatedAt: minutesAgo(2) }), trigger });
        expect(result.actions.filter((action) => action.kind === 'register')).toEqual([]);
        expect(result.images[0]).toMatchObject({ outcome: 'unchanged', ledgerState: state });
      }
    },
  );

  it('leaves a failed row alone on reconcile and event', () => {
    for (const trigger of ['reconcile', 'event'] as const) {
      const result = single({ row: ledgerRow({ state: 'failed', errorCode: 'createRejected', deviceImageId: null }), trigger });
      expect(result.actions, trigger).toEqual([]);
      expect(result.images[0], trigger).toMatchObject({ outcome: 'unchanged', ledgerState: 'failed' });
    }
  });

  it('retries a failed row on a manual trigger', () => {
    const result = single({ row: ledgerRow({ state: 'failed', deviceImageId: null }), trigger: 'manual' });
    expect(result.actions[0]).toMatchObject({ kind: 'register', cause: 'manual-retry', job: { trigger: 'manual' } });
  });

  it('judges a skipped row afresh: fixing the tag makes the image eligible', () => {
    const fixed = sourceImage({ hyperVGeneration: 'V2' });
    const row = ledgerRow({ sourceImageResourceId: fixed.id, state: 'skipped', reason: 'gen1', deviceImageId: null });
    const result = single({ image: fixed, row });
    expect(result.actions).toEqual([
      expect.objectContaining({
        kind: 'register',
        cause: 'now-eligible',
        job: expect.objectContaining({ displayName: 'win11-ent', version: '1.2.0' }),
      }),
    ]);
    expect(result.images[0]).toMatchObject({ outcome: 'register', ledgerState: 'skipped' });
  });

  it('registers an image once a version tag gives it one, dropping the skipped row of the version-less image', () => {
    const fixed = sourceImage({ name: 'win11-ent', tags: { 'cloudpc-sync': 'true', 'cloudpc-version': '1.2.0' } });
    const row = ledgerRow({ sourceImageResourceId: fixed.id, state: 'skipped', reason: 'no-version', version: null, deviceImageId: null });
    const result = single({ image: fixed, row });
    expect(result.actions).toEqual([
      { kind: 'dropRow', row },
      expect.objectContaining({
        kind: 'register',
        cause: 'new',
        job: expect.objectContaining({ displayName: 'win11-ent', version: '1.2.0' }),
      }),
    ]);
    expect(result.images[0]).toMatchObject({ outcome: 'register', version: '1.2.0', ledgerState: null });
  });

  it('never registers an in-flight row on manual trigger either', () => {
    expect(
      single({ row: ledgerRow({ state: 'creating', deviceImageId: null, updatedAt: minutesAgo(1) }), trigger: 'manual' }).actions,
    ).toEqual([]);
  });
});

describe('plan: displayName + version claimed by more than one source image', () => {
  const mine = sourceImage();
  const theirs = sourceImage({ id: OTHER, resourceGroup: 'rg-other' });

  function skipFixOf(result: Plan, id: string): string | null {
    const action = result.actions.find((candidate) => candidate.kind === 'skip' && candidate.sourceImage.id === id);
    return action?.kind === 'skip' && action.reason === 'name-version-taken' ? action.fix : null;
  }

  it('skips both new images that ask for the same pair, each naming the other (no arbitrary winner)', () => {
    const result = planFor({ sourceImages: [mine, theirs] });
    expect(kinds(result)).toEqual(['skip', 'skip']);
    expect(skipFixOf(result, mine.id)).toContain(OTHER);
    expect(skipFixOf(result, theirs.id)).toContain(mine.id);
    expect(result.images.map((image) => image.reason)).toEqual(['name-version-taken', 'name-version-taken']);
  });

  it('compares the pair case-insensitively and by canonical version', () => {
    const shouting = sourceImage({
      id: OTHER,
      name: 'other',
      tags: { 'cloudpc-sync': 'true', 'cloudpc-display-name': 'WIN11-ENT', 'cloudpc-version': 'v01.2.0' },
    });
    expect(kinds(planFor({ sourceImages: [mine, shouting] }))).toEqual(['skip', 'skip']);
  });

  it('lets different versions or names coexist', () => {
    const nextVersion = sourceImage({ name: 'win11-ent-1.3.0' });
    const otherName = sourceImage({
      id: OTHER,
      name: 'win11-ent-1.2.0',
      tags: { 'cloudpc-sync': 'true', 'cloudpc-display-name': 'finance' },
    });
    expect(kinds(planFor({ sourceImages: [mine, nextVersion, otherName] }))).toEqual(['register', 'register', 'register']);
  });

  it('names every other claimant when three ask and none holds', () => {
    const third = sourceImage({ id: THIRD, resourceGroup: 'rg-third' });
    const fix = skipFixOf(planFor({ sourceImages: [mine, theirs, third] }), mine.id);
    expect(fix).toContain(OTHER);
    expect(fix).toContain(THIRD);
  });

  it('lets the claimant whose row already holds the pair keep it, and skips the newcomer', () => {
    const row = ledgerRow({ sourceImageResourceId: OTHER, state: 'queued', deviceImageId: null, updatedAt: minutesAgo(1) });
    const result = planFor({ sourceImages: [mine, theirs], ledger: [row] });
    expect(result.images.map((image) => image.outcome)).toEqual(['skip', 'unchanged']);
    expect(skipFixOf(result, mine.id)).toContain(OTHER);
  });

  it('lets the holder keep the pair when three ask, skipping the two others with the holder named', () => {
    const third = sourceImage({ id: THIRD, resourceGroup: 'rg-third' });
    const row = ledgerRow({ sourceImageResourceId: THIRD, state: 'creating', deviceImageId: null, updatedAt: minutesAgo(1) });
    const result = planFor({ sourceImages: [mine, theirs, third], ledger: [row] });
    expect(result.images.map((image) => image.outcome)).toEqual(['skip', 'skip', 'unchanged']);
    expect(skipFixOf(result, mine.id)).toContain(THIRD);
    expect(skipFixOf(result, mine.id)).not.toContain(OTHER);
  });

  it('skips a new image whose pair a device image of another source holds, even when that source is gone from ARM', () => {
    const result = planFor({
      sourceImages: [mine],
      deviceImages: [deviceImage({ id: 'theirs', sourceImageResourceId: OTHER.replace('resourceGroups', 'resourcegroups') })],
    });
    expect(result.actions[0]).toMatchObject({ kind: 'skip', reason: 'name-version-taken' });
    expect(skipFixOf(result, mine.id)).toContain('resourcegroups/rg-other');
  });

  it('lets a listed source with its device image keep the pair and skips the newcomer', () => {
    const result = planFor({
      sourceImages: [theirs, mine],
      deviceImages: [deviceImage({ sourceImageResourceId: OTHER })],
      ledger: [ledgerRow({ sourceImageResourceId: OTHER, state: 'ready' })],
    });
    expect(result.images.map((image) => image.outcome)).toEqual(['unchanged', 'skip']);
    expect(skipFixOf(result, mine.id)).toContain(OTHER);
  });

  it.each(['queued', 'creating', 'pending', 'ready', 'failed'] as const)(
    "skips a new image whose pair another source's %s ledger row holds (that source not listed now)",
    (state) => {
      const row = ledgerRow({ sourceImageResourceId: OTHER, state, updatedAt: minutesAgo(1) });
      expect(planFor({ sourceImages: [mine], ledger: [row] }).actions[0]).toMatchObject({ kind: 'skip', reason: 'name-version-taken' });
    },
  );

  it("ignores another source's skipped ledger row", () => {
    const row = ledgerRow({ sourceImageResourceId: OTHER, state: 'skipped', reason: 'gen1', deviceImageId: null });
    expect(kinds(planFor({ sourceImages: [mine], ledger: [row] }))).toEqual(['register']);
  });

  it("prefers Graph's holder over a ledger holder and names it alone", () => {
    const result = planFor({
      sourceImages: [mine],
      deviceImages: [deviceImage({ sourceImageResourceId: THIRD })],
      ledger: [ledgerRow({ sourceImageResourceId: OTHER, state: 'queued', deviceImageId: null })],
    });
    const fix = skipFixOf(result, mine.id);
    expect(fix).toContain(THIRD);
    expect(fix).not.toContain(OTHER);
  });

  it('does not let an image conflict with its own row and device image, whatever their casing', () => {
    const row = upToDate({ sourceImageResourceId: mine.id.toLowerCase(), state: 'pending', nextCheckAt: minutesAgo(1) });
    const graph = deviceImage({ sourceImageResourceId: mine.id.toUpperCase(), status: 'pending' });
    const result = planFor({ sourceImages: [mine], ledger: [row], deviceImages: [graph] });
    expect(result.actions).toEqual([]);
    expect(result.images[0]).toMatchObject({ outcome: 'unchanged' });
  });

  it('lets a new image register under its own queued row (a lost job) without conflicting with itself', () => {
    const row = ledgerRow({ state: 'queued', deviceImageId: null, updatedAt: minutesAgo(30) });
    expect(planFor({ sourceImages: [mine], ledger: [row] }).actions[0]).toMatchObject({ kind: 'register', cause: 'job-lost' });
  });

  it('ignores claims by out-of-scope images that have no row and no device image', () => {
    const outOfScope = sourceImage({ id: OTHER, tags: {} });
    expect(kinds(planFor({ sourceImages: [mine, outOfScope] }))).toEqual(['register']);
  });

  it("counts an out-of-scope image's device image and ledger row as claims", () => {
    const outOfScope = sourceImage({ id: OTHER, tags: {} });
    expect(kinds(planFor({ sourceImages: [mine, outOfScope], deviceImages: [deviceImage({ sourceImageResourceId: OTHER })] }))).toEqual([
      'skip',
    ]);
    expect(
      kinds(planFor({ sourceImages: [mine, outOfScope], ledger: [ledgerRow({ sourceImageResourceId: OTHER, state: 'ready' })] })),
    ).toEqual(['skip']);
  });

  it('does not let an ineligible image claim a pair', () => {
    const gen1 = sourceImage({ id: OTHER, hyperVGeneration: 'V1' });
    const result = planFor({ sourceImages: [mine, gen1] });
    expect(result.actions.map((action) => (action.kind === 'skip' ? action.reason : action.kind))).toEqual(['register', 'gen1']);
  });

  it("judges a listed image by its current naming, not by its row's old pair", () => {
    const renamed = sourceImage({
      id: OTHER,
      name: 'other',
      tags: { 'cloudpc-sync': 'true', 'cloudpc-display-name': 'win11-ent', 'cloudpc-version': '2.0.0' },
    });
    const oldRow = ledgerRow({
      sourceImageResourceId: OTHER,
      state: 'failed',
      deviceImageId: null,
      displayName: 'win11-ent',
      version: '1.2.0',
    });
    const result = planFor({ sourceImages: [mine, renamed], ledger: [oldRow] });
    // The renamed source's 2.0.0 is a registration of its own; its failed 1.2.0 stays as it is.
    expect(result.images.map((image) => [image.outcome, image.version])).toEqual([
      ['register', '1.2.0'],
      ['register', '2.0.0'],
    ]);
    expect(
      result.actions.every(
        (action) => action.kind !== 'register' || action.job.version !== '1.2.0' || action.job.sourceImageResourceId === mine.id,
      ),
    ).toBe(true);
  });

  it('does not count a row holding another pair as holding the new one', () => {
    const renamed = sourceImage({
      id: OTHER,
      name: 'other',
      tags: { 'cloudpc-sync': 'true', 'cloudpc-display-name': 'win11-ent', 'cloudpc-version': '1.2.0' },
    });
    const oldRow = ledgerRow({
      sourceImageResourceId: OTHER,
      state: 'queued',
      deviceImageId: null,
      displayName: 'other',
      version: '0.0.1',
      updatedAt: minutesAgo(1),
    });
    expect(kinds(planFor({ sourceImages: [mine, renamed], ledger: [oldRow] }))).toEqual(['skip', 'skip']);
  });

  it('skips on an event too, when the ledger shows another source holding the pair', () => {
    const row = ledgerRow({ sourceImageResourceId: OTHER, state: 'creating', deviceImageId: null, updatedAt: minutesAgo(1) });
    expect(planFor({ sourceImages: [mine], ledger: [row], trigger: 'event' }).actions[0]).toMatchObject({
      kind: 'skip',
      reason: 'name-version-taken',
    });
  });

  it('compares unicode display names in one normal form', () => {
    const composed = sourceImage({ tags: { 'cloudpc-sync': 'true', 'cloudpc-display-name': 'Caf\u00e9' } });
    const decomposed = sourceImage({ id: OTHER, tags: { 'cloudpc-sync': 'true', 'cloudpc-display-name': 'Cafe\u0301' } });
    expect(kinds(planFor({ sourceImages: [composed, decomposed] }))).toEqual(['skip', 'skip']);
  });
});

describe('plan: purity', () => {
  it('changes none of its inputs and answers the same twice', () => {
    const input: PlanInput = Object.freeze({
      sourceImages: Object.freeze([sourceImage(), sourceImage({ name: 'b-1.0.0' }), sourceImage({ name: 'c' })]),
      deviceImages: Object.freeze([deviceImage({ sourceImageResourceId: sourceImageId('b-1.0.0'), displayName: 'b', version: '1.0.0' })]),
      ledger: Object.freeze([ledgerRow({ state: 'queued', deviceImageId: null, updatedAt: minutesAgo(1) })]),
      scope: optIn,
      trigger: 'reconcile',
      now: NOW,
      staleAfterMs: STALE_AFTER_MS,
      ...LIFECYCLE_OFF,
    });
    const snapshot = JSON.stringify(input);
    expect(plan(input)).toEqual(plan(input));
    expect(JSON.stringify(input)).toBe(snapshot);
  });

  it('lists every in-scope image in the summary, with the would-be outcome', () => {
    const result = planFor({
      sourceImages: [
        sourceImage(),
        sourceImage({ name: 'b-1.0.0' }),
        sourceImage({ name: 'c' }),
        sourceImage({ name: 'd-1.0.0' }),
        sourceImage({ name: 'e-1.0.0', tags: {} }),
      ],
      deviceImages: [deviceImage({ id: 'b-id', sourceImageResourceId: sourceImageId('b-1.0.0'), displayName: 'b', version: '1.0.0' })],
      ledger: [
        ledgerRow({
          sourceImageResourceId: sourceImageId('d-1.0.0'),
          displayName: 'd',
          version: '1.0.0',
          state: 'failed',
          deviceImageId: null,
        }),
      ],
    });
    expect(
      result.images.map(({ displayName, outcome, ledgerState, deviceImageId }) => ({ displayName, outcome, ledgerState, deviceImageId })),
    ).toEqual([
      { displayName: 'win11-ent', outcome: 'register', ledgerState: null, deviceImageId: null },
      { displayName: 'b', outcome: 'adopt', ledgerState: null, deviceImageId: 'b-id' },
      { displayName: 'c', outcome: 'skip', ledgerState: null, deviceImageId: null },
      { displayName: 'd', outcome: 'unchanged', ledgerState: 'failed', deviceImageId: null },
    ]);
  });
});
