// Listing managed images through ARM under faults: one subscription's failure does not stop the
// others, a subscription that failed transiently is listed again in the same run (the second pass),
// and that second pass waits out the Retry-After the first one was answered with.
import { describe, expect, it } from 'vitest';
import { createSourceImageReader } from '../../../src/arm/sourceImageReader';
import { estate, managedImage, resourceGroup, subscription } from '../../../src/emulator';
import { testApp, testAppSettings } from '../../support/appDeps';
import { useEmulator } from '../../support/emulator';
import { sentBeforeRetryAfter } from './reliabilityApp';

const FLAKY = '55555555-5555-4555-8555-555555555551';
const FORBIDDEN = '55555555-5555-4555-8555-555555555552';
const STEADY = '55555555-5555-4555-8555-555555555553';

const fixture = useEmulator(() =>
  estate({
    arm: { pageSize: 2 },
    subscriptions: [
      subscription({
        id: FLAKY,
        resourceGroups: [
          resourceGroup(
            'rg-a',
            ['a1', 'a2', 'a3'].map((name) => managedImage({ name: `${name}-1.0.0` })),
          ),
        ],
      }),
      subscription({ id: FORBIDDEN, access: 'forbidden', resourceGroups: [resourceGroup('rg-b', [managedImage({ name: 'b1-1.0.0' })])] }),
      subscription({ id: STEADY, resourceGroups: [resourceGroup('rg-c', [managedImage({ name: 'c1-1.0.0' })])] }),
    ],
  }),
);

/** The real reader, one subscription at a time (so the fault meets the first one), with the given SDK retries. */
function reader(maxRetries: number) {
  const app = testApp(
    testAppSettings(fixture.emulator, {
      IMAGE_SYNC_SUBSCRIPTION_IDS: [FLAKY, FORBIDDEN, STEADY].join(','),
      IMAGE_SYNC_SUBSCRIPTION_CONCURRENCY: '1',
    }),
  );
  return {
    app,
    sourceImages: createSourceImageReader({
      config: app.config,
      credential: app.clients.credential,
      log: app.log,
      retry: { maxRetries, retryDelayInMs: 100 },
      secondPassDelayMs: 200,
    }),
  };
}

const names = (images: readonly { name: string }[]) => images.map((image) => image.name).sort();

describe('listing every subscription', () => {
  it('goes on past a subscription that fails beyond the SDK retries and an unreadable one, and lists the failed one in the second pass', async () => {
    const { app, sourceImages } = reader(3);
    // The first four ARM requests (the flaky subscription's first page and its three retries) answer 503.
    fixture.emulator.setFaults({ service: 'arm', unavailable: { next: 4 } });
    try {
      const listing = await sourceImages.listAll();
      expect(names(listing.images)).toEqual(['a1-1.0.0', 'a2-1.0.0', 'a3-1.0.0', 'c1-1.0.0']);
      expect(listing.unreadable).toEqual([{ subscriptionId: FORBIDDEN, detail: expect.stringMatching(/403 AuthorizationFailed/) }]);
      expect(listing.unavailable).toEqual([]);
    } finally {
      fixture.emulator.clearFaults();
    }
    expect(app.lines.some((line) => line.startsWith('warn: SubscriptionListingRetried'))).toBe(true);
  });

  it('lists a subscription still throttled after the SDK retries again no sooner than its Retry-After', async () => {
    const { sourceImages } = reader(1);
    const first = fixture.emulator.requests.length;
    fixture.emulator.setFaults({ service: 'arm', throttle: { next: 2, retryAfterSeconds: 2 } });
    try {
      const listing = await sourceImages.listAll();
      expect(names(listing.images)).toEqual(['a1-1.0.0', 'a2-1.0.0', 'a3-1.0.0', 'c1-1.0.0']);
    } finally {
      fixture.emulator.clearFaults();
    }
    const throttled = fixture.emulator.requests.slice(first).filter((request) => request.status === 429);
    expect(throttled).toHaveLength(2);
    expect(fixture.emulator.earlyRetries()).toEqual([]);
    expect(sentBeforeRetryAfter(fixture.emulator.requests.slice(first))).toEqual([]);
  });
});
