import { parseManagedImageId } from '../../arm/managedImageId';
import { registerManually } from '../../sync/registerManually';
import { type CliIo, UsageError } from '../cliIo';
import { COMMON_OPTIONS, type Command, parseCommandArgs, printJson } from '../command';
import { createCommandContext } from '../commandContext';
import { imageLabel } from '../describeImage';
import { EXIT_NEEDS_ATTENTION, EXIT_OK } from '../statusReport';

export const registerCommand: Command = {
  name: 'register',
  summary: 'enqueue one image now (for image-build pipelines)',
  help: `Usage: image-sync register <sourceImageResourceId> [--display-name NAME] [--version X.Y.Z] [--json]

Queues one managed image for registration now, e.g. as the last step of an image pipeline. The
opt-in tag is not required (you chose the image), but every eligibility rule applies. A failed image
is tried again (a failed upload is retried in place with retryUpload). --display-name and --version take precedence over the cloudpc-display-name and
cloudpc-version tags and the image name. The function app (or \`image-sync sync\`) does the rest.

  <sourceImageResourceId>  /subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.Compute/images/{name}

Options:
  --display-name NAME  the Windows 365 display name
  --version X.Y.Z      the version (MAJOR.MINOR.PATCH)
  --json               the planned outcome as JSON on stdout
  -v, --verbose        log what happens on stderr
  -h, --help           this text

A registration is a source image at a version: an image rebuilt in place with a new cloudpc-version
is registered as a new device image. The same version registered before whose source has been
rebuilt since is not posted again (Windows 365 keeps what was captured then): it exits 2 with the
version-unchanged warning and its fix, bump cloudpc-version.

Exit codes: 0 queued (or already registered); 2 not eligible, or version-unchanged (the reason and
the fix are printed); 1 could not run.`,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, { ...COMMON_OPTIONS, 'display-name': { type: 'string' }, version: { type: 'string' } }, 1);
    if (values.help === true) return (io.stdout(this.help), EXIT_OK);
    const id = positionals[0];
    if (id === undefined) throw new UsageError('the source image resource id is missing');
    if (parseManagedImageId(id) === null) throw new UsageError(`"${id}" is not a managed image id: /subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.Compute/images/{name}`);
    const { deps } = await createCommandContext(io, values.verbose === true);
    const overrides = {
      ...(values['display-name'] === undefined ? {} : { displayName: values['display-name'] }),
      ...(values.version === undefined ? {} : { version: values.version }),
    };
    const outcome = await registerManually(deps, id, overrides);
    if (values.json === true) printJson(io, outcome);
    else if (outcome.outcome === 'skip') io.stdout(`Not registered: ${outcome.reason ?? ''}. Fix: ${outcome.fix ?? ''}`);
    else if (outcome.outcome === 'register') io.stdout(`Queued ${imageLabel(outcome.displayName, outcome.version)} for registration.`);
    else if (outcome.versionUnchanged !== null) io.stdout(`Not registered again: ${imageLabel(outcome.displayName, outcome.version)} is registered already (device image ${outcome.deviceImageId ?? '-'}) and its source was rebuilt since. ${outcome.versionUnchanged.code}: ${outcome.versionUnchanged.text}`);
    else if (outcome.retriedUpload) io.stdout(`Asked Windows 365 to retry the failed upload of ${imageLabel(outcome.displayName, outcome.version)} (device image ${outcome.deviceImageId ?? ''}); \`image-sync status\` follows it.`);
    else io.stdout(`Already known: ${imageLabel(outcome.displayName, outcome.version)} is ${outcome.ledgerState ?? 'registered'}${outcome.deviceImageId === null ? '' : ` (device image ${outcome.deviceImageId})`}.`);
    return outcome.outcome === 'skip' || outcome.versionUnchanged !== null ? EXIT_NEEDS_ATTENTION : EXIT_OK;
  },
};
