import { STALE_AFTER_MS } from '../../sync/applyPlan';
import { type PlannedImage, plan } from '../../sync/plan';
import { type CliIo } from '../cliIo';
import { COMMON_OPTIONS, type Command, parseCommandArgs, printJson } from '../command';
import { createCommandContext } from '../commandContext';
import { imageLabel, sourceLabel } from '../describeImage';
import { EXIT_NEEDS_ATTENTION, EXIT_OK } from '../statusReport';
import { renderTable } from '../table';

const ACTION_WORDS: Readonly<Record<PlannedImage['outcome'], string>> = {
  register: 'register',
  skip: 'skip',
  adopt: 'adopt',
  resumeStatusCheck: 'check again',
  unchanged: 'unchanged',
};

function detail(image: PlannedImage): string {
  if (image.outcome === 'skip') return `${image.reason ?? ''}: ${image.fix ?? ''}`;
  if (image.outcome === 'register') return image.cause ?? '';
  if (image.outcome === 'adopt') return `already in Windows 365 (${image.deviceImageId ?? ''})`;
  return image.ledgerState ?? '';
}

export const planCommand: Command = {
  name: 'plan',
  summary: 'read-only: what would be registered, what is skipped and why',
  help: `Usage: image-sync plan [--json] [--verbose]

Lists the managed images in IMAGE_SYNC_SUBSCRIPTION_IDS (and IMAGE_SYNC_RESOURCE_GROUPS) that carry
the opt-in tag (IMAGE_SYNC_TAG), compares them with the tenant's device images and the ledger, and
says what a sync would do with each: register, adopt (already in Windows 365), skip (with the reason
code and the fix), check again, or nothing. Changes nothing anywhere.

Options:
  --json       { images: [...], unreadableSubscriptions: [...], summary } on stdout
  -v, --verbose  log what happens on stderr
  -h, --help   this text

Exit codes: 0 planned; 2 planned, but a subscription could not be read; 1 could not run.`,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs(argv, COMMON_OPTIONS);
    if (values.help === true) return (io.stdout(this.help), EXIT_OK);
    const { config, clients } = createCommandContext(io, values.verbose === true);
    const [listing, deviceImages, ledger] = await Promise.all([clients.sourceImages.listAll(), clients.deviceImages.list(), clients.ledger.list()]);
    const planned = plan({ sourceImages: listing.images, deviceImages, ledger, scope: config.scope, trigger: 'reconcile', now: new Date(), staleAfterMs: STALE_AFTER_MS });
    const count = (outcome: PlannedImage['outcome']) => planned.images.filter((image) => image.outcome === outcome).length;
    const summary = { inScope: planned.images.length, register: count('register'), adopt: count('adopt'), skip: count('skip'), unchanged: count('unchanged') + count('resumeStatusCheck') };
    const unreadable = [...listing.unreadable, ...listing.unavailable];
    if (values.json === true) {
      printJson(io, { images: planned.images, unreadableSubscriptions: unreadable, summary });
    } else {
      io.stdout(
        planned.images.length === 0
          ? `No image in scope: tag managed images ${config.scope.kind === 'tag' ? `${config.scope.name}=${config.scope.value}` : '(IMAGE_SYNC_TAG=* takes all)'} in the listed subscriptions.`
          : renderTable(planned.images, [
              { header: 'ACTION', value: (image) => ACTION_WORDS[image.outcome] },
              { header: 'IMAGE', value: (image) => imageLabel(image.displayName, image.version), max: 40 },
              { header: 'SOURCE', value: (image) => sourceLabel(image.sourceImageResourceId), max: 60 },
              { header: 'DETAIL', value: detail, max: 140 },
            ]),
      );
      for (const { subscriptionId, detail: why } of unreadable) io.stdout(`Subscription ${subscriptionId} could not be read: ${why}`);
      io.stdout(`\n${summary.inScope} image(s) in scope: ${summary.register} to register, ${summary.adopt} to adopt, ${summary.skip} skipped, ${summary.unchanged} unchanged.`);
    }
    return unreadable.length > 0 ? EXIT_NEEDS_ATTENTION : EXIT_OK;
  },
};
