import type { ResourceGraphClient } from '@azure/arm-resourcegraph';
import { describe, expect, it } from 'vitest';
import { SUBSCRIPTIONS_PER_QUERY, createResourceGraphSourceImageReader } from '../../../src/arm/resourceGraphSourceImageReader';
import { loadConfig } from '../../../src/config';
import { silentLogger } from '../../../src/log';
import { sourceImageId } from '../../fixtures/sourceImage';

type Query = Parameters<ResourceGraphClient['resources']>[0];
type Answer = Awaited<ReturnType<ResourceGraphClient['resources']>>;

const SUB = '11111111-1111-4111-8111-111111111111';
const credential = { getToken: async () => null };

function reader(answers: ((query: Query) => Answer | Error)[], subscriptionIds = SUB) {
  const sent: Query[] = [];
  const config = loadConfig({
    AzureWebJobsStorage: 'UseDevelopmentStorage=true',
    IMAGE_SYNC_SUBSCRIPTION_IDS: subscriptionIds,
    IMAGE_SYNC_DISCOVERY: 'resource-graph',
  });
  const client = {
    resources: async (query: Query): Promise<Answer> => {
      sent.push(query);
      const next = answers.shift() ?? (() => page([]));
      const answer = next(query);
      if (answer instanceof Error) throw answer;
      return answer;
    },
  };
  const perImage = { get: async () => null };
  return {
    sent,
    sourceImages: createResourceGraphSourceImageReader({ config, credential, log: silentLogger, perImage, client, secondPassDelayMs: 1 }),
  };
}

function page(data: unknown, more: Partial<Answer> = {}): Answer {
  return {
    totalRecords: Array.isArray(data) ? data.length : 0,
    count: Array.isArray(data) ? data.length : 0,
    resultTruncated: 'false',
    data,
    ...more,
  };
}

const image = (name: string) => ({ id: sourceImageId(name), name, tags: { 'cloudpc-sync': 'true' }, osDisk: { osType: 'Windows' } });
const readable = (subscriptionId: string) => ({ id: `/subscriptions/${subscriptionId}`, subscriptionId });

describe('the Resource Graph reader', () => {
  it('follows skipToken until the last page and keeps each image once', async () => {
    const { sent, sourceImages } = reader([
      () => page([image('a-1.0.0'), readable(SUB)], { skipToken: 't1' }),
      () => page([image('b-1.0.0'), image('a-1.0.0')]),
    ]);
    const listing = await sourceImages.listAll();
    expect(listing.images.map((found) => found.name)).toEqual(['a-1.0.0', 'b-1.0.0']);
    // The query returns the images in scope only: each is counted once, as it is kept.
    expect(listing.listed).toBe(2);
    expect(sent.map((query) => query.options?.skipToken)).toEqual([undefined, 't1']);
    expect(sent.every((query) => query.options?.top === 1000 && query.options.resultFormat === 'objectArray')).toBe(true);
  });

  it('takes a truncated answer without a skipToken as incomplete: the subscriptions are unavailable, not unreadable', async () => {
    const truncated = () => page([image('a-1.0.0'), readable(SUB)], { resultTruncated: 'true', totalRecords: 5 });
    const { sourceImages } = reader([truncated, truncated]);
    const listing = await sourceImages.listAll();
    expect(listing.unavailable).toEqual([{ subscriptionId: SUB, detail: expect.stringMatching(/truncated \(2 of 5 rows\)/) }]);
    expect(listing.unreadable).toEqual([]);
  });

  it('reports an answer without a list of rows as unreadable (a permanent problem)', async () => {
    const { sourceImages } = reader([() => page({ columns: [], rows: [] })]);
    expect((await sourceImages.listAll()).unreadable).toEqual([{ subscriptionId: SUB, detail: expect.stringMatching(/no list of rows/) }]);
  });

  it('sends a query that failed transiently once more in a second pass', async () => {
    const { sent, sourceImages } = reader([() => new Error('socket hang up'), () => page([image('a-1.0.0'), readable(SUB)])]);
    const listing = await sourceImages.listAll();
    expect(listing.images).toHaveLength(1);
    expect(listing.unavailable).toEqual([]);
    expect(sent).toHaveLength(2);
  });

  it(`names at most ${SUBSCRIPTIONS_PER_QUERY} subscriptions a query`, async () => {
    const ids = Array.from(
      { length: SUBSCRIPTIONS_PER_QUERY + 1 },
      (_, index) => `11111111-1111-4111-8111-${String(index).padStart(12, '0')}`,
    );
    const { sent, sourceImages } = reader(
      [(query) => page((query.subscriptions ?? []).map(readable)), (query) => page((query.subscriptions ?? []).map(readable))],
      ids.join(','),
    );
    const listing = await sourceImages.listAll();
    expect(sent.map((query) => query.subscriptions?.length)).toEqual([SUBSCRIPTIONS_PER_QUERY, 1]);
    expect(listing.unreadable).toEqual([]);
  });
});
