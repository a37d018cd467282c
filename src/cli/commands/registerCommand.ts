import { parseManagedImageId } from '../../parse/managedImageId';
import { isGalleryVersionId } from '../../parse/galleryVersionId';
import { type RegistrationRequest, requestRegistration } from '../../handlers/requestRegistration';
import { type CliIo, UsageError } from '../cliIo';
import { COMMON_OPTIONS, type Command, parseCommandArgs, printJson } from '../command';
import { createCommandContext } from '../commandContext';
import { imageLabel } from '../describeImage';
import { EXIT_NEEDS_ATTENTION, EXIT_OK } from '../statusReport';

function describeRequest(request: RegistrationRequest): string {
  const label = imageLabel(request.displayName, request.version);
  switch (request.outcome) {
    case 'skip':
      return `Not registered: ${request.reason ?? ''}. Fix: ${request.fix ?? ''}`;
    case 'known': {
      const deviceImage = request.deviceImageId === null ? '' : ` (device image ${request.deviceImageId})`;
      if (request.versionUnchanged !== null) {
        return `Not registered again: ${label} is registered already${deviceImage} and its source was rebuilt since. ${request.versionUnchanged.code}: ${request.versionUnchanged.text}`;
      }
      return `Already registered: ${label} is ${request.ledgerState ?? 'registered'}${deviceImage}.`;
    }
    case 'queued': {
      const then =
        request.ledgerState === 'failed'
          ? ' It failed before: the function app retries it (a failed upload in place, with retryUpload).'
          : '';
      const unread = request.ledgerRead ? '' : ' (The ledger could not be read with this identity, so only the image itself was checked.)';
      return `Queued ${label} for registration. The function app checks the tenant (its image limit, that Windows 365 can read the source, that no other image holds the name and version) and registers it; \`image-sync status\` follows it.${then}${unread}`;
    }
  }
}

export const registerCommand: Command = {
  name: 'register',
  summary: 'queue one image now (for image-build pipelines)',
  help: `Usage: image-sync register <sourceImageResourceId> [--display-name NAME] [--version X.Y.Z] [--json]

Queues one managed image for registration now, e.g. as the last step of an image pipeline. The
opt-in tag is not required (you chose the image), but every eligibility rule applies: the image's
own rules are checked here (an ineligible image exits 2 with the reason and the fix); the function
app then checks what depends on the tenant (the image limit, that Windows 365 can read the source,
that no other image holds the name and version) and registers it. Asking again for a failed image
retries it (a failed upload in place, with retryUpload). --display-name and --version take
precedence over the cloudpc-display-name and cloudpc-version tags and the image name.

  <sourceImageResourceId>  /subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.Compute/images/{name}

Options:
  --display-name NAME  the Windows 365 display name
  --version X.Y.Z      the version (MAJOR.MINOR.PATCH)
  --json               the outcome as JSON on stdout
  -v, --verbose        log what happens on stderr
  -h, --help           this text

Rights it needs (docs/permissions.md): Reader on the image and Storage Queue Data Message Sender on
the register queue; nothing in Microsoft Graph. With Storage Table Data Reader on the ledger table
as well, it also says when the registration exists already.

A registration is a source image at a version: an image rebuilt in place with a new cloudpc-version
is registered as a new device image. The same version registered before whose source has been
rebuilt since is not posted again (Windows 365 keeps what was captured then): it exits 2 with the
version-unchanged warning and its fix, bump cloudpc-version (told when the ledger can be read).

Exit codes: 0 queued (or registered already); 2 not eligible, or version-unchanged (the reason and
the fix are printed); 1 could not run.`,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      argv,
      { ...COMMON_OPTIONS, 'display-name': { type: 'string' }, version: { type: 'string' } },
      1,
    );
    if (values.help === true) return (io.stdout(this.help), EXIT_OK);
    const id = positionals[0];
    if (id === undefined) throw new UsageError('the source image resource id is missing');
    // A managed image, or (DESIGN §17) a gallery image version: the plan refuses one while gallery sources are off.
    if (parseManagedImageId(id) === null && !isGalleryVersionId(id))
      throw new UsageError(
        `"${id}" is not a managed image id (/subscriptions/{id}/resourceGroups/{group}/providers/Microsoft.Compute/images/{name}) nor a gallery image version id (…/providers/Microsoft.Compute/galleries/{gallery}/images/{definition}/versions/{version})`,
      );
    const { deps } = await createCommandContext(io, values.verbose === true);
    const overrides = {
      ...(values['display-name'] === undefined ? {} : { displayName: values['display-name'] }),
      ...(values.version === undefined ? {} : { version: values.version }),
    };
    const request = await requestRegistration(deps, id, overrides);
    if (values.json === true) printJson(io, request);
    else io.stdout(describeRequest(request));
    return request.outcome === 'skip' || request.versionUnchanged !== null ? EXIT_NEEDS_ATTENTION : EXIT_OK;
  },
};
