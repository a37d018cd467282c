// What a run cost in round trips, read off the emulator's request log, against the least the APIs
// allow: every list page of every subscription, one paged Graph list, one list of provisioning
// policies (retention and the status's `policies` need it), one getSourceImages when there is
// something to post (the preflight), one POST per new registration, the one ARM read of its source
// right before that POST (DESIGN §15), and one status check per new registration (its first check
// finding the upload settled). Requests refused with 429 are counted
// apart: they are what a budget costs, not work done.
import type { RecordedRequest } from '../src/emulator';
import type { BenchEstate } from './benchEstate';

export const KINDS = {
  armList: 'arm.images.list',
  resourceGraph: 'resourceGraph.resources',
  graphList: 'graph.deviceImages.list',
  create: 'graph.deviceImages.create',
  sourceRead: 'arm.images.get',
  statusCheck: 'graph.deviceImages.get',
  policies: 'graph.provisioningPolicies.list',
  preflight: 'graph.deviceImages.getSourceImages',
  catalogue: 'graph.osImages.list',
} as const;

export interface KindFigure {
  /** Requests served (not refused with 429). */
  readonly count: number;
  readonly minimum: number;
  /** Requests refused with 429. */
  readonly refused: number;
}

export interface RequestFigures {
  /** Every request, refused ones included. */
  readonly byKind: Readonly<Record<string, number>>;
  readonly armList: KindFigure;
  /** Pages of the Resource Graph discovery query (IMAGE_SYNC_DISCOVERY=resource-graph). */
  readonly resourceGraph: KindFigure;
  readonly graphList: KindFigure;
  readonly creates: KindFigure;
  /** The source read again right before each POST (DESIGN §15): one per create. */
  readonly sourceReads: KindFigure;
  readonly statusChecks: KindFigure;
  /** The lifecycle's reads per reconcile: provisioning policies, and getSourceImages before first creates. */
  readonly policies: KindFigure;
  readonly preflight: KindFigure;
  /**
   * Image currency (DESIGN §16): the reconcile reads the Windows release catalogue once when a ready
   * registration exists (images already registered), and sync once more before it exits when an
   * upload became ready in the run. The bench estates have an empty catalogue: one page each.
   */
  readonly catalogue: KindFigure;
  /** Everything else served (gets of single images, retryUpload, …): the minimum is 0. */
  readonly other: number;
  readonly total: KindFigure;
  readonly reconcile: KindFigure & {
    /** First request to the last list page answered. */
    readonly spanMs: number;
    /** Latency-bound estimate: pages of the slowest subscription, then the Graph list, each one latency. */
    readonly latencyBoundMs: number;
  };
  /** Status checks served per new image, on average and for the image that needed most. */
  readonly statusChecksPerImage: { readonly mean: number; readonly max: number };
  /** By kind: the first arrival and the last answer, in ms after the first request's arrival. */
  readonly phases: Readonly<Record<string, { readonly firstMs: number; readonly lastMs: number }>>;
  /** Date.now() of the first request's arrival and the last request's answer. */
  readonly firstRequestAt: number;
  readonly lastAnswerAt: number;
}

const arrival = (request: RecordedRequest): number => Date.parse(request.at);
const answer = (request: RecordedRequest): number => Date.parse(request.at) + (request.answeredAtMs - request.receivedAtMs);

/**
 * Discovery through ARM: every list page of every subscription. Through Resource Graph: the pages of
 * one query (1,000 rows a page) whose rows are the tagged images, and a row per subscription when
 * they are listed by id rather than `*`.
 */
export interface DiscoveryShape {
  readonly mode: 'arm' | 'resource-graph';
  readonly listedSubscriptions: boolean;
}

const RESOURCE_GRAPH_PAGE = 1_000;

export function requestFigures(
  requests: readonly RecordedRequest[],
  bench: BenchEstate,
  latencyMs: number,
  discovery: DiscoveryShape = { mode: 'arm', listedSubscriptions: true },
): RequestFigures {
  const byKind: Record<string, number> = {};
  const served: Record<string, number> = {};
  const refused: Record<string, number> = {};
  for (const request of requests) {
    byKind[request.kind] = (byKind[request.kind] ?? 0) + 1;
    const tally = request.status === 429 ? refused : served;
    tally[request.kind] = (tally[request.kind] ?? 0) + 1;
  }
  const figure = (kinds: readonly string[], minimum: number): KindFigure => ({
    count: kinds.reduce((sum, kind) => sum + (served[kind] ?? 0), 0),
    minimum,
    refused: kinds.reduce((sum, kind) => sum + (refused[kind] ?? 0), 0),
  });
  const viaGraph = discovery.mode === 'resource-graph';
  const armMinimum = viaGraph ? 0 : bench.armPages.reduce((sum, pages) => sum + pages, 0);
  const taggedRows =
    bench.counts.new +
    bench.counts.registered +
    bench.counts.rebuilt +
    bench.counts.ineligible +
    (discovery.listedSubscriptions ? bench.armPages.length : 0);
  const resourceGraphMinimum = viaGraph ? Math.max(1, Math.ceil(taggedRows / RESOURCE_GRAPH_PAGE)) : 0;
  // A rebuilt image's new version is a new registration like a new image.
  const newImages = bench.counts.new + bench.counts.rebuilt;
  const preflightMinimum = newImages > 0 ? 1 : 0;
  const catalogueMinimum = (bench.counts.registered + bench.counts.rebuilt > 0 ? 1 : 0) + (newImages > 0 ? 1 : 0);
  const listingMinimum = armMinimum + resourceGraphMinimum + bench.graphPages + 1 + preflightMinimum;
  const known = new Set<string>(Object.values(KINDS));
  const other = Object.entries(served).reduce((sum, [kind, n]) => sum + (known.has(kind) ? 0 : n), 0);

  const firstCreate = requests.find((request) => request.kind === KINDS.create);
  const listingKinds: readonly string[] = [KINDS.armList, KINDS.resourceGraph, KINDS.graphList, KINDS.policies, KINDS.preflight];
  const listing = requests.filter(
    (request) => listingKinds.includes(request.kind) && (firstCreate === undefined || request.sequence < firstCreate.sequence),
  );
  const first = requests[0];
  const spanMs = first === undefined || listing.length === 0 ? 0 : Math.max(...listing.map(answer)) - arrival(first);

  const checksByImage = new Map<string, number>();
  for (const request of requests) {
    if (request.kind !== KINDS.statusCheck || request.status === 429) continue;
    const image = request.path.split('?')[0] ?? '';
    checksByImage.set(image, (checksByImage.get(image) ?? 0) + 1);
  }
  const checks = figure([KINDS.statusCheck], newImages);
  const phases: Record<string, { firstMs: number; lastMs: number }> = {};
  const origin = first === undefined ? 0 : arrival(first);
  for (const request of requests) {
    const phase = (phases[request.kind] ??= { firstMs: arrival(request) - origin, lastMs: 0 });
    phase.lastMs = Math.max(phase.lastMs, answer(request) - origin);
  }

  return {
    byKind,
    armList: figure([KINDS.armList], armMinimum),
    resourceGraph: figure([KINDS.resourceGraph], resourceGraphMinimum),
    graphList: figure([KINDS.graphList], bench.graphPages),
    creates: figure([KINDS.create], newImages),
    sourceReads: figure([KINDS.sourceRead], newImages),
    statusChecks: checks,
    policies: figure([KINDS.policies], 1),
    preflight: figure([KINDS.preflight], preflightMinimum),
    catalogue: figure([KINDS.catalogue], catalogueMinimum),
    other,
    total: {
      count: requests.length - Object.values(refused).reduce((sum, n) => sum + n, 0),
      minimum: listingMinimum + 3 * newImages + catalogueMinimum,
      refused: Object.values(refused).reduce((sum, n) => sum + n, 0),
    },
    reconcile: {
      ...figure(listingKinds, listingMinimum),
      spanMs,
      // The policies list goes beside the Graph list; getSourceImages follows the plan, one latency more.
      latencyBoundMs: ((viaGraph ? resourceGraphMinimum : Math.max(...bench.armPages)) + bench.graphPages + preflightMinimum) * latencyMs,
    },
    statusChecksPerImage: { mean: newImages === 0 ? 0 : checks.count / newImages, max: Math.max(0, ...checksByImage.values()) },
    phases,
    firstRequestAt: first === undefined ? 0 : arrival(first),
    lastAnswerAt: requests.length === 0 ? 0 : Math.max(...requests.map(answer)),
  };
}

export interface BudgetFigures {
  readonly perSecond: number;
  readonly burst: number;
  /** From the first request to the last 429 of the budget: the time the app pushed against it. */
  readonly saturatedMs: number;
  /** Requests the budget granted in that time. */
  readonly granted: number;
  /** What the budget allows in that time: the burst plus perSecond × seconds. */
  readonly allowed: number;
  readonly grantedPerSecond: number;
  readonly refused: number;
}

export function budgetFigures(
  requests: readonly RecordedRequest[],
  budget: { readonly perSecond: number; readonly burst: number },
): BudgetFigures {
  const refused = requests.filter((request) => request.fault === 'budget');
  const first = requests[0];
  const lastRefused = refused[refused.length - 1];
  if (first === undefined || lastRefused === undefined) {
    return { ...budget, saturatedMs: 0, granted: 0, allowed: 0, grantedPerSecond: 0, refused: 0 };
  }
  const start = arrival(first);
  const end = arrival(lastRefused);
  const granted = requests.filter(
    (request) => request.fault !== 'budget' && request.service !== 'unknown' && arrival(request) <= end,
  ).length;
  const seconds = Math.max(0.001, (end - start) / 1000);
  return {
    ...budget,
    saturatedMs: end - start,
    granted,
    allowed: budget.burst + budget.perSecond * seconds,
    grantedPerSecond: granted / seconds,
    refused: refused.length,
  };
}
