// `image-sync sync`: the host's work, done locally through the real queues and table. It starts the
// local host (a drain per queue, as the host starts a listener per queue trigger, with host.json's
// settings), fires reconcile once, and waits until every in-scope image is ready, failed or skipped.
import { setTimeout as sleep } from 'node:timers/promises';
import type { LedgerRow, Problem } from '../domain';
import { sourceImageKey } from '../domain';
import type { SharedClients } from '../runtime/createSyncDeps';
import type { ImageState, SyncDeps } from '../sync/ports';
import { type ReconcileReport, reconcile } from '../sync/reconcile';
import { startLocalHost } from './localHost';
import type { QueueDrain } from './queueDrain';
import { probeQueues } from './queuesIdle';

const SETTLED_STATES: ReadonlySet<LedgerRow['state']> = new Set(['ready', 'failed', 'skipped', 'retired']);
const WATCH_INTERVAL_MS = 250;
/** While the drains work, how often to look in for a handler finishing (no I/O). */
const QUIET_CHECK_MS = 20;
/** The ledger is read for progress at least this often while the queues are busy… */
const PROGRESS_INTERVAL_MS = 1_000;
/** …but spends no more than a tenth of the time reading it. */
const LISTING_SHARE = 10;
/** A queue that keeps failing to answer this long (after the SDK's own retries) ends the run. */
const DRAIN_FAILURE_GRACE_MS = 30_000;

export interface SyncProgress {
  readonly elapsedMs: number;
  readonly inScope: number;
  readonly counts: Readonly<Record<LedgerRow['state'], number>>;
  readonly messages: number;
}

export interface LocalSyncOptions {
  readonly deps: SyncDeps;
  readonly clients: SharedClients;
  readonly hostJsonPath: string;
  readonly timeoutMs: number;
  readonly onProgress?: (progress: SyncProgress) => void;
}

export interface LocalSyncResult {
  readonly startedAt: Date;
  readonly reconcile: ReconcileReport;
  /** The in-scope images' ledger rows at the end. */
  readonly rows: readonly LedgerRow[];
  /** Problems recorded (or seen again) during this run. */
  readonly problems: readonly Problem[];
  /** 'settled': every image ready/failed/skipped; 'stalled': nothing left to do, yet some are not; 'timeout'. */
  readonly ending: 'settled' | 'stalled' | 'timeout';
}

function countStates(rows: readonly ImageState[]): Record<LedgerRow['state'], number> {
  const counts = { queued: 0, creating: 0, pending: 0, ready: 0, failed: 0, skipped: 0, retired: 0 };
  for (const row of rows) counts[row.state] += 1;
  return counts;
}

function totalActivity(drains: readonly QueueDrain[]): number {
  return drains.reduce((sum, drain) => sum + drain.activity(), 0);
}

/** Waits up to ms; returns sooner when the drains fall quiet (nothing running) after some activity. */
async function quietOrTimeout(drains: readonly QueueDrain[], ms: number): Promise<void> {
  const before = totalActivity(drains);
  const until = Date.now() + ms;
  while (Date.now() < until) {
    await sleep(QUIET_CHECK_MS);
    if (totalActivity(drains) !== before && drains.every((drain) => drain.inFlight() === 0)) return;
  }
}

export async function runLocalSync(options: LocalSyncOptions): Promise<LocalSyncResult> {
  const { clients } = options;
  const started = Date.now();
  // Reconcile and the handlers use the host's deps: their sends wake the drains.
  const host = await startLocalHost({ deps: options.deps, clients, hostJsonPath: options.hostJsonPath });
  const { deps, drains } = host;
  const startedAt = deps.clock.now();
  try {
    const reconciled = await reconcile(deps);
    // In scope: what reconcile planned, and any image still in progress in the ledger (queued by
    // `image-sync register`, or left unfinished by an earlier run).
    const inScope = new Set(reconciled.plan.images.map((image) => sourceImageKey(image.sourceImageResourceId)));
    let ending: LocalSyncResult['ending'] = 'timeout';
    let states: ImageState[] = [];
    let settled = false;
    // The ledger is read again when the queues look idle and something happened since the last
    // read (only handlers change it), and for progress now and then: a large ledger is not cheap.
    let listedAt = Number.NEGATIVE_INFINITY;
    let listedAtActivity = Number.NaN;
    let listingMs = 0;
    let failingSince: number | null = null;
    let approximateMessagesCount = 0;
    for (;;) {
      const activityBefore = totalActivity(drains);
      // A handler running means the queues are not idle: no need to look into them.
      const running = drains.reduce((sum, drain) => sum + drain.inFlight(), 0);
      const queues = running > 0 ? null : await probeQueues(drains);
      const idle = queues?.idle ?? false;
      approximateMessagesCount = queues?.approximateMessagesCount ?? approximateMessagesCount;
      const progressDue = Date.now() - listedAt >= Math.max(PROGRESS_INTERVAL_MS, LISTING_SHARE * listingMs);
      if ((idle && activityBefore !== listedAtActivity) || progressDue) {
        const listingStarted = Date.now();
        // Ids and states only: the whole rows of a large ledger, read every second, are most of
        // what the run would allocate.
        const ledger = await deps.ledger.listStates();
        listingMs = Date.now() - listingStarted;
        listedAt = Date.now();
        listedAtActivity = activityBefore;
        for (const row of ledger) if (!SETTLED_STATES.has(row.state)) inScope.add(sourceImageKey(row.sourceImageResourceId));
        states = ledger.filter((row) => inScope.has(sourceImageKey(row.sourceImageResourceId)));
        // A source may have several registrations (one per version): each in-scope source needs one at least.
        settled = new Set(states.map((row) => sourceImageKey(row.sourceImageResourceId))).size === inScope.size && states.every((row) => SETTLED_STATES.has(row.state));
      }
      options.onProgress?.({ elapsedMs: Date.now() - started, inScope: inScope.size, counts: countStates(states), messages: approximateMessagesCount + (queues?.inFlight ?? running) });
      // Settled images leave at most stale status checks behind; idle queues holding nothing at all
      // mean nothing more can happen in this run.
      if (idle && settled) {
        ending = 'settled';
        break;
      }
      if (idle && approximateMessagesCount === 0) {
        ending = 'stalled';
        break;
      }
      const failure = drains.map((drainer) => drainer.lastError()).find((error) => error !== null) ?? null;
      failingSince = failure === null ? null : (failingSince ?? Date.now());
      if (failure !== null && failingSince !== null && Date.now() - failingSince >= DRAIN_FAILURE_GRACE_MS) throw failure;
      if (Date.now() - started >= options.timeoutMs) break;
      await quietOrTimeout(drains, WATCH_INTERVAL_MS);
    }
    const since = startedAt.getTime();
    const [ledger, recorded] = await Promise.all([deps.ledger.list(), deps.ledger.listProblems()]);
    const rows = ledger.filter((row) => inScope.has(sourceImageKey(row.sourceImageResourceId)));
    const problems = recorded.filter((problem) => Date.parse(problem.at) >= since - 1_000);
    return { startedAt, reconcile: reconciled, rows, problems, ending };
  } finally {
    await host.stop();
  }
}
