// The host's side of the wiring: settings read once per worker, clients shared by every
// invocation, and each invocation's own logger (so log lines carry its invocation id).
//
// The worker imports every entry file to index the app before anything runs, so the entries load
// only `@azure/functions` and the settings' names; the SDKs (ARM, Graph, storage, identity) and the
// handlers' modules are loaded by the first invocation that needs them (cold start, docs/performance.md).
import type { InvocationContext } from '@azure/functions';
import type { Config } from '../../src/config';
import { type Logger, createLogger } from '../../src/log';
import type { SharedClients, createSyncDeps } from '../../src/runtime/createSyncDeps';
import type { SyncDeps } from '../../src/ports';

interface Shared {
  readonly config: Config;
  readonly clients: SharedClients;
  readonly createSyncDeps: typeof createSyncDeps;
}

let shared: Promise<Shared> | undefined;

function contextLogger(context: InvocationContext): Logger {
  return createLogger((level, line) => {
    if (level === 'debug') context.debug(line);
    else if (level === 'info') context.info(line);
    else if (level === 'warn') context.warn(line);
    else context.error(line);
  });
}

/**
 * The shared clients serve every invocation at once, so their lines belong to none of them: they go
 * to the worker's console, which the host collects too, rather than to whichever invocation came first.
 */
const workerLogger: Logger = createLogger((level, line) => {
  if (level === 'debug') console.debug(line);
  else if (level === 'info') console.info(line);
  else if (level === 'warn') console.warn(line);
  else console.error(line);
});

async function loadShared(): Promise<Shared> {
  const [{ loadConfig }, { createSharedClients, createSyncDeps }] = await Promise.all([
    import('../../src/config.js'),
    import('../../src/runtime/createSyncDeps.js'),
  ]);
  const config = loadConfig(process.env);
  return { config, clients: createSharedClients(config, workerLogger), createSyncDeps };
}

export async function invocationDeps(context: InvocationContext): Promise<SyncDeps> {
  const log = contextLogger(context);
  const loading = (shared ??= loadShared());
  let ready: Shared;
  try {
    ready = await loading;
  } catch (error) {
    // A wrong setting fails this invocation with its one line; the next one reads the settings again.
    if (shared === loading) shared = undefined;
    throw error;
  }
  return ready.createSyncDeps(ready.config, ready.clients, log);
}

export function messageId(context: InvocationContext): string | null {
  const id = context.triggerMetadata?.id;
  return typeof id === 'string' ? id : null;
}
