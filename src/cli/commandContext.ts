// What every command that talks to Azure (or the emulator) needs: settings, clients, a logger.
import { type Config, isLoopbackUrl, loadConfig } from '../config';
import { type Logger, createLogger } from '../log';
import { type SharedClientOptions, type SharedClients, createSharedClients, createSyncDeps } from '../runtime/createSyncDeps';
import type { SyncDeps } from '../ports';
import type { CliIo } from './cliIo';
import { type CommandIdentity, commandIdentity } from './commandIdentity';
import { withPersonRoleAdvice } from './personRoleAdvice';
import { checkStorageAnswers } from './storagePreflight';

export function cliLogger(io: CliIo, verbose: boolean): Logger {
  return createLogger((level, line) => io.stderr(`${level}: ${line}`), verbose ? 'info' : 'warn');
}

/** Local emulators answer in milliseconds: retry them quickly. Azure gets the production defaults. */
function clientOptionsFor(config: Config): SharedClientOptions {
  if (!(isLoopbackUrl(config.graphEndpoint) && isLoopbackUrl(config.armEndpoint))) return {};
  return { graphRetry: { delaySeconds: 1, maxRetries: 6 }, armRetry: { maxRetries: 6, retryDelayInMs: 200 }, secondPassDelayMs: 1_000 };
}

export interface CommandContext {
  readonly config: Config;
  readonly clients: SharedClients;
  readonly deps: SyncDeps;
  readonly log: Logger;
  /** Who the command runs as: a person signed in with `image-sync login`, or the app's own identity. */
  readonly identity: CommandIdentity;
}

/** Settings read and checked, clients made, and storage answering: or a one-line reason it cannot run. */
export async function createCommandContext(io: CliIo, verbose: boolean): Promise<CommandContext> {
  const config = loadConfig(io.env);
  const log = cliLogger(io, verbose);
  const identity = await commandIdentity(config, io);
  if (identity.choice.kind === 'person') log.info('SignedInPerson', { username: identity.choice.person.username });
  const shared = createSharedClients(config, log, {
    ...clientOptionsFor(config),
    ...(identity.credential === undefined ? {} : { credential: identity.credential }),
  });
  const clients =
    identity.choice.kind === 'person'
      ? { ...shared, deviceImages: withPersonRoleAdvice(shared.deviceImages, identity.choice.person.username) }
      : shared;
  await checkStorageAnswers(clients.storage, config.table);
  return { config, clients, deps: createSyncDeps(config, clients, log), log, identity };
}
