// `npm start`: the main job on the embedded default. Azurite in memory and the tenant emulator with
// the sample estate, then `image-sync sync` against them in a child process (which trusts the
// emulator's certificate through NODE_EXTRA_CA_CERTS, read by Node only at start).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startAzurite } from '../local/startAzurite';

const SAMPLE_SETTINGS = {
  // Uploads in the sample settle in seconds: check after 1 s, then 2 s, at most every 4 s.
  IMAGE_SYNC_POLL_INTERVAL_SECONDS: '1',
  IMAGE_SYNC_POLL_MAX_INTERVAL_SECONDS: '4',
};

/**
 * The sample estate's gallery version (win11-gold 1.4.0) is registered too, through a managed-image
 * copy in its staging group (DESIGN §17), in the estate's first subscription.
 */
function galleryCopySettings(subscriptionIds: string): Record<string, string> {
  const subscriptionId = subscriptionIds.split(',')[0]?.trim() ?? '';
  return {
    IMAGE_SYNC_GALLERY_SOURCES: 'copy',
    IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP: `/subscriptions/${subscriptionId}/resourceGroups/rg-cloudpc-staging`,
  };
}

async function main(): Promise<number> {
  const say = (line: string) => process.stderr.write(`${line}\n`);
  say('Starting Azurite (in memory) and the local tenant emulator with the sample estate…');
  const [{ startEmulator }, { sampleEstate }] = await Promise.all([
    import('../emulator/startEmulator.js'),
    import('../emulator/sampleEstate.js'),
  ]);
  const [azurite, emulator] = await Promise.all([startAzurite(), startEmulator({ estate: sampleEstate() })]);
  const stopAll = async () => {
    await Promise.allSettled([emulator.stop(), azurite.stop()]);
  };
  try {
    say(`Emulator: ${emulator.url}  Azurite: ${azurite.queueEndpoint}`);
    say('Running: image-sync sync\n');
    const settings = emulator.settings();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AzureWebJobsStorage: azurite.connectionString,
      ...settings,
      ...SAMPLE_SETTINGS,
      ...galleryCopySettings(settings.IMAGE_SYNC_SUBSCRIPTION_IDS),
    };
    const child = spawn(process.execPath, [path.join(__dirname, 'main.js'), 'sync', ...process.argv.slice(2)], { env, stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const code = await new Promise<number>((resolve) => child.on('exit', (exitCode) => resolve(exitCode ?? 1)));
    // 2 means the run finished with something to look at, which the sample estate has on purpose.
    if (code === 2)
      say('\nDone. Exit code 2 from sync: the sample estate holds an image that fails on purpose (see its remediation above).');
    return code === 0 || code === 2 ? 0 : code;
  } finally {
    await stopAll();
  }
}

void main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`npm start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
