// The Graph throttle shared through the ledger's table: a hold one instance's gate is given holds the
// others within their refresh interval; `until` only moves forward however writers race; the row
// sits beside the image slots without touching them; and storage that cannot be reached never stops
// a Graph call.
import { describe, expect, it } from 'vitest';
import { createSharedRetryAfterGate } from '../../../src/graph/retryAfterGate';
import { createImageSlots } from '../../../src/state/imageSlots';
import { GRAPH_THROTTLE_ROW_KEY, createSharedThrottle } from '../../../src/state/sharedThrottle';
import { TENANT_PARTITION, IMAGE_SLOTS_ROW_KEY } from '../../../src/state/ledgerKeys';
import { createStorageClients } from '../../../src/storage/storageClients';
import { slotName } from '../../../src/rules/slotName';
import { recordingLogger } from '../../fixtures/recordingLogger';
import { testStorage } from '../../support/storage';

const REFRESH_MS = 300;

describe('the shared Graph throttle in Azure Tables', () => {
  it('holds another instance within its refresh interval of a hold one instance was given', async () => {
    const { clients, tableName } = testStorage('throttle');
    // Two instances: their own table clients and gates over the same table.
    const first = createSharedRetryAfterGate(createSharedThrottle(clients.table(tableName)), { refreshMs: REFRESH_MS });
    const second = createSharedRetryAfterGate(createSharedThrottle(testStorage().clients.table(tableName)), { refreshMs: REFRESH_MS });
    // The second has just read: nothing held (no table yet).
    await second.refresh();
    expect(second.remainingMs()).toBe(0);

    const heldAt = Date.now();
    first.holdFor(2_000);
    await first.published();
    const row = await clients.table(tableName).getEntity<{ until: string }>(TENANT_PARTITION, GRAPH_THROTTLE_ROW_KEY);
    expect(Date.parse(row.until) - heldAt).toBeGreaterThanOrEqual(2_000);
    expect(Date.parse(row.until) - heldAt).toBeLessThan(2_100);

    // Within one refresh interval, the second instance's requests wait for it.
    await new Promise((resolve) => setTimeout(resolve, REFRESH_MS));
    await second.refresh();
    expect(second.remainingMs()).toBeGreaterThan(2_000 - (Date.now() - heldAt) - 50);
    const passing = Date.now();
    await second.passed();
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(row.until) - 5);
    expect(Date.now() - passing).toBeGreaterThan(1_000);
  });

  it('never moves `until` backwards, however many instances write at once', async () => {
    const { clients, tableName } = testStorage('throttle-race');
    const base = Date.now();
    const holds = Array.from({ length: 12 }, (_, index) => base + 1_000 + ((index * 7) % 12) * 250);
    const results = await Promise.all(
      holds.map((until) => createSharedThrottle(clients.table(tableName)).extend(until, AbortSignal.timeout(10_000))),
    );
    const latest = Math.max(...holds);
    for (const [index, held] of results.entries()) expect(held).toBeGreaterThanOrEqual(holds[index] ?? 0);
    expect(await createSharedThrottle(clients.table(tableName)).read(AbortSignal.timeout(5_000))).toBe(latest);

    // A shorter hold leaves the row as it is.
    const throttle = createSharedThrottle(clients.table(tableName));
    expect(await throttle.extend(base + 500, AbortSignal.timeout(5_000))).toBe(latest);
    expect(await throttle.read(AbortSignal.timeout(5_000))).toBe(latest);
  });

  it('sits beside the image slots in the tenant partition without touching them', async () => {
    const { clients, tableName } = testStorage('throttle-slots');
    const slots = createImageSlots(clients.table(tableName), clients.endpoints);
    const now = new Date();
    await slots.reserve(['image-a'], new Set(), 5, now);
    const before = await clients.table(tableName).getEntity(TENANT_PARTITION, IMAGE_SLOTS_ROW_KEY);
    const gate = createSharedRetryAfterGate(createSharedThrottle(clients.table(tableName)));
    gate.holdFor(1_000);
    await gate.published();
    const after = await clients.table(tableName).getEntity(TENANT_PARTITION, IMAGE_SLOTS_ROW_KEY);
    expect(after.etag).toBe(before.etag);
    expect(await slots.reserved(now)).toEqual(new Set([slotName('image-a')]));
  });

  it('lets Graph calls go on, logging it, when storage cannot be reached', async () => {
    const unreachable = createStorageClients({
      kind: 'connectionString',
      connectionString:
        'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;QueueEndpoint=http://127.0.0.1:9/devstoreaccount1;',
    });
    const { log, lines } = recordingLogger();
    const gate = createSharedRetryAfterGate(createSharedThrottle(unreachable.table('nowhere')), {
      log,
      readTimeoutMs: 300,
      writeTimeoutMs: 300,
    });
    const started = Date.now();
    await gate.passed();
    expect(Date.now() - started).toBeLessThan(1_000);
    gate.holdFor(5_000);
    await gate.published();
    // Its own process is held all the same.
    expect(gate.remainingMs()).toBeGreaterThan(3_000);
    expect(lines.map((line) => `${line.level} ${line.line.split(' ')[0]}`)).toEqual([
      'debug GraphThrottleUnread',
      'warn GraphThrottleNotShared',
    ]);
  });
});
