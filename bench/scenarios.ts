// The benchmark's runs: estates of growing size on an emulator with a fixed per-call latency, a run
// under a request budget, and the shape of the acceptance run.
import type { FaultRule } from '../src/emulator';
import type { EstateShape, ImageKind } from './benchEstate';

export interface Scenario {
  readonly name: string;
  readonly summary: string;
  readonly shape: EstateShape;
  /** Added by the emulator before it answers each ARM and Graph request. */
  readonly latencyMs: number;
  /** A token bucket over every ARM and Graph request (429 with Retry-After when empty). */
  readonly budget?: { readonly perSecond: number; readonly burst: number };
  /** Fault rules beside the latency: what the emulator does wrong, seeded. */
  readonly faults?: readonly FaultRule[];
  /** Also run the plain sequential client (bench/sequentialBaseline.ts) on the same estate and faults, and compare. */
  readonly baseline?: true;
  /** The targets against that client, as ratios of the app's figure to the client's in the same run. */
  readonly versusBaseline?: {
    /** Requests served, app / client. */
    readonly requests?: number;
    /** Wall time until every image is settled, app / client. */
    readonly wall?: number;
    /** The app's reconcile (first request to last list page) / the client's listing. */
    readonly reconcileVsListing?: number;
  };
  /** App settings beyond the common ones (poll interval 1 s). */
  readonly settings?: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  /**
   * The targets this run is made to judge. The sync's wall-time bound and the large
   * reconcile's bound are stated for latency-bound runs; every run reports both figures, with the
   * CPU each phase used beside them.
   */
  readonly judges?: {
    readonly syncBound?: true;
    readonly largeReconcile?: true;
    readonly largeMemory?: true;
    readonly exactReconcile?: true;
    /** Peak RSS under 250 MB: memory that does not grow with the images the app ignores. */
    readonly scaleMemory?: true;
  };
}

/** One image in ten already registered, one in fifty ineligible (Gen1), the rest new. */
function mixed({ index }: { readonly index: number }): ImageKind {
  if (index % 10 === 0) return 'registered';
  if (index % 50 === 9) return 'ineligible';
  return 'new';
}

/**
 * Mostly out of scope, as in an organisation where few images are meant for Cloud PCs: one in ten
 * new, one in ten registered, one in fifty ineligible, the rest untagged. (Azurite's table
 * operations take time in proportion to the rows of a partition, and every ledger row shares one,
 * so thousands of registrations there would measure Azurite rather than the app.)
 */
function mostlyUntagged({ index }: { readonly index: number }): ImageKind {
  if (index % 10 === 0) return 'registered';
  if (index % 10 === 1) return 'new';
  if (index % 50 === 9) return 'ineligible';
  return 'untagged';
}

/** One in four rebuilt in place (a new version of a registered image), one in four registered, the rest untagged. */
function rebuiltInPlace({ index }: { readonly index: number }): ImageKind {
  if (index % 4 === 0) return 'rebuilt';
  if (index % 4 === 1) return 'registered';
  return 'untagged';
}

/** Uploads settle in about a second; the first status check is due then. */
const UPLOAD_SECONDS = 1;

/** An estate of `subscriptions` × `imagesPerSubscription`, ARM pages of 10 images, Graph pages of 100. */
function grid(subscriptions: number, imagesPerSubscription: number, kindOf: EstateShape['kindOf']): EstateShape {
  return { subscriptions, imagesPerSubscription, kindOf, uploadSeconds: UPLOAD_SECONDS, armPageSize: 10, graphPageSize: 100 };
}

/** 10,000 images, one in ten new: the estate of both large runs. */
const LARGE_ESTATE = grid(200, 50, mostlyUntagged);

/** 12,000 images, 20 of them tagged (new), one in every fifteenth subscription: the enterprise runs. */
const ENTERPRISE_ESTATE = grid(300, 40, ({ subscriptionIndex, index }) =>
  subscriptionIndex % 15 === 0 && index === 7 ? 'new' : 'untagged',
);

/**
 * One image in a hundred tagged (half of those new, half registered), the rest untagged: the shape
 * of the runs that measure memory against the estate's size.
 */
function onePercentTagged({ subscriptionIndex, index }: { readonly subscriptionIndex: number; readonly index: number }): ImageKind {
  if (index % 100 !== 0) return 'untagged';
  return subscriptionIndex % 2 === 0 ? 'new' : 'registered';
}

/** `subscriptions` × 100 images, 1 % tagged, 64 subscriptions listed at once. */
function scaleRun(name: string, subscriptions: number, timeoutSeconds: number, judged: boolean): Scenario {
  return {
    name,
    summary: `${subscriptions} x 100: 1 % tagged (half new, half registered), the rest untagged; 64 subscriptions at once`,
    shape: grid(subscriptions, 100, onePercentTagged),
    latencyMs: 15,
    settings: { IMAGE_SYNC_SUBSCRIPTION_CONCURRENCY: '64' },
    timeoutSeconds,
    judges: judged ? { scaleMemory: true, exactReconcile: true } : { exactReconcile: true },
  };
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'small',
    summary: '1 subscription x 10 images',
    shape: grid(1, 10, mixed),
    latencyMs: 20,
    timeoutSeconds: 120,
    judges: { syncBound: true },
  },
  {
    name: 'latency',
    summary: '8 x 50, mostly untagged',
    // A handful of new images per subscription at an everyday ARM and Graph page time: the
    // latency-bound estate the sync's wall-time target speaks of.
    shape: grid(8, 50, mostlyUntagged),
    latencyMs: 100,
    timeoutSeconds: 300,
    judges: { syncBound: true },
  },
  {
    name: 'versions',
    summary: '10 x 20: images rebuilt in place with a new version',
    // Registrations are a source image and a version: the earlier version of each rebuilt image is
    // in Windows 365 and adopted, the new one registered.
    shape: grid(10, 20, rebuiltInPlace),
    latencyMs: 20,
    timeoutSeconds: 300,
  },
  {
    name: 'faulty',
    summary: '3 x 14 with 15 % 429, 8 % 503, 4 % resets, ambiguous creates, against a plain sequential client',
    // The fault suite's rates (test/e2e/faultSuite.test.ts), on a generated estate of its size.
    shape: grid(3, 14, mixed),
    latencyMs: 20,
    faults: [
      {
        service: 'graph',
        throttle: { probability: 0.15, retryAfterSeconds: 1 },
        unavailable: { probability: 0.08 },
        reset: { probability: 0.04 },
        ambiguousCreates: { probability: 0.1 },
      },
      {
        service: 'arm',
        throttle: { probability: 0.15, retryAfterSeconds: 1 },
        unavailable: { probability: 0.08 },
        reset: { probability: 0.04 },
      },
    ],
    baseline: true,
    versusBaseline: { requests: 1.25, wall: 1.0 },
    timeoutSeconds: 600,
  },
  {
    name: 'slow-api',
    summary: "20 x 25: 100 new, rest untagged, at a page time close to Graph's",
    // The run at 100 ms a call, closer to Graph's real latency than the others.
    shape: grid(20, 25, ({ index }) => (index % 5 === 0 ? 'new' : 'untagged')),
    latencyMs: 100,
    baseline: true,
    versusBaseline: { wall: 0.25 },
    timeoutSeconds: 600,
  },
  {
    name: 'enterprise',
    summary: '300 x 40: 20 new, rest untagged; discovery through ARM',
    // Many subscriptions and images, few of them meant for Cloud PCs (a tenant holds 20 custom images).
    shape: ENTERPRISE_ESTATE,
    latencyMs: 15,
    baseline: true,
    versusBaseline: { reconcileVsListing: 0.2 },
    timeoutSeconds: 900,
    judges: { largeMemory: true, exactReconcile: true },
  },
  {
    name: 'enterprise-64',
    summary: 'the enterprise estate; discovery through ARM, 64 subscriptions at once',
    // What closes the ARM listing's gap: ARM throttles reads per subscription, so listing more of them at once costs no budget.
    shape: ENTERPRISE_ESTATE,
    latencyMs: 15,
    settings: { IMAGE_SYNC_SUBSCRIPTION_CONCURRENCY: '64' },
    baseline: true,
    versusBaseline: { reconcileVsListing: 0.2 },
    timeoutSeconds: 900,
    judges: { largeMemory: true, exactReconcile: true },
  },
  {
    name: 'enterprise-rg',
    summary: 'the enterprise estate; discovery through Resource Graph, every readable subscription',
    shape: ENTERPRISE_ESTATE,
    latencyMs: 15,
    settings: { IMAGE_SYNC_DISCOVERY: 'resource-graph', IMAGE_SYNC_SUBSCRIPTION_IDS: '*' },
    baseline: true,
    versusBaseline: { reconcileVsListing: 0.2 },
    timeoutSeconds: 900,
    judges: { largeMemory: true, exactReconcile: true },
  },
  {
    name: 'medium',
    summary: '20 subscriptions x 50 images',
    shape: grid(20, 50, mixed),
    latencyMs: 20,
    timeoutSeconds: 600,
  },
  {
    name: 'large',
    summary: '200 subscriptions x 50 images, mostly untagged',
    shape: LARGE_ESTATE,
    latencyMs: 20,
    // 200 subscriptions in four rounds instead of twenty-five.
    settings: { IMAGE_SYNC_SUBSCRIPTION_CONCURRENCY: '64' },
    timeoutSeconds: 1800,
    judges: { largeMemory: true },
  },
  {
    name: 'large-200ms',
    summary: 'the large estate, every subscription at once',
    shape: LARGE_ESTATE,
    // ARM's and Graph's usual time for a page: at 20 ms the two cores, not the latency, set the
    // pace of listing 1,000 pages (see the CPU figures), so the latency-bound reconcile of the
    // large estate is judged here.
    latencyMs: 200,
    settings: { IMAGE_SYNC_SUBSCRIPTION_CONCURRENCY: '200' },
    timeoutSeconds: 1800,
    judges: { largeReconcile: true, largeMemory: true },
  },
  {
    name: 'throttled',
    summary: '10 x 50, budget 25 req/s',
    shape: grid(10, 50, mixed),
    latencyMs: 20,
    // Well under what the runner manages unthrottled on two cores (about 60 requests/s), so the
    // budget, not the CPU, sets the pace.
    budget: { perSecond: 25, burst: 25 },
    timeoutSeconds: 1200,
  },
  {
    name: 'acceptance',
    summary: '40 x 50: 200 new, 100 registered, rest untagged',
    // The emulator's default page sizes (5), as the builders give them.
    shape: {
      subscriptions: 40,
      imagesPerSubscription: 50,
      kindOf: ({ ordinal }) => (ordinal % 10 === 0 ? 'new' : ordinal % 20 === 5 ? 'registered' : 'untagged'),
      uploadSeconds: UPLOAD_SECONDS,
    },
    latencyMs: 15,
    // The run of 40 subscriptions x 50 images with 200 new at 15 ms, beside the plain client.
    baseline: true,
    versusBaseline: { wall: 0.5 },
    timeoutSeconds: 600,
  },
  // Peak RSS against the estate's size: 1,000, 10,000 and 100,000 managed images of the same shape.
  scaleRun('scale-1k', 10, 300, false),
  scaleRun('scale-10k', 100, 600, false),
  scaleRun('scale-100k', 1_000, 1800, true),
];
