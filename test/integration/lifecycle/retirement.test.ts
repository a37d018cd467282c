// A row is `retired` only when Graph says its device image is gone (DESIGN §15, issue 20 finding 2),
// through the real handlers against Azurite and the emulator: a refused DELETE leaves the row as it
// was and records retire-refused; an unfinished retirement is finished only when every retention rule
// still allows it; the planner retires a row only after a GET 404.
import { describe, expect, it } from 'vitest';
import type { FaultRule } from '../../../src/emulator';
import { reconcile } from '../../../src/handlers/reconcile';
import { markRetiring } from '../../../src/steps/retirementTransitions';
import { syncLocally } from './localSync';
import { DELETE, imageName, tags, useRetentionTenant } from './retentionTenant';

const tenant = useRetentionTenant([
  { group: 'rg-refuse-403' },
  { group: 'rg-refuse-409' },
  { group: 'rg-refuse-400' },
  { group: 'rg-crash' },
  { group: 'rg-rollback' },
  { group: 'rg-legacy' },
  // Two sources sharing one display name: retention may delete one's current version.
  { group: 'rg-shared-a', version: '1.0.0', displayName: 'win11-shared' },
  { group: 'rg-shared-b', version: '2.0.0', displayName: 'win11-shared' },
  { group: 'rg-lag' },
]);

describe('a DELETE Graph refuses', () => {
  it.each([
    ['rg-refuse-403', { status: 403 }, /403 Forbidden: The caller does not have the permission/],
    [
      'rg-refuse-409',
      { status: 409, code: 'ImageLocked', message: 'The image is being replicated; try later.' },
      /409 ImageLocked: The image is being replicated; try later\./,
    ],
    [
      'rg-refuse-400',
      { status: 400, code: 'BadRequest', message: 'The image cannot be deleted while Cloud PCs are being reprovisioned from it.' },
      /400 BadRequest: The image cannot be deleted while Cloud PCs are being reprovisioned/,
    ],
  ] as const)(
    '(%s) leaves the row as it was, records retire-refused with the words, deletes nothing after IMAGE_SYNC_KEEP_VERSIONS=0, and is tried again',
    async (group, refuse, words) => {
      const app = tenant.appsFor(group);
      const off = app(0);
      await tenant.twoReadyVersions(off, group);
      const kept = tenant.idOf(group, '1.0.0');

      tenant.emulator.setFaults({ kinds: [DELETE], refuse: { next: 1, ...refuse } } satisfies FaultRule);
      const refused = await reconcile(app(1).deps);
      expect(await tenant.rowOf(off, group, '1.0.0')).toMatchObject({ state: 'ready', deviceImageId: kept });
      expect(refused.retention).toEqual([
        expect.objectContaining({ version: '1.0.0', outcome: 'refused', detail: expect.stringMatching(words) }),
      ]);
      expect(await tenant.rowOf(off, group, '1.0.0')).toMatchObject({ retiringAt: null });
      const problems = await off.deps.ledger.listProblems();
      expect(problems).toEqual([expect.objectContaining({ kind: 'retire-refused', subject: kept, detail: expect.stringMatching(words) })]);
      expect(problems[0]?.detail).toMatch(/next reconcile tries again/);

      // Retention switched off: nothing may be deleted any more, whatever happened before.
      tenant.emulator.clearFaults();
      await reconcile(off.deps);
      expect(tenant.imagesOf(group).map((image) => image.id)).toContain(kept);
      expect(await tenant.rowOf(off, group, '1.0.0')).toMatchObject({ state: 'ready' });

      // On again, and Graph agrees now: the next reconcile deletes it, and only then is the row retired.
      const again = await reconcile(app(1).deps);
      expect(again.retention).toEqual([expect.objectContaining({ version: '1.0.0', outcome: 'retired' })]);
      expect(tenant.imagesOf(group).map((image) => image.version)).toEqual(['1.1.0']);
      expect(await tenant.rowOf(off, group, '1.0.0')).toMatchObject({ state: 'retired', retiringAt: null });
    },
    60_000,
  );
});

describe('an unfinished retirement', () => {
  it('(a DELETE that never answered) is not finished once retention is off, is kept while a rule forbids it, and is finished when they allow it', async () => {
    const group = 'rg-crash';
    const app = tenant.appsFor(group);
    const off = app(0);
    await tenant.twoReadyVersions(off, group);
    const marked = tenant.idOf(group, '1.0.0');

    // The DELETE goes out and no answer comes back: the worker cannot tell whether it happened.
    tenant.emulator.setFaults({ kinds: [DELETE], down: 'reset' });
    const lost = await reconcile(app(1).deps);
    expect(lost.retention).toEqual([expect.objectContaining({ version: '1.0.0', outcome: 'failed' })]);
    tenant.emulator.clearFaults();
    expect(await tenant.rowOf(off, group, '1.0.0')).toMatchObject({ state: 'ready' });

    // Retention switched off since: the mark licenses nothing; the row follows Graph again.
    const before = tenant.emulator.count(DELETE);
    const offRun = await reconcile(off.deps);
    expect(tenant.emulator.count(DELETE)).toBe(before);
    expect(tenant.imagesOf(group).map((image) => image.id)).toContain(marked);
    expect(offRun.retention).toEqual([expect.objectContaining({ version: '1.0.0', outcome: 'kept', why: 'unfinished' })]);
    expect(tenant.imagesOf(group).map((image) => image.id)).toContain(marked);
    expect(await tenant.rowOf(off, group, '1.0.0')).toMatchObject({ state: 'ready', retiringAt: null });

    // Marked again, and a policy starts using the image before the next run: kept, nothing sent.
    tenant.emulator.setFaults({ kinds: [DELETE], down: 'reset' });
    await reconcile(app(1).deps);
    tenant.emulator.clearFaults();
    tenant.emulator.putProvisioningPolicy({ id: 'crash-policy', displayName: 'Crash', imageType: 'custom', imageId: marked });
    const sent = tenant.emulator.count(DELETE);
    const inUse = await reconcile(app(1).deps);
    expect(tenant.emulator.count(DELETE)).toBe(sent);
    expect(inUse.retention).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ version: '1.0.0', outcome: 'in-use', detail: 'used by provisioning policy "Crash"' }),
      ]),
    );
    expect(await tenant.rowOf(off, group, '1.0.0')).toMatchObject({ state: 'ready', retiringAt: null });

    // The policy moves on: every rule allows the deletion now, and it happens.
    tenant.emulator.putProvisioningPolicy({
      id: 'crash-policy',
      displayName: 'Crash',
      imageType: 'custom',
      imageId: tenant.idOf(group, '1.1.0'),
    });
    const done = await reconcile(app(1).deps);
    expect(done.retention).toEqual(expect.arrayContaining([expect.objectContaining({ version: '1.0.0', outcome: 'retired' })]));
    expect(tenant.imagesOf(group).map((image) => image.version)).toEqual(['1.1.0']);
  }, 90_000);

  it('(a row the previous release marked retired before its DELETE) is kept and follows Graph again: that release recorded no origin', async () => {
    const group = 'rg-legacy';
    const app = tenant.appsFor(group);
    const off = app(0);
    await tenant.twoReadyVersions(off, group);
    const row = await tenant.rowOf(off, group, '1.0.0');
    if (row === null) throw new Error('no row for 1.0.0');
    // What the previous release left: `retired` written before a DELETE that never happened, no origin field.
    await off.deps.ledger.update(row, { state: 'retired', origin: null, reason: 'deleted from Windows 365 by retention' }, new Date());

    const deletes = tenant.emulator.count(DELETE);
    const run = await reconcile(app(1).deps);
    expect(tenant.emulator.count(DELETE)).toBe(deletes);
    expect(tenant.imagesOf(group).map((image) => image.version)).toEqual(['1.0.0', '1.1.0']);
    expect(run.retention).toEqual([
      expect.objectContaining({ version: '1.0.0', outcome: 'kept', detail: expect.stringMatching(/did not create/) }),
    ]);
    expect(await tenant.rowOf(off, group, '1.0.0')).toMatchObject({
      state: 'ready',
      retiringAt: null,
      reason: expect.stringMatching(/^kept: /),
    });
  }, 60_000);
  it('(a DELETE that never answered) is kept, and its row follows Graph again, once a policy rollback would restore the image', async () => {
    const group = 'rg-rollback';
    const app = tenant.appsFor(group);
    const off = app(0);
    await tenant.twoReadyVersions(off, group);
    const marked = tenant.idOf(group, '1.0.0');
    tenant.emulator.setFaults({ kinds: [DELETE], down: 'reset' });
    await reconcile(app(1).deps);
    tenant.emulator.clearFaults();

    // Meanwhile the app rolled a policy out from 1.0.0 to 1.1.0: image-sync rollback would restore 1.0.0.
    await off.deps.rollouts.save(
      {
        policyId: 'rollback-policy',
        policyDisplayName: 'Rollback',
        state: 'rolled-out',
        deviceImageId: tenant.idOf(group, '1.1.0'),
        deviceImageDisplayName: imageName(group),
        sourceImageResourceId: tenant.sourceIn(group),
        version: '1.1.0',
        previousImageId: marked,
        previousImageDisplayName: imageName(group),
        previousImageType: 'custom',
        rolledBackFrom: [],
        updatedAt: new Date().toISOString(),
      },
      null,
    );
    const sent = tenant.emulator.count(DELETE);
    const run = await reconcile(app(1).deps);
    expect(tenant.emulator.count(DELETE)).toBe(sent);
    expect(tenant.imagesOf(group).map((image) => image.id)).toContain(marked);
    expect(await tenant.rowOf(off, group, '1.0.0')).toMatchObject({ state: 'ready', retiringAt: null });
    expect(run.retention).toEqual([
      expect.objectContaining({
        version: '1.0.0',
        outcome: 'in-use',
        detail: 'kept: image-sync rollback of provisioning policy "Rollback" restores it',
      }),
    ]);
  }, 60_000);

  it('(a DELETE that went through, the ledger write after it lost) is retired after a GET 404, not registered again', async () => {
    // Two sources share a display name: retention (keep 1) deletes source A's current version.
    const app = tenant.appsFor('rg-shared-a,rg-shared-b');
    const off = app(0);
    expect((await syncLocally(off)).ending).toBe('settled');
    const row = await tenant.rowOf(off, 'rg-shared-a', '1.0.0');
    if (row === null) throw new Error('no row for source A');
    // What a worker that stopped after its DELETE leaves: the mark, and the image gone.
    await markRetiring(off.deps.ledger, row, new Date());
    expect(tenant.emulator.deleteDeviceImage(row.deviceImageId ?? '')).toBe(true);

    tenant.emulator.clearRequests();
    const run = await reconcile(app(1).deps);
    expect(run.retention).toEqual([expect.objectContaining({ version: '1.0.0', outcome: 'retired', why: 'unfinished' })]);
    expect(tenant.emulator.count('graph.deviceImages.get')).toBe(1);
    expect(run.registered).toBe(0);
    expect(tenant.emulator.count('graph.deviceImages.create')).toBe(0);
    expect(await tenant.rowOf(off, 'rg-shared-a', '1.0.0')).toMatchObject({ state: 'retired', retiringAt: null });
  }, 60_000);
});

describe("the planner's retire (an earlier version's device image absent from the listing)", () => {
  it('retires nothing when a GET finds the image (a listing read while it was created), and nothing is deleted later', async () => {
    const group = 'rg-lag';
    const off = tenant.appsFor(group)(0);
    expect((await syncLocally(off)).ending).toBe('settled');
    const first = tenant.idOf(group, '1.0.0');
    tenant.emulator.rebuildManagedImage(tenant.sourceIn(group), { build: 'b2', tags: tags('1.1.0') });

    // This reconcile's listing does not show 1.0.0's device image yet.
    tenant.emulator.setFaults({ kinds: ['graph.deviceImages.list'], listingLag: { next: 1, seconds: 3600 } });
    tenant.emulator.clearRequests();
    const lagged = await reconcile(off.deps);
    expect(await tenant.rowOf(off, group, '1.0.0')).toMatchObject({ state: 'ready', deviceImageId: first });
    expect(lagged.retired).toBe(0);
    expect(tenant.emulator.count('graph.deviceImages.get')).toBe(1);

    tenant.emulator.clearFaults();
    expect((await syncLocally(off)).ending).toBe('settled');
    await reconcile(off.deps);
    expect(tenant.imagesOf(group).map((image) => [image.version, image.status])).toEqual([
      ['1.0.0', 'ready'],
      ['1.1.0', 'ready'],
    ]);
    expect(await tenant.rowOf(off, group, '1.0.0')).toMatchObject({ state: 'ready' });
  }, 60_000);

  it('retires the row when the GET answers 404 (deleted outside the app)', async () => {
    const group = 'rg-lag';
    const off = tenant.appsFor(group)(0);
    expect((await syncLocally(off)).ending).toBe('settled');
    // Both versions are in this app's ledger now; 1.0.0's device image is deleted by hand.
    expect(tenant.emulator.deleteDeviceImage(tenant.idOf(group, '1.0.0'))).toBe(true);
    tenant.emulator.clearRequests();
    const run = await reconcile(off.deps);
    expect(run.retired).toBe(1);
    expect(tenant.emulator.count('graph.deviceImages.get')).toBe(1);
    expect(await tenant.rowOf(off, group, '1.0.0')).toMatchObject({
      state: 'retired',
      reason: expect.stringMatching(/deleted outside the app/),
    });
  }, 60_000);
});
