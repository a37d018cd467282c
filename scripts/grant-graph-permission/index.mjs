// The grant, one run: the Graph permissions, then the Windows 365 Reader check. Returns the exit code.
import { azToken, client } from './clients.mjs';
import { grantPermissions } from './graphPermissions.mjs';
import { HELP, parseOptions } from './options.mjs';
import { checkWindows365Reader } from './windows365Reader.mjs';

export { ScriptError } from './reporting.mjs';

export async function run(argv, env) {
  const options = parseOptions(argv, env);
  if (options.help) {
    console.log(HELP);
    return 0;
  }
  if (options.dryRun) console.log('Dry run: reading only, nothing will be changed.');
  const graph = client(`${options.graphEndpoint}`, options.graphToken ?? azToken('ms-graph'), 'Microsoft Graph');
  let arm;
  const armFor = () => (arm ??= client(options.armEndpoint, options.armToken ?? azToken('arm'), 'Azure Resource Manager'));
  await grantPermissions(graph, options);
  const missing = await checkWindows365Reader(graph, armFor, options);
  if (options.dryRun) console.log('Dry run: nothing was changed.');
  if (missing.length > 0) {
    console.log(
      `Needs attention: Windows 365 cannot read ${missing.length} source subscription(s); uploads from them fail with sourceImageNotFound.`,
    );
    return 2;
  }
  return 0;
}
