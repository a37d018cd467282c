// The planner's lifecycle rules (DESIGN §4, §13): registrations are a source at a version, the
// tenant's limit, the preflight, and what it records about registrations it leaves alone.
import { describe, expect, it } from 'vitest';
import { type DeviceImage, type LedgerRow, type SourceImage, registrationKey } from '../../../src/domain';
import { type PlanAction, type PlanInput, plan } from '../../../src/rules/plan';
import { slotName } from '../../../src/rules/slotName';
import { deviceImage } from '../../fixtures/deviceImage';
import { ledgerRow } from '../../fixtures/ledgerRow';
import { sourceImage, sourceImageId } from '../../fixtures/sourceImage';

const NOW = new Date('2026-12-01T15:00:00Z');
const RESOURCE = sourceImageId('win11-ent');

/** The managed image `win11-ent`, rebuilt in place: its version comes from the cloudpc-version tag. */
function rebuilt(version: string, fingerprint = `vm-${version}`): SourceImage {
  return sourceImage({ name: 'win11-ent', tags: { 'cloudpc-sync': 'true', 'cloudpc-version': version }, contentFingerprint: fingerprint });
}

function registered(version: string, overrides: Partial<LedgerRow> = {}): LedgerRow {
  return ledgerRow({
    sourceImageResourceId: RESOURCE,
    version,
    deviceImageId: `device-${version}`,
    contentFingerprint: `vm-${version}`,
    osStatus: 'supported',
    expirationDate: '2029-11-20',
    ...overrides,
  });
}

function inTenant(version: string, overrides: Partial<DeviceImage> = {}): DeviceImage {
  return deviceImage({ id: `device-${version}`, version, sourceImageResourceId: RESOURCE, ...overrides });
}

function planOf(input: Partial<PlanInput>) {
  return plan({
    sourceImages: [],
    deviceImages: [],
    ledger: [],
    scope: { kind: 'tag', name: 'cloudpc-sync', value: 'true' },
    trigger: 'reconcile',
    now: NOW,
    staleAfterMs: 30 * 60_000,
    capacity: null,
    visibleToWindows365: null,
    policies: null,
    expiryWarningDays: 30,
    ...input,
  });
}

const kinds = (actions: readonly PlanAction[]) => actions.map((action) => action.kind);
const ofKind = <K extends PlanAction['kind']>(actions: readonly PlanAction[], kind: K) =>
  actions.filter((action): action is Extract<PlanAction, { kind: K }> => action.kind === kind);

describe('a source image rebuilt in place', () => {
  it('registers the new version and leaves the earlier registration as it is', () => {
    const planned = planOf({ sourceImages: [rebuilt('1.3.0')], deviceImages: [inTenant('1.2.0')], ledger: [registered('1.2.0')] });
    expect(kinds(planned.actions)).toEqual(['register']);
    expect(ofKind(planned.actions, 'register')[0]).toMatchObject({
      job: { version: '1.3.0', displayName: 'win11-ent' },
      cause: 'new',
      firstCreate: true,
      contentFingerprint: 'vm-1.3.0',
    });
    expect(planned.images).toEqual([expect.objectContaining({ version: '1.3.0', outcome: 'register' })]);
  });

  it('rebuilt under the same version keeps the registration and records version-unchanged once', () => {
    const planned = planOf({
      sourceImages: [rebuilt('1.2.0', 'vm-rebuilt')],
      deviceImages: [inTenant('1.2.0')],
      ledger: [registered('1.2.0')],
    });
    expect(kinds(planned.actions)).toEqual(['observe']);
    const [observe] = ofKind(planned.actions, 'observe');
    expect(observe?.observation.sourceWarnings?.map((warning) => warning.code)).toEqual(['version-unchanged']);
    expect(observe?.newWarnings.map((warning) => warning.code)).toEqual(['version-unchanged']);
    expect(observe?.observation.alertedWarnings).toEqual(['version-unchanged']);

    const alerted = registered('1.2.0', {
      sourceWarnings: observe?.observation.sourceWarnings ?? [],
      alertedWarnings: ['version-unchanged'],
    });
    expect(
      planOf({ sourceImages: [rebuilt('1.2.0', 'vm-rebuilt')], deviceImages: [inTenant('1.2.0')], ledger: [alerted] }).actions,
    ).toEqual([]);
  });

  it('takes the source as it is as the baseline of a registration with no capture on record (carried over, adopted)', () => {
    const planned = planOf({
      sourceImages: [rebuilt('1.2.0', 'vm-now')],
      deviceImages: [inTenant('1.2.0')],
      ledger: [registered('1.2.0', { contentFingerprint: null })],
    });
    expect(ofKind(planned.actions, 'observe')).toEqual([
      expect.objectContaining({ observation: { contentFingerprint: 'vm-now' }, newWarnings: [] }),
    ]);
  });

  it('records an earlier version whose device image was deleted outside the app as retired, never re-posts it', () => {
    const planned = planOf({
      sourceImages: [rebuilt('1.3.0')],
      deviceImages: [inTenant('1.3.0')],
      ledger: [registered('1.2.0'), registered('1.3.0')],
    });
    expect(ofKind(planned.actions, 'retire')).toEqual([
      expect.objectContaining({
        row: expect.objectContaining({ version: '1.2.0' }),
        reason: expect.stringMatching(/deleted outside the app/),
      }),
    ]);
    expect(ofKind(planned.actions, 'register')).toEqual([]);
  });

  it('adopts a device image of the source at a version the ledger does not follow', () => {
    const planned = planOf({
      sourceImages: [rebuilt('1.3.0')],
      deviceImages: [inTenant('1.2.0'), inTenant('1.3.0')],
      ledger: [registered('1.3.0')],
    });
    expect(ofKind(planned.actions, 'adopt')).toEqual([expect.objectContaining({ version: '1.2.0', contentFingerprint: null })]);
  });

  it('drops a skipped row the source no longer matches, and skips its new version afresh', () => {
    const staleSkip = ledgerRow({
      sourceImageResourceId: RESOURCE,
      version: null,
      state: 'skipped',
      reason: 'no-version',
      deviceImageId: null,
    });
    const invalid = sourceImage({ name: 'win11-ent', tags: { 'cloudpc-sync': 'true', 'cloudpc-version': 'latest' } });
    expect(kinds(planOf({ sourceImages: [rebuilt('1.3.0')], ledger: [staleSkip] }).actions)).toEqual(['dropRow', 'register']);
    // A registered image whose tag turns invalid: the registration stays, the skip says why.
    const planned = planOf({ sourceImages: [invalid], deviceImages: [inTenant('1.2.0')], ledger: [registered('1.2.0')] });
    expect(ofKind(planned.actions, 'skip')).toEqual([
      expect.objectContaining({ reason: 'invalid-version', version: null, fix: expect.stringMatching(/cloudpc-version=1.2.0/) }),
    ]);
    expect(kinds(planned.actions)).not.toContain('retire');
  });

  it('never posts a retired registration again', () => {
    const retired = registered('1.3.0', { state: 'retired', deviceImageId: 'gone' });
    expect(planOf({ sourceImages: [rebuilt('1.3.0')], ledger: [retired] }).actions).toEqual([]);
  });
});

describe('the tenant image limit', () => {
  const sources = ['a-1.0.0', 'b-1.0.0', 'c-1.0.0'].map((name) => sourceImage({ name }));

  it('registers while the tenant and the reserved slots leave room, then skips tenant-image-limit with the fix', () => {
    const planned = planOf({
      sourceImages: sources,
      deviceImages: [deviceImage({ id: 'other', displayName: 'manual', version: '9.0.0' })],
      capacity: { limit: 3, reserved: new Set([slotName('elsewhere|1.0.0')]) },
    });
    expect(planned.images.map((image) => image.outcome)).toEqual(['register', 'skip', 'skip']);
    expect(planned.images[1]).toMatchObject({ reason: 'tenant-image-limit', fix: expect.stringMatching(/IMAGE_SYNC_KEEP_VERSIONS/) });
  });

  it('does not count a registration twice when its slot is reserved already', () => {
    const [first] = sources;
    const reserved = new Set([slotName(registrationKey(first?.id ?? '', '1.0.0'))]);
    const planned = planOf({ sourceImages: sources.slice(0, 1), capacity: { limit: 1, reserved } });
    expect(ofKind(planned.actions, 'register')).toEqual([expect.objectContaining({ needsSlot: false })]);
  });
});

describe('the preflight', () => {
  it('skips a first create that getSourceImages does not list, with the Reader fix', () => {
    const [visible, hidden] = [sourceImage({ name: 'seen-1.0.0' }), sourceImage({ name: 'hidden-1.0.0' })];
    const planned = planOf({ sourceImages: [visible, hidden], visibleToWindows365: new Set([visible.id.toLowerCase()]) });
    expect(planned.images.map((image) => [image.outcome, image.reason])).toEqual([
      ['register', null],
      ['skip', 'not-visible-to-windows365'],
    ]);
    expect(planned.images[1]?.fix).toMatch(/0af06dc6-e4b5-4f28-818e-e78e62d137a5.*Reader/);
  });

  it('does not hold back a registration that was posted before, nor anything when the list is unknown', () => {
    const hidden = sourceImage({ name: 'hidden-1.0.0' });
    const posted = ledgerRow({
      sourceImageResourceId: hidden.id,
      version: '1.0.0',
      displayName: 'hidden',
      state: 'queued',
      attempts: 1,
      deviceImageId: null,
      updatedAt: '2026-12-01T00:00:00Z',
    });
    expect(kinds(planOf({ sourceImages: [hidden], ledger: [posted], visibleToWindows365: new Set() }).actions)).toEqual(['register']);
    expect(kinds(planOf({ sourceImages: [hidden], visibleToWindows365: null }).actions)).toEqual(['register']);
  });
});

describe('what a reconcile records about registrations', () => {
  it('records osStatus, expiration and the policies that use the image, and alerts a warning once', () => {
    const row = registered('1.2.0');
    const planned = planOf({
      sourceImages: [rebuilt('1.2.0')],
      deviceImages: [inTenant('1.2.0', { osStatus: 'supportedWithWarning', expirationDate: '2026-12-20' })],
      ledger: [row],
      policies: [{ id: 'p1', displayName: 'Engineering', imageId: 'DEVICE-1.2.0', imageDisplayName: 'win11-ent', imageType: 'custom' }],
    });
    const [observe] = ofKind(planned.actions, 'observe');
    expect(observe?.observation).toMatchObject({
      osStatus: 'supportedWithWarning',
      expirationDate: '2026-12-20',
      policies: ['Engineering'],
      alertedWarnings: ['os-support-warning', 'os-support-ending'],
    });
    expect(observe?.newWarnings.map((warning) => warning.code)).toEqual(['os-support-warning', 'os-support-ending']);
  });

  it('leaves policies as recorded when Graph did not list them', () => {
    const row = registered('1.2.0', { policies: ['Engineering'], osStatus: 'supported', expirationDate: '2029-11-20' });
    expect(planOf({ sourceImages: [rebuilt('1.2.0')], deviceImages: [inTenant('1.2.0')], ledger: [row], policies: null }).actions).toEqual(
      [],
    );
  });
});
