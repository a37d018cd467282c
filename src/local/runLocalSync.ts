// `image-sync sync`: the host's work, done locally through the real queues and table. It starts the
// local host (a drain per queue, as the host starts a listener per queue trigger, with host.json's
// settings), fires reconcile once, and waits until every in-scope image is ready, failed or skipped.
import type { LedgerRow, Problem } from '../domain';
import { sourceImageKey } from '../domain';
import type { SharedClients } from '../runtime/createSyncDeps';
import type { SyncDeps } from '../sync/ports';
import { type ReconcileReport, reconcile } from '../sync/reconcile';
import { startLocalHost } from './localHost';
import { probeQueues } from './queuesIdle';

const SETTLED_STATES: ReadonlySet<LedgerRow['state']> = new Set(['ready', 'failed', 'skipped']);
const WATCH_INTERVAL_MS = 250;
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

function countStates(rows: readonly LedgerRow[]): Record<LedgerRow['state'], number> {
  const counts = { queued: 0, creating: 0, pending: 0, ready: 0, failed: 0, skipped: 0 };
  for (const row of rows) counts[row.state] += 1;
  return counts;
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
    let rows: LedgerRow[] = [];
    let failingSince: number | null = null;
    for (;;) {
      const ledger = await deps.ledger.list();
      for (const row of ledger) if (!SETTLED_STATES.has(row.state)) inScope.add(sourceImageKey(row.sourceImageResourceId));
      rows = ledger.filter((row) => inScope.has(sourceImageKey(row.sourceImageResourceId)));
      const settled = rows.length === inScope.size && rows.every((row) => SETTLED_STATES.has(row.state));
      const queues = await probeQueues(drains);
      options.onProgress?.({ elapsedMs: Date.now() - started, inScope: inScope.size, counts: countStates(rows), messages: queues.approximateMessagesCount + queues.inFlight });
      // Settled images leave at most stale status checks behind; idle queues holding nothing at all
      // mean nothing more can happen in this run.
      if (queues.idle && settled) {
        ending = 'settled';
        break;
      }
      if (queues.idle && queues.approximateMessagesCount === 0) {
        ending = 'stalled';
        break;
      }
      const failure = drains.map((drainer) => drainer.lastError()).find((error) => error !== null) ?? null;
      failingSince = failure === null ? null : (failingSince ?? Date.now());
      if (failure !== null && failingSince !== null && Date.now() - failingSince >= DRAIN_FAILURE_GRACE_MS) throw failure;
      if (Date.now() - started >= options.timeoutMs) break;
      await new Promise((resolve) => setTimeout(resolve, WATCH_INTERVAL_MS));
    }
    const since = startedAt.getTime();
    const problems = (await deps.ledger.listProblems()).filter((problem) => Date.parse(problem.at) >= since - 1_000);
    return { startedAt, reconcile: reconciled, rows, problems, ending };
  } finally {
    await host.stop();
  }
}
