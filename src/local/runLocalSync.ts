// `image-sync sync`: the host's work, done locally through the real queues and table. It starts the
// local host (a drain per queue, as the host starts a listener per queue trigger, with host.json's
// settings), fires reconcile once, and waits until every in-scope image is ready, failed or skipped.
//
// Outages do not end the run (DESIGN §8): a reconcile that meets throttling or an outage of Graph or
// ARM is tried again with a growing pause, and storage that stops answering mid-run is waited for,
// both until --timeout, each said in the progress. Only storage that cannot be reached at the start
// (a wrong setting, nothing listening) ends the run at once: then it cannot run at all.
import { setTimeout as sleep } from 'node:timers/promises';
import type { LedgerRow, Problem } from '../domain';
import { sourceImageKey } from '../domain';
import { PermanentError, TransientError } from '../errors';
import { StorageUnreachableError } from '../storage/classifyStorageError';
import { describeError } from '../steps/reportFailure';
import type { SharedClients } from '../runtime/createSyncDeps';
import type { ImageState, SyncDeps } from '../ports';
import { type ReconcileReport, reconcile } from '../handlers/reconcile';
import { finishRollouts } from '../steps/rollOutPolicies';
import { finishImageCurrency } from '../steps/judgeImageCurrency';
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
/** Pauses between reconciles that met an outage: 2 s, doubling, at most 30 s. */
const RECONCILE_RETRY_FIRST_MS = 2_000;
const RECONCILE_RETRY_MAX_MS = 30_000;
const MAX_REDRIVES = 3;

export interface SyncProgress {
  readonly elapsedMs: number;
  readonly inScope: number;
  readonly counts: Readonly<Record<LedgerRow['state'], number>>;
  readonly messages: number;
  /** What the run is waiting out (an outage of Graph, ARM or storage), in words; null when nothing. */
  readonly waiting: string | null;
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
  /** null when an outage lasted until the timeout, so no reconcile finished. */
  readonly reconcile: ReconcileReport | null;
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

/**
 * The first reconcile, tried again while Graph or ARM is throttling or down (until the timeout:
 * null). Storage that cannot be reached at all is thrown: the run cannot start.
 */
async function reconcileThroughOutages(
  deps: SyncDeps,
  timedOut: () => boolean,
  report: (waiting: string) => void,
): Promise<ReconcileReport | null> {
  for (let pauseMs = RECONCILE_RETRY_FIRST_MS; ; pauseMs = Math.min(2 * pauseMs, RECONCILE_RETRY_MAX_MS)) {
    try {
      return await reconcile(deps);
    } catch (error) {
      if (!(error instanceof TransientError) || error instanceof StorageUnreachableError) throw error;
      deps.log.warn('ReconcileDeferred', { detail: describeError(error), retryInMs: pauseMs });
      report(`reconcile: ${describeError(error)}; trying again in ${Math.round(pauseMs / 1000)} s`);
      if (timedOut()) return null;
      await sleep(pauseMs);
      if (timedOut()) return null;
    }
  }
}

export async function runLocalSync(options: LocalSyncOptions): Promise<LocalSyncResult> {
  const { clients } = options;
  const started = Date.now();
  // Reconcile and the handlers use the host's deps: their sends wake the drains.
  const host = await startLocalHost({ deps: options.deps, clients, hostJsonPath: options.hostJsonPath });
  const { deps, drains } = host;
  const startedAt = deps.clock.now();
  const timedOut = () => Date.now() - started >= options.timeoutMs;
  const emptyProgress = (waiting: string) =>
    options.onProgress?.({ elapsedMs: Date.now() - started, inScope: 0, counts: countStates([]), messages: 0, waiting });
  try {
    const reconciled = await reconcileThroughOutages(deps, timedOut, emptyProgress);
    if (reconciled === null) return { startedAt, reconcile: null, rows: [], problems: [], ending: 'timeout' };
    // In scope: what reconcile planned, and any image still in progress in the ledger (queued by
    // `image-sync register`, or left unfinished by an earlier run).
    const inScope = new Set(reconciled.plan.images.map((image) => sourceImageKey(image.sourceImageResourceId)));
    let ending: LocalSyncResult['ending'] = 'timeout';
    let waiting: string | null = null;
    let states: ImageState[] = [];
    let settled = false;
    // The ledger is read again when the queues look idle and something happened since the last
    // read (only handlers change it), and for progress now and then: a large ledger is not cheap.
    let listedAt = Number.NEGATIVE_INFINITY;
    let listedAtActivity = Number.NaN;
    let listingMs = 0;
    let approximateMessagesCount = 0;
    let redrives = 0;
    for (;;) {
      const activityBefore = totalActivity(drains);
      // A handler running means the queues are not idle: no need to look into them.
      const running = drains.reduce((sum, drain) => sum + drain.inFlight(), 0);
      let idle = false;
      let inFlight = running;
      try {
        const queues = running > 0 ? null : await probeQueues(drains);
        idle = queues?.idle ?? false;
        inFlight = queues?.inFlight ?? running;
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
          settled =
            new Set(states.map((row) => sourceImageKey(row.sourceImageResourceId))).size === inScope.size &&
            states.every((row) => SETTLED_STATES.has(row.state));
        }
        const failure = drains.map((drainer) => drainer.lastError()).find((error) => error !== null) ?? null;
        waiting = failure === null ? null : describeError(failure);
      } catch (error) {
        // Storage stopped answering mid-run: the drains keep trying too; wait for it until the timeout.
        if (!(error instanceof TransientError)) throw error;
        idle = false;
        waiting = describeError(error);
      }
      options.onProgress?.({
        elapsedMs: Date.now() - started,
        inScope: inScope.size,
        counts: countStates(states),
        messages: approximateMessagesCount + inFlight,
        waiting,
      });
      // Settled images leave at most stale status checks behind; idle queues holding nothing at all
      // mean nothing more can happen in this run.
      if (idle && settled) {
        ending = 'settled';
        break;
      }
      if (idle && approximateMessagesCount === 0) {
        // No message anywhere, yet images unfinished: their jobs were lost (a run killed between a
        // ledger write and its send). Plan again, counting every unfinished row as lost.
        if (redrives < MAX_REDRIVES) {
          redrives += 1;
          deps.log.warn('UnfinishedWithoutMessages', { redrive: redrives });
          try {
            await reconcile(deps, { staleAfterMs: 0 });
          } catch (error) {
            if (!(error instanceof TransientError)) throw error;
          }
          listedAt = Number.NEGATIVE_INFINITY;
          continue;
        }
        ending = 'stalled';
        break;
      }
      if (timedOut()) break;
      await quietOrTimeout(drains, WATCH_INTERVAL_MS);
    }
    // The registrations that became ready in this run roll out before it ends (the poller did most).
    try {
      await finishRollouts(deps);
    } catch (error) {
      if (!(error instanceof TransientError)) throw error;
      deps.log.warn('RolloutDeferred', { detail: describeError(error) });
    }
    // And their currency is judged (DESIGN §16), as the next reconcile would.
    try {
      await finishImageCurrency(deps, startedAt);
    } catch (error) {
      if (!(error instanceof TransientError) && !(error instanceof PermanentError)) throw error;
      deps.log.warn('ImageCurrencyDeferred', { detail: describeError(error) });
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
