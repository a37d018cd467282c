import { describe, expect, it } from 'vitest';
import { EXIT_NEEDS_ATTENTION, EXIT_OK, buildStatusReport, exitCodeFor } from '../../../src/cli/statusReport';
import { renderStatus } from '../../../src/cli/renderStatus';
import { renderTable } from '../../../src/cli/table';
import type { LedgerRow, Problem } from '../../../src/domain';
import { ledgerRow } from '../../fixtures/ledgerRow';
import { contractErrors } from '../../support/contract';

const problem: Problem = {
  kind: 'subscription-unreadable',
  detail: 'listing images of subscription x: 403 AuthorizationFailed',
  at: '2026-11-23T09:00:00.000Z',
  subject: 'x',
};
/** The report's clock and warning window: the rows below have no expiration date, so no warning. */
const options = { now: new Date('2026-11-23T09:00:00.000Z'), expiryWarningDays: 30 };
const rows = (states: LedgerRow['state'][]): LedgerRow[] =>
  states.map((state, index) =>
    ledgerRow({
      sourceImageResourceId: `/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg/providers/Microsoft.Compute/images/img-${index}-1.0.0`,
      displayName: `img-${index}`,
      version: '1.0.0',
      state,
      deviceImageId: state === 'skipped' || state === 'queued' ? null : `dev-${index}`,
    }),
  );

describe('the status report', () => {
  it('is valid against the contract, summary included', () => {
    const report = buildStatusReport(rows(['ready', 'failed', 'skipped', 'pending']), [problem], options);
    expect(contractErrors('status', report)).toBeNull();
    expect(report.summary).toEqual({ inScope: 4, registered: 3, ready: 1, failed: 1, skipped: 1, retired: 0, warnings: 0, problems: 1 });
  });

  it('tells a gallery image version from a managed image (sourceKind, contract 3) and labels it in the table', () => {
    const galleryVersion =
      '/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg-gallery/providers/Microsoft.Compute/galleries/galImages/images/win11-gold/versions/1.4.0';
    const report = buildStatusReport(
      [
        ...rows(['ready']),
        ledgerRow({ sourceImageResourceId: galleryVersion, displayName: 'win11-gold', version: '1.4.0', state: 'ready' }),
      ],
      [],
      options,
    );
    expect(contractErrors('status', report)).toBeNull();
    expect(Object.fromEntries(report.images.map((image) => [image.displayName, image.sourceKind]))).toEqual({
      'img-0': 'managedImage',
      'win11-gold': 'galleryImageVersion',
    });
    expect(renderStatus(report)).toContain('gallery:galImages/win11-gold/1.4.0');
  });

  it('shows failures first, then work in progress, then ready and skipped images', () => {
    const report = buildStatusReport(rows(['skipped', 'ready', 'pending', 'failed', 'queued']), [], options);
    expect(report.images.map((image) => image.state)).toEqual(['failed', 'queued', 'pending', 'ready', 'skipped']);
  });

  it('narrows to the images of a run when given their ids, whatever their casing', () => {
    const all = rows(['ready', 'ready']);
    const report = buildStatusReport(all, [], { ...options, inScopeIds: [all[1]?.sourceImageResourceId.toUpperCase() ?? ''] });
    expect(report.images).toHaveLength(1);
  });

  it.each([
    [['ready', 'skipped'], [], EXIT_OK],
    [[], [], EXIT_OK],
    [['ready', 'failed'], [], EXIT_NEEDS_ATTENTION],
    [['ready', 'pending'], [], EXIT_NEEDS_ATTENTION],
    [['ready', 'queued'], [], EXIT_NEEDS_ATTENTION],
    [['ready'], [problem], EXIT_NEEDS_ATTENTION],
  ] as [LedgerRow['state'][], Problem[], number][])('exits %j with problems %j → %i', (states, problems, code) => {
    expect(exitCodeFor(buildStatusReport(rows(states), problems, options))).toBe(code);
  });

  it('needs attention for a skip only an administrator can clear, not for one a tag fixes, nor for a retired registration', () => {
    const [ready, skipped] = rows(['ready', 'skipped']);
    if (ready === undefined || skipped === undefined) throw new Error('rows() made too few rows');
    const skippedFor = (reason: string) => ({ ...skipped, reason });
    expect(exitCodeFor(buildStatusReport([ready, skippedFor('gen1'), { ...ready, state: 'retired' }], [], options))).toBe(EXIT_OK);
    expect(exitCodeFor(buildStatusReport([ready, skippedFor('tenant-image-limit')], [], options))).toBe(EXIT_NEEDS_ATTENTION);
    expect(exitCodeFor(buildStatusReport([ready, skippedFor('not-visible-to-windows365')], [], options))).toBe(EXIT_NEEDS_ATTENTION);
  });

  it('needs no attention for a version superseded before it was posted (DESIGN §15), and shows its fix', () => {
    const [ready, skipped] = rows(['ready', 'skipped']);
    if (ready === undefined || skipped === undefined) throw new Error('rows() made too few rows');
    const superseded = { ...skipped, reason: 'superseded', fix: 'nothing was posted for this version: the source was rebuilt as 1.1.0' };
    const report = buildStatusReport([ready, superseded], [], options);
    expect(exitCodeFor(report)).toBe(EXIT_OK);
    expect(renderStatus(report)).toContain('superseded: nothing was posted for this version');
  });
});

describe('the status table', () => {
  it('says what to do for failed and skipped images, and counts everything', () => {
    const failed = ledgerRow({
      displayName: 'win10',
      version: '1.0.0',
      state: 'failed',
      errorCode: 'osVersionNotSupported',
      reason: 'use Windows 10 or 11 Enterprise',
    });
    const skipped = ledgerRow({
      displayName: 'gen1',
      version: '2.0.0',
      state: 'skipped',
      reason: 'gen1',
      fix: 'recapture as Generation 2',
    });
    const text = renderStatus(buildStatusReport([failed, skipped], [problem], options));
    expect(text).toMatch(/^failed\s+win10 1\.0\.0\s.*osVersionNotSupported: use Windows 10 or 11 Enterprise$/m);
    expect(text).toMatch(/^skipped\s+gen1 2\.0\.0\s.*gen1: recapture as Generation 2$/m);
    expect(text).toMatch(/Problems \(1\):\nAT\s+KIND\s+DETAIL\n2026-11-23T09:00:00\.000Z\s+subscription-unreadable\s+listing images/);
    expect(text).toMatch(/2 registration\(s\): 0 ready, 1 failed, 1 skipped, 0 retired, 0 in progress; 0 with warnings; 1 problem\(s\)\.$/);
  });

  it('shows image currency from the ledger (contract 3): the build, the latest build, the lag and its warning; null where not judged', () => {
    const behind = ledgerRow({
      osVersionNumber: '10.0.26100.4349',
      latestBuild: '26100.4946',
      patchLag: 2,
      currencyWarnings: [
        { code: 'os-update-behind', text: 'a newer quality update, build 26100.4946 of August 2026, is available: rebuild the image' },
      ],
    });
    const current = ledgerRow({ displayName: 'kiosk', osVersionNumber: '10.0.22631.4317', latestBuild: '10.0.22631.4317', patchLag: 0 });
    const unjudged = ledgerRow({ displayName: 'old', osVersionNumber: '10.0.19045.5011' });
    const report = buildStatusReport([behind, current, unjudged], [], options);
    expect(contractErrors('status', report)).toBeNull();
    expect(report.images.map((image) => [image.displayName, image.osVersionNumber, image.latestBuild, image.patchLag])).toEqual([
      ['kiosk', '10.0.22631.4317', '10.0.22631.4317', 0],
      ['old', '10.0.19045.5011', null, null],
      ['win11-ent', '10.0.26100.4349', '26100.4946', 2],
    ]);
    expect(report.images[2]?.warnings).toEqual([
      'os-update-behind: a newer quality update, build 26100.4946 of August 2026, is available: rebuild the image',
    ]);
    expect(report.summary.warnings).toBe(1);
    const text = renderStatus(report);
    expect(text).toMatch(/BUILD/);
    expect(text).toContain('10.0.26100.4349 (2 behind 26100.4946)');
    expect(text).toContain('10.0.22631.4317 (current)');
    expect(text).toContain('warning os-update-behind: a newer quality update');
  });

  it('tells a new user what to run when the ledger is empty', () => {
    expect(renderStatus(buildStatusReport([], [], options))).toMatch(/No images in the ledger yet: run `image-sync sync`/);
  });
});

describe('renderTable', () => {
  it('aligns columns and cuts long cells with an ellipsis', () => {
    const text = renderTable(
      [
        { a: 'x', b: 'long text here' },
        { a: 'wider', b: 'y' },
      ],
      [
        { header: 'A', value: (row) => row.a },
        { header: 'B', value: (row) => row.b, max: 8 },
      ],
    );
    expect(text.split('\n')).toEqual(['A      B', 'x      long te…', 'wider  y']);
  });
});

describe('ring rollouts in the status report (contract 3)', () => {
  const source = '/subscriptions/11111111-1111-4111-8111-111111111111/resourceGroups/rg/providers/Microsoft.Compute/images/img-0-1.0.0';
  const rollout = {
    sourceImageResourceId: source,
    displayName: 'img-0',
    version: '1.0.0',
    deviceImageId: 'dev-0',
    rings: [['Pilot'], ['Sales', 'Finance']],
    ring: 2,
    state: 'soaking' as const,
    ringStartedAt: '2026-11-23T08:00:00.000Z',
    since: null,
    policyIds: [],
    provisioned: 0,
    failed: 0,
    failures: [],
    endedAt: null,
    updatedAt: '2026-11-23T08:00:00.000Z',
  };

  it("lists each rollout with its current ring's policies, valid against the contract, narrowed to a run's images", () => {
    const report = buildStatusReport(rows(['ready']), [], {
      ...options,
      rollouts: [rollout, { ...rollout, sourceImageResourceId: `${source}-other`, displayName: 'other' }],
    });
    expect(contractErrors('status', report)).toBeNull();
    expect(report.rollouts).toEqual([
      {
        displayName: 'img-0',
        version: '1.0.0',
        ring: 2,
        rings: 2,
        state: 'soaking',
        policies: ['Sales', 'Finance'],
        provisioned: 0,
        failed: 0,
        since: '2026-11-23T08:00:00.000Z',
      },
      expect.objectContaining({ displayName: 'other' }),
    ]);
    expect(
      buildStatusReport(rows(['ready']), [], {
        ...options,
        inScopeIds: [source.toUpperCase()],
        rollouts: [rollout, { ...rollout, sourceImageResourceId: `${source}-other` }],
      }).rollouts,
    ).toHaveLength(1);
    expect(renderStatus(report)).toMatch(
      /Rollouts \(2\):\nSTATE +IMAGE +RING +POLICIES +NEW CLOUD PCS +SINCE\nsoaking +img-0 1\.0\.0 +2\/2 +Sales; Finance +0 provisioned, 0 failed/,
    );
  });

  it('says since when the soak started once the ring is patched', () => {
    const report = buildStatusReport([], [], {
      ...options,
      rollouts: [{ ...rollout, state: 'halted', since: '2026-11-23T08:05:00.000Z', failed: 1 }],
    });
    expect(report.rollouts[0]).toMatchObject({ state: 'halted', failed: 1, since: '2026-11-23T08:05:00.000Z' });
  });
});
