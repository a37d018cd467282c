import { type CliIo } from '../cliIo';
import { COMMON_OPTIONS, type Command, parseCommandArgs, printJson } from '../command';
import { createCommandContext } from '../commandContext';
import { buildLedgerReport, renderLedgerReport } from '../ledgerReport';
import { EXIT_OK } from '../statusReport';

export const reportCommand: Command = {
  name: 'report',
  summary: 'what the ledger knows over time: uploads per month, and when the tenant runs out of slots',
  help: `Usage: image-sync report [--json] [--verbose]

From the ledger alone (no Graph or ARM call), per month in which registrations started: how many,
how many became ready, how long uploads took from create to ready (median and 95th percentile,
nearest rank), and failures by errorCode. Then the tenant's custom-image slots in use against
IMAGE_SYNC_TENANT_IMAGE_LIMIT as the last reconcile counted them, and the date the tenant runs out
of room at the last 90 days' pace with the retention the app runs with (IMAGE_SYNC_KEEP_VERSIONS),
or "never" when retention keeps up.

Registrations recorded by earlier releases carry no create or ready time: their create time is
recovered when no retryUpload moved it, their ready time by the first reconcile of this release
(Graph's lastModifiedDateTime); others are counted but not measured (said below the table).

Options:
  --json       { generatedAt, months: [{ month, registrations, ready, uploadMinutes: { measured,
               median, p95 }, failures: { errorCode: n } }], slots: { inUse, limit, keepVersions,
               asOf, registrationsInPace, newSlotsInPace, slotsPerDay, runsOutOn } | null,
               unmeasured } on stdout
  -v, --verbose  log what happens on stderr
  -h, --help   this text

Needs read rights on the ledger table only (Storage Table Data Reader).

Exit codes: 0 reported; 1 could not run (bad settings, storage unreachable).`,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs(argv, COMMON_OPTIONS);
    if (values.help === true) return (io.stdout(this.help), EXIT_OK);
    const { config, clients } = await createCommandContext(io, values.verbose === true);
    const [rows, count] = await Promise.all([clients.ledger.list(), clients.slotCounts.latest()]);
    const report = buildLedgerReport(rows, count, new Date());
    if (values.json === true) printJson(io, report);
    else io.stdout(renderLedgerReport(report, config.tenantImageLimit));
    return EXIT_OK;
  },
};
