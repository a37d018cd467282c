import path from 'node:path';
import { packageRoot } from '../../local/packageRoot';
import { type SyncProgress, runLocalSync } from '../../local/runLocalSync';
import { type CliIo, UsageError } from '../cliIo';
import { COMMON_OPTIONS, type Command, parseCommandArgs, printJson } from '../command';
import { createCommandContext } from '../commandContext';
import { renderStatus } from '../renderStatus';
import { EXIT_NEEDS_ATTENTION, EXIT_OK, buildStatusReport, exitCodeFor } from '../statusReport';

const DEFAULT_TIMEOUT_SECONDS = 3600;

function describeProgress(progress: SyncProgress): string {
  const { counts } = progress;
  const uploading = counts.queued + counts.creating + counts.pending;
  const waiting = progress.waiting === null ? '' : `; waiting: ${progress.waiting}`;
  return `sync: ${progress.inScope} in scope: ${counts.ready} ready, ${counts.failed} failed, ${counts.skipped} skipped, ${uploading} registering${waiting} (${Math.round(progress.elapsedMs / 1000)} s)`;
}

/** One line per change, and a reminder every 10 s; a terminal gets one line rewritten in place. */
function progressPrinter(io: CliIo): { print: (progress: SyncProgress) => void; done: () => void } {
  let last = '';
  let lastAt = 0;
  return {
    print(progress) {
      const line = describeProgress(progress);
      const changed = line.replace(/\(\d+ s\)$/, '') !== last.replace(/\(\d+ s\)$/, '');
      if (io.interactive) io.stderr(`\r\x1b[2K${line}`.replace(/\n$/, '') + '\r');
      else if (changed || progress.elapsedMs - lastAt >= 10_000) {
        io.stderr(line);
        lastAt = progress.elapsedMs;
      }
      last = line;
    },
    done() {
      if (io.interactive && last !== '') io.stderr(`\r\x1b[2K${last}`);
    },
  };
}

export const syncCommand: Command = {
  name: 'sync',
  summary: 'the whole pipeline locally, through the real queues and table',
  help: `Usage: image-sync sync [--json] [--timeout SECONDS] [--verbose]

Runs what the function app runs, here: reconciles once (lists the managed images, the tenant's device
images and the ledger, queues a job per new eligible image), then works the queues the way the
Functions host does (host.json: batch size, 5 attempts, then the poison queue; delayed status checks)
until every in-scope image is ready, failed or skipped, nothing more can happen, or the timeout.
Progress goes to stderr; the final status table (or --json) to stdout.

Options:
  --json              the status document with "summary" (contract/status.schema.json)
  --timeout SECONDS   give up waiting after this long (default ${DEFAULT_TIMEOUT_SECONDS}); unfinished images then count as needing attention
  -v, --verbose       log what happens on stderr
  -h, --help          this text

Exit codes: 0 every in-scope image ready, retired or skipped; 2 finished, but something needs
attention (a failed or unfinished image, tenant-image-limit, not-visible-to-windows365, an
unreadable subscription, a poisoned message); 1 could not run. Warnings do not change it.`,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs(argv, { ...COMMON_OPTIONS, timeout: { type: 'string' } });
    if (values.help === true) return (io.stdout(this.help), EXIT_OK);
    const timeoutSeconds = values.timeout === undefined ? DEFAULT_TIMEOUT_SECONDS : Number(values.timeout);
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
      throw new UsageError(`--timeout "${values.timeout ?? ''}" is not a positive number of seconds`);
    const { deps, clients } = await createCommandContext(io, values.verbose === true);
    const progress = progressPrinter(io);
    const result = await runLocalSync({
      deps,
      clients,
      hostJsonPath: path.join(packageRoot(), 'host.json'),
      timeoutMs: timeoutSeconds * 1000,
      onProgress: progress.print,
    });
    progress.done();
    const report = buildStatusReport(result.rows, result.problems, {
      now: new Date(),
      expiryWarningDays: deps.config.expiryWarningDays,
      inScopeIds: result.rows.map((row) => row.sourceImageResourceId),
      rollouts: await clients.rings.list(),
    });
    const unavailable = result.reconcile?.unavailableSubscriptions ?? 0;
    if (values.json === true) printJson(io, report);
    else {
      io.stdout(renderStatus(report));
      if (result.reconcile === null)
        io.stdout(
          `\nStopped after ${timeoutSeconds} s: Graph or ARM kept failing, so nothing could be planned (the progress above says how). Run sync again once they answer; nothing was lost.`,
        );
      else if (result.ending === 'timeout')
        io.stdout(`\nStopped waiting after ${timeoutSeconds} s; the function app (or another sync) carries on from the ledger.`);
      if (unavailable > 0)
        io.stdout(
          `\n${unavailable} subscription(s) could not be listed (throttled or unavailable after retries); the next run tries again.`,
        );
    }
    const code = exitCodeFor(report);
    return code === EXIT_OK && (unavailable > 0 || result.reconcile === null) ? EXIT_NEEDS_ATTENTION : code;
  },
};
