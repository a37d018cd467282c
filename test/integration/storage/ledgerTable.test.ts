import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { LedgerEntry } from '../../../src/domain';
import { LedgerConflictError, PermanentError } from '../../../src/errors';
import { ensureTable } from '../../../src/state/ensureTable';
import { createLedger } from '../../../src/state/ledgerTable';
import { MAX_TEXT_LENGTH, toImageEntity } from '../../../src/state/ledgerEntity';
import { newLedgerEntry } from '../../../src/steps/ledgerTransitions';
import type { Ledger, RegistrationRef } from '../../../src/ports';
import { testStorage } from '../../support/storage';

const SUBSCRIPTION = '11111111-1111-4111-8111-111111111111';

function imageId(name: string): string {
  return `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-images/providers/Microsoft.Compute/images/${name}`;
}

/** The registration a row is for: entry()'s rows are all at version 1.2.0. */
function at(sourceImageResourceId: string, version: string | null = '1.2.0'): RegistrationRef {
  return { sourceImageResourceId, version };
}

function entry(overrides: Partial<LedgerEntry> = {}): Omit<LedgerEntry, 'createdAt' | 'updatedAt'> {
  return {
    ...newLedgerEntry({ sourceImageResourceId: imageId('win11-ent-1.2.0'), displayName: 'win11-ent', version: '1.2.0' }),
    ...overrides,
  };
}

const T0 = new Date('2024-05-01T12:00:00.000Z');
const T1 = new Date('2024-05-01T12:01:00.000Z');

function freshLedger(): { ledger: Ledger; table: TableClient } {
  const { clients, tableName } = testStorage('ledger');
  const table = clients.table(tableName);
  return { ledger: createLedger(table, { endpoints: clients.endpoints }), table };
}

describe('ledger image rows', () => {
  it('inserts a row and reads it back as written, nulls and numbers intact', async () => {
    const { ledger } = freshLedger();
    const inserted = await ledger.insert(entry({ attempts: 2, reason: 'why' }), T0);
    expect(inserted).toEqual({
      ...entry({ attempts: 2, reason: 'why' }),
      createdAt: T0.toISOString(),
      updatedAt: T0.toISOString(),
      etag: expect.any(String),
    });
    expect(await ledger.get(at(entry().sourceImageResourceId))).toEqual(inserted);
  });

  it('finds a row whatever the casing of the id, and answers null for an unknown image or another version', async () => {
    const { ledger } = freshLedger();
    await ledger.insert(entry(), T0);
    expect((await ledger.get(at(entry().sourceImageResourceId.toUpperCase())))?.sourceImageResourceId).toBe(entry().sourceImageResourceId);
    expect(await ledger.get(at(imageId('unknown')))).toBeNull();
    expect(await ledger.get(at(entry().sourceImageResourceId, '1.3.0'))).toBeNull();
    expect(await ledger.get(at(entry().sourceImageResourceId, null))).toBeNull();
  });

  it('keeps each version of a source image in a row of its own', async () => {
    const { ledger } = freshLedger();
    const first = await ledger.insert(entry({ state: 'ready' }), T0);
    const second = await ledger.insert(entry({ version: '1.3.0' }), T1);
    const versionless = await ledger.insert(entry({ version: null, state: 'skipped', reason: 'no-version' }), T1);
    expect(await ledger.get(at(first.sourceImageResourceId))).toEqual(first);
    expect(await ledger.get(at(first.sourceImageResourceId.toLowerCase(), '1.3.0'))).toEqual(second);
    expect(await ledger.get(at(first.sourceImageResourceId, null))).toEqual(versionless);
    expect((await ledger.list()).map((row) => row.version)).toEqual([null, '1.2.0', '1.3.0']);
  });

  it('keys image rows by the SHA-256 of the lower-cased id, `|` and the version, in partition image', async () => {
    const { ledger, table } = freshLedger();
    await ledger.insert(entry(), T0);
    const rowKey = createHash('sha256').update(`${entry().sourceImageResourceId.toLowerCase()}|1.2.0`).digest('hex');
    const raw = await table.getEntity<Record<string, unknown>>('image', rowKey);
    expect(raw.state).toBe('queued');
    expect(raw).not.toHaveProperty('deviceImageId');
  });

  it('refuses a second insert of the same image (any casing) with LedgerConflictError', async () => {
    const { ledger } = freshLedger();
    await ledger.insert(entry(), T0);
    await expect(ledger.insert(entry({ sourceImageResourceId: entry().sourceImageResourceId.toLowerCase() }), T1)).rejects.toBeInstanceOf(
      LedgerConflictError,
    );
  });

  it('lets exactly one of two concurrent inserts win', async () => {
    const { ledger } = freshLedger();
    const results = await Promise.allSettled([
      ledger.insert(entry({ state: 'creating' }), T0),
      ledger.insert(entry({ state: 'creating' }), T0),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((result) => result.status === 'rejected');
    expect(rejected?.status === 'rejected' ? rejected.reason : null).toBeInstanceOf(LedgerConflictError);
  });

  it('updates with the ETag: changes fields, clears nulls, stamps updatedAt, keeps createdAt', async () => {
    const { ledger } = freshLedger();
    const inserted = await ledger.insert(entry({ reason: 'old', errorCode: 'x' }), T0);
    const updated = await ledger.update(
      inserted,
      { state: 'pending', deviceImageId: 'dev-1', reason: null, errorCode: undefined, attempts: 1 },
      T1,
    );
    expect(updated).toEqual({
      ...inserted,
      state: 'pending',
      deviceImageId: 'dev-1',
      reason: null,
      attempts: 1,
      updatedAt: T1.toISOString(),
      etag: expect.any(String),
    });
    expect(updated.etag).not.toBe(inserted.etag);
    expect(await ledger.get(at(inserted.sourceImageResourceId))).toEqual(updated);
  });

  it('refuses an update from a stale row: of two writers, one wins', async () => {
    const { ledger } = freshLedger();
    const row = await ledger.insert(entry(), T0);
    const results = await Promise.allSettled([
      ledger.update(row, { state: 'creating', attempts: 1 }, T1),
      ledger.update(row, { state: 'creating', attempts: 1 }, T1),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((result) => result.status === 'rejected');
    expect(rejected?.status === 'rejected' ? rejected.reason : null).toBeInstanceOf(LedgerConflictError);
    await expect(ledger.update(row, { state: 'ready' }, T1)).rejects.toBeInstanceOf(LedgerConflictError);
    expect((await ledger.get(at(row.sourceImageResourceId)))?.attempts).toBe(1);
  });

  it('treats an update of a row that was removed as a conflict', async () => {
    const { ledger, table } = freshLedger();
    const row = await ledger.insert(entry(), T0);
    const raw = toImageEntity(row);
    await table.deleteEntity(raw.partitionKey, raw.rowKey);
    await expect(ledger.update(row, { state: 'ready' }, T1)).rejects.toBeInstanceOf(LedgerConflictError);
  });

  it('cuts an overlong reason so the row stays within the property limit', async () => {
    const { ledger } = freshLedger();
    const row = await ledger.insert(entry({ state: 'failed', reason: 'x'.repeat(40_000) }), T0);
    expect(row.reason).toHaveLength(MAX_TEXT_LENGTH);
    expect((await ledger.get(at(row.sourceImageResourceId)))?.reason).toBe(row.reason);
  });

  it('lists every image row across pages (over 1000), ordered by id, without problem rows', async () => {
    const { ledger, table } = freshLedger();
    await ledger.recordProblem({ kind: 'subscription-unreadable', detail: '403', at: T0.toISOString(), subject: SUBSCRIPTION });
    const ids = Array.from({ length: 1_205 }, (_, index) => imageId(`img-${String(index).padStart(5, '0')}`));
    const actions: TransactionAction[] = ids.map((id) => [
      'create',
      toImageEntity({ ...entry({ sourceImageResourceId: id }), createdAt: T0.toISOString(), updatedAt: T0.toISOString() }),
    ]);
    for (let start = 0; start < actions.length; start += 100) await table.submitTransaction(actions.slice(start, start + 100));
    const rows = await ledger.list();
    expect(rows).toHaveLength(ids.length);
    expect(rows.map((row) => row.sourceImageResourceId)).toEqual(ids);
    expect(rows.every((row) => row.etag !== '' && row.state === 'queued')).toBe(true);
    const states = await ledger.listStates();
    expect(states).toHaveLength(ids.length);
    expect(new Set(states.map((row) => row.sourceImageResourceId))).toEqual(new Set(ids));
    expect(states.every((row) => Object.keys(row).sort().join() === 'sourceImageResourceId,state' && row.state === 'queued')).toBe(true);
  });

  it('inserts many rows in entity-group transactions of 100: 250 rows in 3 requests, each row usable', async () => {
    const { ledger, table } = freshLedger();
    await ensureTable(table);
    let requests = 0;
    table.pipeline.addPolicy({
      name: 'countRequests',
      sendRequest: (request, next) => {
        requests += 1;
        return next(request);
      },
    });
    const entries = Array.from({ length: 250 }, (_, index) =>
      entry({ sourceImageResourceId: imageId(`many-${index}`), state: index % 2 === 0 ? 'queued' : 'skipped' }),
    );
    const rows = await ledger.insertMany(entries, T0);
    expect(requests).toBe(3);
    expect(rows).toHaveLength(250);
    rows.forEach((row, index) =>
      expect(row).toEqual({ ...entries[index], createdAt: T0.toISOString(), updatedAt: T0.toISOString(), etag: expect.any(String) }),
    );
    const first = rows[0];
    if (first === null || first === undefined) throw new Error('no row');
    // The ETag each insert answered is the row's own: an update from it goes through.
    expect((await ledger.update(first, { state: 'creating' }, T1)).state).toBe('creating');
    expect(await ledger.get(at(imageId('many-249')))).toEqual(rows[249]);
  });

  it('inserts the rest of a batch when some rows exist already, and answers null for those', async () => {
    const { ledger } = freshLedger();
    const existing = await ledger.insert(entry({ sourceImageResourceId: imageId('taken'), state: 'pending' }), T0);
    const entries = [
      entry({ sourceImageResourceId: imageId('free-1') }),
      entry({ sourceImageResourceId: imageId('TAKEN') }),
      entry({ sourceImageResourceId: imageId('free-2') }),
    ];
    const rows = await ledger.insertMany(entries, T1);
    expect(rows.map((row) => row?.sourceImageResourceId ?? null)).toEqual([imageId('free-1'), null, imageId('free-2')]);
    expect(await ledger.get(at(imageId('taken')))).toEqual(existing);
    expect((await ledger.list()).map((row) => row.sourceImageResourceId)).toEqual([imageId('free-1'), imageId('free-2'), imageId('taken')]);
  });

  it('writes one row when a batch names an image twice, and answers null for the second', async () => {
    const { ledger } = freshLedger();
    const rows = await ledger.insertMany(
      [entry({ sourceImageResourceId: imageId('twice') }), entry({ sourceImageResourceId: imageId('twice'), state: 'skipped' })],
      T0,
    );
    expect(rows.map((row) => row?.state ?? null)).toEqual(['queued', null]);
    expect(await ledger.listStates()).toEqual([{ sourceImageResourceId: imageId('twice'), state: 'queued' }]);
  });

  it('answers an empty list for a new ledger', async () => {
    const { ledger } = freshLedger();
    expect(await ledger.list()).toEqual([]);
    expect(await ledger.listProblems()).toEqual([]);
  });

  it('refuses to read a row it did not write, naming the row', async () => {
    const { ledger, table } = freshLedger();
    await ensureTable(table);
    const rowKey = createHash('sha256')
      .update(`${imageId('odd').toLowerCase()}|1.2.0`)
      .digest('hex');
    await table.createEntity({ partitionKey: 'image', rowKey, sourceImageResourceId: imageId('odd'), state: 'exploded' });
    const error = await ledger.get(at(imageId('odd'))).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PermanentError);
    expect(String((error as Error).message)).toMatch(new RegExp(`^ledger row image/${rowKey} is unreadable \\(state: `));
  });
});

describe('how a row got its device image (origin) and a retirement under way (retiringAt)', () => {
  it('stores both and reads them back; a row stored without them (earlier releases) reads null for both', async () => {
    const { ledger, table } = freshLedger();
    const created = await ledger.insert(
      entry({ state: 'ready', deviceImageId: 'dev-1', origin: 'created', retiringAt: T1.toISOString() }),
      T0,
    );
    expect(await ledger.get(at(created.sourceImageResourceId))).toMatchObject({ origin: 'created', retiringAt: T1.toISOString() });

    const older = imageId('older');
    const rowKey = createHash('sha256').update(`${older.toLowerCase()}|1.2.0`).digest('hex');
    const {
      origin: _origin,
      retiringAt: _retiringAt,
      ...stored
    } = toImageEntity({
      ...entry({ sourceImageResourceId: older, state: 'ready', deviceImageId: 'dev-2', origin: 'adopted' }),
      createdAt: T0.toISOString(),
      updatedAt: T0.toISOString(),
    });
    await table.createEntity({ ...stored, rowKey });
    expect(await ledger.get(at(older))).toMatchObject({ state: 'ready', origin: null, retiringAt: null });
  });

  it('refuses to read an origin it does not know', async () => {
    const { ledger, table } = freshLedger();
    await ensureTable(table);
    const odd = imageId('odd-origin');
    const rowKey = createHash('sha256').update(`${odd.toLowerCase()}|1.2.0`).digest('hex');
    const stored = toImageEntity({ ...entry({ sourceImageResourceId: odd }), createdAt: T0.toISOString(), updatedAt: T0.toISOString() });
    await table.createEntity({ ...stored, rowKey, origin: 'uploaded' });
    await expect(ledger.get(at(odd))).rejects.toThrow(/is unreadable \(origin: /);
  });
});

describe('rows of the previous release and removed rows', () => {
  /** Stores a row as the previous release did: one per source image, keyed by its id alone. */
  async function storeLegacy(table: TableClient, overrides: Partial<LedgerEntry> = {}): Promise<string> {
    const legacyKey = createHash('sha256').update(entry().sourceImageResourceId.toLowerCase()).digest('hex');
    await table.createEntity({
      ...toImageEntity({
        ...entry({ state: 'ready', deviceImageId: 'dev-1', ...overrides }),
        createdAt: T0.toISOString(),
        updatedAt: T0.toISOString(),
      }),
      rowKey: legacyKey,
    });
    return legacyKey;
  }

  it('carries a row of the previous release over to its registration when it is read at its version, and only then', async () => {
    const { ledger, table } = freshLedger();
    await ensureTable(table);
    const legacyKey = await storeLegacy(table);
    expect(await ledger.get(at(entry().sourceImageResourceId, '1.3.0'))).toBeNull();
    const moved = await ledger.get(at(entry().sourceImageResourceId.toUpperCase()));
    expect(moved).toMatchObject({
      sourceImageResourceId: entry().sourceImageResourceId,
      version: '1.2.0',
      state: 'ready',
      deviceImageId: 'dev-1',
      createdAt: T0.toISOString(),
    });
    expect(moved).not.toHaveProperty('legacy');
    await expect(table.getEntity('image', legacyKey)).rejects.toMatchObject({ statusCode: 404 });
    expect(await ledger.list()).toEqual([moved]);
  });

  it('carries the listed rows of the previous release over, and lists them under their registrations', async () => {
    const { ledger, table } = freshLedger();
    await ensureTable(table);
    await storeLegacy(table);
    const listed = await ledger.list();
    expect(listed).toEqual([expect.objectContaining({ legacy: true, version: '1.2.0' })]);
    const carried = await ledger.carryOver(listed);
    expect(carried).toEqual([expect.objectContaining({ state: 'ready', deviceImageId: 'dev-1', version: '1.2.0' })]);
    expect(carried[0]).not.toHaveProperty('legacy');
    expect(await ledger.list()).toEqual(carried);
    expect(await ledger.get(at(entry().sourceImageResourceId))).toEqual(carried[0]);
  });

  it('removes a row with its ETag, and refuses to remove one that changed since it was read', async () => {
    const { ledger } = freshLedger();
    const row = await ledger.insert(entry({ state: 'skipped', reason: 'gen1' }), T0);
    const updated = await ledger.update(row, { reason: 'not-generalized' }, T1);
    await expect(ledger.remove(row)).rejects.toBeInstanceOf(LedgerConflictError);
    expect(await ledger.get(at(row.sourceImageResourceId))).toEqual(updated);
    await ledger.remove(updated);
    expect(await ledger.get(at(row.sourceImageResourceId))).toBeNull();
    expect(ledger.remembered(at(row.sourceImageResourceId))).toBeUndefined();
  });
});

describe('rows the ledger remembers', () => {
  it('remembers what it inserted, updated and read, and forgets a row whose update conflicted', async () => {
    const { ledger } = freshLedger();
    const id = entry().sourceImageResourceId;
    expect(ledger.remembered(at(id))).toBeUndefined();
    const inserted = await ledger.insert(entry(), T0);
    expect(ledger.remembered(at(id))).toEqual(inserted);
    const updated = await ledger.update(inserted, { state: 'creating' }, T1);
    expect(ledger.remembered(at(id.toUpperCase()))).toEqual(updated);
    await expect(ledger.update(inserted, { state: 'skipped' }, T1)).rejects.toBeInstanceOf(LedgerConflictError);
    expect(ledger.remembered(at(id))).toBeUndefined();
    expect(await ledger.get(at(id))).toEqual(updated);
    expect(ledger.remembered(at(id))).toEqual(updated);
    const [many] = await ledger.insertMany(
      [entry({ sourceImageResourceId: imageId('another') }), entry({ sourceImageResourceId: imageId('third') })],
      T0,
    );
    expect(ledger.remembered(at(imageId('another')))).toEqual(many);
  });

  it('keeps its memory to itself: another instance over the same table reads what is stored', async () => {
    const { clients, tableName } = testStorage('ledger');
    const mine = createLedger(clients.table(tableName));
    const theirs = createLedger(clients.table(tableName));
    const queued = await mine.insert(entry(), T0);
    const claimed = await theirs.update((await theirs.get(at(queued.sourceImageResourceId))) ?? queued, { state: 'creating' }, T1);
    // Mine still remembers the row it wrote; a write from it fails, and a read gives the stored one.
    expect(mine.remembered(at(queued.sourceImageResourceId))).toEqual(queued);
    await expect(mine.update(queued, { state: 'creating' }, T1)).rejects.toBeInstanceOf(LedgerConflictError);
    expect(await mine.get(at(queued.sourceImageResourceId))).toEqual(claimed);
  });
});

describe('ledger problems', () => {
  const problem = (at: Date, overrides: { kind?: string; subject?: string | null; detail?: string } = {}) => ({
    kind: overrides.kind ?? 'subscription-unreadable',
    detail: overrides.detail ?? `403 at ${at.toISOString()}`,
    at: at.toISOString(),
    subject: overrides.subject === undefined ? SUBSCRIPTION : overrides.subject,
  });

  it('adds a new problem, then merges a recurrence into it (count, first and last seen, latest detail)', async () => {
    const { ledger } = freshLedger();
    expect(await ledger.recordProblem(problem(T0))).toEqual({ isNew: true });
    expect(await ledger.recordProblem(problem(T1, { detail: 'still 403' }))).toEqual({ isNew: false });
    expect(await ledger.listProblems()).toEqual([
      {
        kind: 'subscription-unreadable',
        detail: 'still 403',
        at: T1.toISOString(),
        subject: SUBSCRIPTION,
        count: 2,
        firstSeenAt: T0.toISOString(),
      },
    ]);
  });

  it('keeps the last-seen time when a recurrence arrives out of order', async () => {
    const { ledger } = freshLedger();
    await ledger.recordProblem(problem(T1));
    await ledger.recordProblem(problem(T0));
    expect((await ledger.listProblems())[0]).toMatchObject({ at: T1.toISOString(), firstSeenAt: T1.toISOString(), count: 2 });
  });

  it('keeps problems of another kind or subject apart; a null subject is a subject too', async () => {
    const { ledger } = freshLedger();
    expect(await ledger.recordProblem(problem(T0))).toEqual({ isNew: true });
    expect(await ledger.recordProblem(problem(T0, { subject: '22222222-2222-4222-8222-222222222222' }))).toEqual({ isNew: true });
    expect(await ledger.recordProblem(problem(T0, { kind: 'image-unreadable' }))).toEqual({ isNew: true });
    expect(await ledger.recordProblem(problem(T0, { kind: 'alert-undelivered', subject: null }))).toEqual({ isNew: true });
    expect(await ledger.recordProblem(problem(T1, { kind: 'alert-undelivered', subject: null }))).toEqual({ isNew: false });
    expect(await ledger.listProblems()).toHaveLength(4);
  });

  it('gives each poison message its own row (subject = message id), and merges a redelivered one', async () => {
    const { ledger } = freshLedger();
    for (const id of ['m-1', 'm-2', 'm-3']) {
      expect(await ledger.recordProblem(problem(T0, { kind: 'poison-message', subject: id }))).toEqual({ isNew: true });
    }
    expect(await ledger.recordProblem(problem(T1, { kind: 'poison-message', subject: 'm-2' }))).toEqual({ isNew: false });
    const problems = await ledger.listProblems();
    expect(problems[0]).toMatchObject({ subject: 'm-2', count: 2, at: T1.toISOString() });
    expect(
      problems
        .slice(1)
        .map((recorded) => [recorded.subject, recorded.count])
        .sort(),
    ).toEqual([
      ['m-1', 1],
      ['m-3', 1],
    ]);
  });

  it('lists problems most recently seen first', async () => {
    const { ledger } = freshLedger();
    const times = ['2024-05-01T10:00:00.000Z', '2024-05-01T12:00:00.000Z', '2024-05-01T11:00:00.000Z'];
    for (const [index, at] of times.entries()) await ledger.recordProblem(problem(new Date(at), { subject: `s-${index}` }));
    expect((await ledger.listProblems()).map((recorded) => recorded.at)).toEqual([times[1], times[2], times[0]]);
  });

  it('records one problem when several writers record the same new one at once', async () => {
    const { ledger } = freshLedger();
    const results = await Promise.all(Array.from({ length: 5 }, () => ledger.recordProblem(problem(T0))));
    expect(results.filter((result) => result.isNew)).toHaveLength(1);
    const problems = await ledger.listProblems();
    expect(problems).toHaveLength(1);
    expect(problems[0]?.count).toBe(5);
  });

  it('clears every problem, leaves image rows alone, and records a recurrence afterwards as new', async () => {
    const { ledger } = freshLedger();
    await ledger.insert(entry(), T0);
    await ledger.recordProblem(problem(T0, { subject: 'a' }));
    await ledger.recordProblem(problem(T0, { subject: 'b' }));
    expect(await ledger.clearProblems()).toBe(2);
    expect(await ledger.listProblems()).toEqual([]);
    expect(await ledger.list()).toHaveLength(1);
    expect(await ledger.recordProblem(problem(T1, { subject: 'a' }))).toEqual({ isNew: true });
  });
});
