// The host's side of the wiring: settings read once per worker, clients shared by every
// invocation, and each invocation's own logger (so log lines carry its invocation id).
import type { InvocationContext } from '@azure/functions';
import { type Config, loadConfig } from '../../src/config';
import { type Logger, createLogger } from '../../src/log';
import { type SharedClients, createSharedClients, createSyncDeps } from '../../src/runtime/createSyncDeps';
import type { SyncDeps } from '../../src/sync/ports';

let shared: { config: Config; clients: SharedClients } | undefined;

function contextLogger(context: InvocationContext): Logger {
  return createLogger((level, line) => {
    if (level === 'debug') context.debug(line);
    else if (level === 'info') context.info(line);
    else if (level === 'warn') context.warn(line);
    else context.error(line);
  });
}

export function invocationDeps(context: InvocationContext): SyncDeps {
  const log = contextLogger(context);
  if (shared === undefined) {
    const config = loadConfig(process.env);
    shared = { config, clients: createSharedClients(config, log) };
  }
  return createSyncDeps(shared.config, shared.clients, log);
}

export function messageId(context: InvocationContext): string | null {
  const id = context.triggerMetadata?.id;
  return typeof id === 'string' ? id : null;
}
