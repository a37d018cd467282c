import { type CliIo } from '../cliIo';
import { COMMON_OPTIONS, type Command, parseCommandArgs, printJson } from '../command';
import { createCommandContext } from '../commandContext';
import { renderStatus } from '../renderStatus';
import { EXIT_OK, buildStatusReport, exitCodeFor } from '../statusReport';

export const statusCommand: Command = {
  name: 'status',
  summary: "the ledger: every image's state, and recorded problems",
  help: `Usage: image-sync status [--json] [--verbose]

Shows what the app knows (its ledger table): every image it has seen in scope, with its state
(queued, creating, pending, ready, failed, skipped), the device image id, why an image was skipped
and how to fix it, why an upload failed and what to do; then the recorded problems.
Reads storage only (AzureWebJobsStorage); it calls neither ARM nor Graph.

Options:
  --json       the status document (contract/status.schema.json) on stdout
  --clear-problems  show the status, then remove the recorded problems (you have read them);
               the exit code then reflects the images only
  -v, --verbose  log what happens on stderr
  -h, --help   this text

One entry per registration (a source image at a version): an image rebuilt with three versions has
three entries. Shown per entry: its state (retired = deleted from Windows 365 by retention), the OS
status and expiration Graph reports, its OS build and, for the newest ready version of each display
name, how many Patch Tuesdays it is behind its Windows release's latest quality update (BUILD; as the
last reconcile judged), the provisioning policies that use it, and warnings (OS support ending, a
newer quality update, a source rebuilt without a new version, a changed display name), each with
what to do.
Then each ring rollout (IMAGE_SYNC_ROLLOUT): its ring, state (soaking, complete, halted,
rolled-back, superseded), the ring's policies and the new Cloud PCs provisioned and failed on it.

Exit codes: 0 every image ready, retired or skipped and no problem (warnings do not count); 2
something needs attention (a failed or unfinished image, tenant-image-limit,
not-visible-to-windows365, a recorded problem such as rollout-halted); 1 could not run (bad settings, storage unreachable).`,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs(argv, { ...COMMON_OPTIONS, 'clear-problems': { type: 'boolean' } });
    if (values.help === true) return (io.stdout(this.help), EXIT_OK);
    const { config, clients } = await createCommandContext(io, values.verbose === true);
    const [rows, problems, rollouts] = await Promise.all([clients.ledger.list(), clients.ledger.listProblems(), clients.rings.list()]);
    const report = buildStatusReport(rows, problems, { now: new Date(), expiryWarningDays: config.expiryWarningDays, rollouts });
    if (values.json === true) printJson(io, report);
    else io.stdout(renderStatus(report));
    if (values['clear-problems'] !== true) return exitCodeFor(report);
    const cleared = await clients.ledger.clearProblems();
    io.stderr(`Cleared ${cleared} recorded problem(s).`);
    return exitCodeFor({ ...report, problems: [] });
  },
};
