import { rollBack } from '../../handlers/rollBack';
import { type CliIo, UsageError } from '../cliIo';
import { COMMON_OPTIONS, type Command, parseCommandArgs, printJson } from '../command';
import { createCommandContext } from '../commandContext';
import { EXIT_NEEDS_ATTENTION, EXIT_OK } from '../statusReport';

export const rollbackCommand: Command = {
  name: 'rollback',
  summary: "point a provisioning policy back at the image it used before the app's last rollout",
  help: `Usage: image-sync rollback <policy> [--json]

Points a Windows 365 provisioning policy back at the image it used before image-sync last rolled
out a version to it (IMAGE_SYNC_ROLLOUT and the cloudpc-provisioning-policies tag). Cloud PCs
provisioned from now on get that image; existing Cloud PCs keep theirs until an administrator
reprovisions them (Intune admin center > Devices > Windows 365 > All Cloud PCs > Reprovision).
The rolled-back version is never rolled out to the policy again, whatever the tag calls the
policy later (name, id, a new name): tag a new version to roll forward. The rollback is recorded
before the policy is changed, so an interrupted one is finished by running the command again.
When the policy is in a ring of a rollout that is soaking (rings: "Pilot > Sales" in the tag), the
rollout stops there (rolled-back): later rings never get the version; the ring's other policies
keep it (roll them back one by one if they should not).

Refuses, changing nothing, when image-sync recorded no rollout to the policy, when the policy was
changed since (it no longer uses the version the app rolled out), when the earlier image no
longer exists in Windows 365, or when the app is rolling out to the policy at that moment.

  <policy>       the policy's display name (case-insensitive) or id

Options:
  --json         { policy, policyId, outcome, reason, from, to } on stdout
  -v, --verbose  log what happens on stderr
  -h, --help     this text

Needs Microsoft Graph CloudPC.ReadWrite.All and Storage Table Data Contributor on the ledger table;
run by a person signed in with image-sync login: the Windows 365 Administrator or Intune
Administrator role instead of the Graph permission.

Exit codes: 0 rolled back (or it was already); 2 refused, with the reason; 1 could not run.`,
  async run(argv: readonly string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseCommandArgs(argv, COMMON_OPTIONS, 1);
    if (values.help === true) return (io.stdout(this.help), EXIT_OK);
    const target = positionals[0];
    if (target === undefined || target.trim() === '')
      throw new UsageError('the provisioning policy is missing: give its display name or id');
    const { deps } = await createCommandContext(io, values.verbose === true);
    const result = await rollBack(deps, target);
    if (values.json === true) printJson(io, result);
    else if (result.outcome === 'refused') io.stdout(`Not rolled back: ${result.reason ?? ''}`);
    else if (result.outcome === 'already-rolled-back')
      io.stdout(
        `"${result.policy}" uses ${result.to?.imageDisplayName ?? result.to?.imageId ?? '?'} already (rolled back before); nothing was changed.`,
      );
    else
      io.stdout(
        `Rolled back "${result.policy}": new Cloud PCs get ${result.to?.imageDisplayName ?? result.to?.imageId ?? '?'} again instead of ${result.from?.imageDisplayName ?? result.from?.imageId ?? '?'}. Existing Cloud PCs keep their image until reprovisioned.`,
      );
    return result.outcome === 'refused' ? EXIT_NEEDS_ATTENTION : EXIT_OK;
  },
};
