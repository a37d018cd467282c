import { type BehindImage, behindImages } from '../../rules/imageCurrency';
import type { PlannedImage } from '../../rules/plan';
import { type RolloutPreview, previewRollout } from '../../rules/planRollout';
import { describeNextGate, nextGateStep } from '../../rules/rolloutRings';
import { planWithPreflight } from '../../steps/planRegistrations';
import { type RetirementResult, retireVersions } from '../../steps/retireVersions';
import { readTenantView } from '../../steps/tenantView';
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

function retentionLine(result: RetirementResult): string {
  const image = `${imageLabel(result.displayName, result.version)} (${result.deviceImageId ?? '-'})`;
  return result.outcome === 'would-retire' ? `  retire  ${image}: ${result.detail}` : `  keep    ${image}: ${result.detail}`;
}

function detail(image: PlannedImage): string {
  if (image.outcome === 'skip') return `${image.reason ?? ''}: ${image.fix ?? ''}`;
  if (image.outcome === 'register') return image.cause ?? '';
  if (image.outcome === 'adopt') return `already in Windows 365 (${image.deviceImageId ?? ''})`;
  return image.ledgerState ?? '';
}

const ROLLOUT_WORDS: Readonly<Record<RolloutPreview['outcome'], string>> = {
  off: 'nothing (rollout is off)',
  'when-ready': 'point it at this version once it is ready',
  'rolled-out': 'done: rolled out',
  'already-used': 'done: uses it already',
  superseded: 'nothing: a newer version rolled out',
  'rolled-back': 'nothing: rolled back from this version (only a newer one rolls out)',
  'no-such-policy': 'PROBLEM: no policy of that name or id',
  'gallery-image': 'PROBLEM: the policy uses a gallery image',
  refused: 'PROBLEM: Graph refused; tried again',
};

function rolloutSection(enabled: boolean, preview: readonly RolloutPreview[]): string {
  const heading = enabled
    ? '\nRollout (IMAGE_SYNC_ROLLOUT=true, tag cloudpc-provisioning-policies):'
    : '\nRollout is off: the cloudpc-provisioning-policies tag changes nothing until IMAGE_SYNC_ROLLOUT=true. Tagged:';
  return `${heading}\n${preview.map((entry) => `  ${imageLabel(entry.displayName, entry.version)} → "${entry.target}"${entry.rings > 1 ? ` (ring ${entry.ring} of ${entry.rings})` : ''}: ${entry.ring > 1 && entry.outcome === 'when-ready' ? `point it at this version once ring ${entry.ring - 1} passed the health gate` : ROLLOUT_WORDS[entry.outcome]}`).join('\n')}`;
}

function currencySection(maxPatchLag: number, behind: readonly BehindImage[]): string {
  const lines = behind.map(
    (image) =>
      `  ${imageLabel(image.displayName, image.version)}: ${image.osVersionNumber ?? '?'} is ${image.patchLag} Patch Tuesday(s) behind ${image.latestBuild}: rebuild it and register a new version`,
  );
  return `\nBehind their Windows release's latest quality update (IMAGE_SYNC_MAX_PATCH_LAG=${maxPatchLag}, as the last reconcile judged):\n${lines.join('\n')}`;
}

export const planCommand: Command = {
  name: 'plan',
  summary: 'read-only: what would be registered, what is skipped and why',
  help: `Usage: image-sync plan [--json] [--verbose]

Lists the managed images in IMAGE_SYNC_SUBSCRIPTION_IDS (and IMAGE_SYNC_RESOURCE_GROUPS) that carry
the opt-in tag (IMAGE_SYNC_TAG), compares them with the tenant's device images and the ledger, and
says what a sync would do with each: register, adopt (already in Windows 365), skip (with the reason
code and the fix), check again, or nothing; what retention (IMAGE_SYNC_KEEP_VERSIONS) would
delete from Windows 365; which provisioning policies the cloudpc-provisioning-policies tags
would point at each version (IMAGE_SYNC_ROLLOUT; when it is off, plan says the tag changes
nothing); which ready images are more than IMAGE_SYNC_MAX_PATCH_LAG Patch Tuesdays behind their
Windows release's latest quality update, as the last reconcile judged; and, per ring rollout, what
the health gate does next and when (from the counts of its last reconcile: plan reads no Cloud PC).
Changes nothing anywhere.

Options:
  --json       { images: [...], retention: [...], rollout: { enabled, policies: [...], rings: [{ displayName,
               version, ring, rings, state, next: { action, at, needs, text } }] },
               currency: { maxPatchLag, behind: [...] }, unreadableSubscriptions: [...], summary }
               on stdout
  -v, --verbose  log what happens on stderr
  -h, --help   this text

Exit codes: 0 planned; 2 planned, but a subscription could not be read; 1 could not run.`,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values } = parseCommandArgs(argv, COMMON_OPTIONS);
    if (values.help === true) return (io.stdout(this.help), EXIT_OK);
    const { config, deps } = await createCommandContext(io, values.verbose === true);
    const [listing, view] = await Promise.all([deps.sourceImages.listAll(), readTenantView(deps, { readOnly: true })]);
    if (view === null) throw new Error('Microsoft Graph did not list the device images');
    const retention = (await retireVersions(deps, view, { keep: config.keepVersions, dryRun: true })).results;
    const planned = await planWithPreflight(deps, listing.images, view, 'reconcile', config.scope);
    const count = (outcome: PlannedImage['outcome']) => planned.images.filter((image) => image.outcome === outcome).length;
    const summary = {
      inScope: planned.images.length,
      register: count('register'),
      adopt: count('adopt'),
      skip: count('skip'),
      unchanged: count('unchanged') + count('resumeStatusCheck'),
    };
    const unreadable = [...listing.unreadable, ...listing.unavailable];
    const sources = new Map(listing.images.map((image) => [image.id.toLowerCase(), image]));
    const tagged = planned.images.flatMap((image) => {
      const source = sources.get(image.sourceImageResourceId.toLowerCase());
      return source === undefined || image.outcome === 'skip'
        ? []
        : [{ image: source, displayName: image.displayName, version: image.version }];
    });
    const gate = { soakHours: config.ringSoakHours, maxFailed: config.ringMaxFailed, minProvisioned: config.ringMinProvisioned };
    const now = deps.clock.now();
    const rings = (await deps.rings.list()).map((ring) => ({
      displayName: ring.displayName,
      version: ring.version,
      ring: ring.ring,
      rings: ring.rings.length,
      state: ring.state,
      next: { ...nextGateStep(ring, gate, now), text: describeNextGate(ring, gate, now) },
    }));
    const rollout = { enabled: config.rollout, policies: previewRollout(tagged, view.ledger, view.policies, config.rollout), rings };
    const currency = { maxPatchLag: config.maxPatchLag, behind: behindImages(view.ledger, config.maxPatchLag) };
    if (values.json === true) {
      printJson(io, { images: planned.images, retention, rollout, currency, unreadableSubscriptions: unreadable, summary });
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
      if (rollout.policies.length > 0) io.stdout(rolloutSection(rollout.enabled, rollout.policies));
      if (config.maxPatchLag !== null && currency.behind.length > 0) io.stdout(currencySection(config.maxPatchLag, currency.behind));
      const live = rings.filter((ring) => ring.state === 'soaking' || ring.state === 'halted');
      if (live.length > 0)
        io.stdout(
          `\nRings (the health gate's next step):\n${live.map((ring) => `  ${imageLabel(ring.displayName, ring.version)}: ${ring.next.text}`).join('\n')}`,
        );
      if (retention.length > 0)
        io.stdout(`\nRetention (IMAGE_SYNC_KEEP_VERSIONS=${config.keepVersions}):\n${retention.map(retentionLine).join('\n')}`);
      for (const { subscriptionId, detail: why } of unreadable) io.stdout(`Subscription ${subscriptionId} could not be read: ${why}`);
      io.stdout(
        `\n${summary.inScope} image(s) in scope: ${summary.register} to register, ${summary.adopt} to adopt, ${summary.skip} skipped, ${summary.unchanged} unchanged.`,
      );
    }
    return unreadable.length > 0 ? EXIT_NEEDS_ATTENTION : EXIT_OK;
  },
};
