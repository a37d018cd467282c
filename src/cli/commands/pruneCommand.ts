import { retireVersions, type RetirementResult } from '../../steps/retireVersions';
import { readTenantView } from '../../steps/tenantView';
import { type CliIo, UsageError } from '../cliIo';
import { COMMON_OPTIONS, type Command, parseCommandArgs, printJson } from '../command';
import { createCommandContext } from '../commandContext';
import { imageLabel, sourceLabel } from '../describeImage';
import { EXIT_NEEDS_ATTENTION, EXIT_OK } from '../statusReport';
import { renderTable } from '../table';
import { MAX_KEEP_VERSIONS } from '../../config';

const OUTCOME_WORDS: Readonly<Record<RetirementResult['outcome'], string>> = {
  retired: 'retired',
  'would-retire': 'would retire',
  'in-use': 'kept (in use)',
  kept: 'kept (retirement not finished)',
  refused: 'refused by Graph',
  changed: 'skipped (changed)',
  failed: 'not deleted',
};

/** `--keep`: a whole number of versions, 1 or more (0 would delete every version's predecessor of nothing). */
function parseKeep(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || Number(value) > MAX_KEEP_VERSIONS) {
    throw new UsageError(
      `--keep "${value}" is not a whole number from 1 to ${MAX_KEEP_VERSIONS}: give how many newest ready versions to keep per display name, e.g. --keep 2`,
    );
  }
  return Number(value);
}

export const pruneCommand: Command = {
  name: 'prune',
  summary: 'retention now: delete old versions the app registered (never one a policy uses)',
  help: `Usage: image-sync prune [--keep N] [--dry-run] [--json]

Retention on demand. Per display name, keeps the newest N ready versions the app created and
deletes from Windows 365 the older versions it created, and its failed device images that a
newer ready version superseded (Graph's status decides what is ready). Never deletes a device image
a provisioning policy uses or a rollback would restore, nor one the app did not create (adopted). Each deleted registration stays in the ledger as retired. A tenant holds at
most 20 custom images, every status counted: retention is how a monthly pipeline stays under it.

Options:
  --keep N       versions to keep per display name (default: IMAGE_SYNC_KEEP_VERSIONS; required
                 when that is 0, i.e. retention is off)
  --dry-run      list what would be deleted; delete nothing
  --json         { keep, dryRun, results: [{ sourceImageResourceId, displayName, version,
                 deviceImageId, why, outcome, detail }] } on stdout
  -v, --verbose  log what happens on stderr
  -h, --help     this text

Exit codes: 0 done (or nothing to do); 2 a deletion failed or Graph refused it (a problem
retire-refused; the next run tries again);
1 could not run (bad settings or options, storage or Graph unreachable).`,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs(argv, { ...COMMON_OPTIONS, keep: { type: 'string' }, 'dry-run': { type: 'boolean' } });
    if (values.help === true) return (io.stdout(this.help), EXIT_OK);
    const { config, deps } = await createCommandContext(io, values.verbose === true);
    const keep = parseKeep(values.keep, config.keepVersions);
    if (keep < 1)
      throw new UsageError(
        'retention is off (IMAGE_SYNC_KEEP_VERSIONS is 0): give --keep N, how many newest ready versions to keep per display name',
      );
    const dryRun = values['dry-run'] === true;
    const view = await readTenantView(deps, { readOnly: dryRun });
    if (view === null) throw new Error('Microsoft Graph refused to list device images: grant the app CloudPC.ReadWrite.All');
    if (view.policies === null)
      throw new Error(
        'Microsoft Graph did not list the provisioning policies, so the app cannot tell which images are in use; nothing was deleted. Try again, or check CloudPC.Read.All',
      );
    const { results } = await retireVersions(deps, view, { keep, dryRun });
    if (values.json === true) printJson(io, { keep, dryRun, results });
    else if (results.length === 0)
      io.stdout(
        `Nothing to delete: every display name has at most ${keep} ready version(s) the app registered, and no failed image is superseded.`,
      );
    else {
      io.stdout(
        renderTable(results, [
          { header: 'OUTCOME', value: (result) => OUTCOME_WORDS[result.outcome] },
          { header: 'IMAGE', value: (result) => imageLabel(result.displayName, result.version), max: 40 },
          { header: 'SOURCE', value: (result) => sourceLabel(result.sourceImageResourceId), max: 60 },
          { header: 'DEVICE IMAGE', value: (result) => result.deviceImageId ?? '-' },
          { header: 'DETAIL', value: (result) => result.detail, max: 140 },
        ]),
      );
    }
    return results.some((result) => result.outcome === 'failed' || result.outcome === 'refused') ? EXIT_NEEDS_ATTENTION : EXIT_OK;
  },
};
