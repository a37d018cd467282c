// The benchmark's runs: estates of growing size on an emulator with a fixed per-call latency, a run
// under a request budget, and the shape of the acceptance run.
import type { EstateShape, ImageKind } from './benchEstate';

export interface Scenario {
  readonly name: string;
  readonly summary: string;
  readonly shape: EstateShape;
  /** Added by the emulator before it answers each ARM and Graph request. */
  readonly latencyMs: number;
  /** A token bucket over every ARM and Graph request (429 with Retry-After when empty). */
  readonly budget?: { readonly perSecond: number; readonly burst: number };
  /** App settings beyond the common ones (poll interval 1 s). */
  readonly settings?: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
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

/** Uploads settle in about a second; the first status check is due then. */
const UPLOAD_SECONDS = 1;

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'small',
    summary: '1 subscription x 10 images',
    shape: { subscriptions: 1, imagesPerSubscription: 10, kindOf: mixed, uploadSeconds: UPLOAD_SECONDS, armPageSize: 10, graphPageSize: 100 },
    latencyMs: 20,
    timeoutSeconds: 120,
  },
  {
    name: 'medium',
    summary: '20 subscriptions x 50 images',
    shape: { subscriptions: 20, imagesPerSubscription: 50, kindOf: mixed, uploadSeconds: UPLOAD_SECONDS, armPageSize: 10, graphPageSize: 100 },
    latencyMs: 20,
    timeoutSeconds: 600,
  },
  {
    name: 'large',
    summary: '200 subscriptions x 50 images, mostly untagged',
    shape: { subscriptions: 200, imagesPerSubscription: 50, kindOf: mostlyUntagged, uploadSeconds: UPLOAD_SECONDS, armPageSize: 10, graphPageSize: 100 },
    latencyMs: 20,
    // The most the setting allows: 200 subscriptions in four rounds instead of twenty-five.
    settings: { IMAGE_SYNC_SUBSCRIPTION_CONCURRENCY: '64' },
    timeoutSeconds: 1800,
  },
  {
    name: 'throttled',
    summary: '10 x 50, budget 25 req/s',
    shape: { subscriptions: 10, imagesPerSubscription: 50, kindOf: mixed, uploadSeconds: UPLOAD_SECONDS, armPageSize: 10, graphPageSize: 100 },
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
    timeoutSeconds: 600,
  },
];
