// The operating system's protected token store (Windows DPAPI, macOS Keychain, Linux libsecret)
// through `@azure/identity-cache-persistence`, an optional dependency: its native part (keytar)
// needs libsecret's headers to build on Linux, and npm leaves it out where it cannot. Without it a
// person still signs in, for the one process; tokens are never written to a plain file instead.
import { type IdentityPlugin, useIdentityPlugin } from '@azure/identity';
import { errorMessage } from '../errors';

export const CACHE_PERSISTENCE_PACKAGE = '@azure/identity-cache-persistence';

/** The name of image-sync's cache in the store (`DefaultAzureCredential`'s users keep theirs apart). */
export const TOKEN_CACHE_NAME = 'image-sync';

export type ProtectedTokenCache = { readonly available: true } | { readonly available: false; readonly reason: string };

/** Where a person finds the missing piece, by platform. */
export function protectedStoreAdvice(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'linux')
    return `install libsecret and its headers (Debian/Ubuntu: sudo apt-get install libsecret-1-dev; Fedora: sudo dnf install libsecret-devel), a keyring such as GNOME Keyring, then reinstall image-sync so npm builds ${CACHE_PERSISTENCE_PACKAGE}`;
  return `reinstall image-sync with its optional dependencies (npm install without --omit=optional) so that ${CACHE_PERSISTENCE_PACKAGE} is present; ${platform === 'win32' ? 'Windows' : 'macOS'} needs nothing else`;
}

export type PluginLoader = () => Promise<unknown>;

/** The package's own loader: a plain require, so that its absence is an answer, not a crash. */
const loadInstalledPlugin: PluginLoader = () => import(CACHE_PERSISTENCE_PACKAGE);

function pluginOf(module: unknown): IdentityPlugin | null {
  if (typeof module !== 'object' || module === null || !('cachePersistencePlugin' in module)) return null;
  const plugin = module.cachePersistencePlugin;
  return typeof plugin === 'function' ? (plugin as IdentityPlugin) : null;
}

function whyNotLoaded(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const missing =
    (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') && errorMessage(error).includes(CACHE_PERSISTENCE_PACKAGE);
  if (missing) return `${CACHE_PERSISTENCE_PACKAGE} is not installed here`;
  // Installed, but its native part (keytar, libsecret) did not load.
  return `${CACHE_PERSISTENCE_PACKAGE} could not be loaded (${errorMessage(error).split('\n')[0] ?? ''})`;
}

/** The part of MSAL's cache plugin used here, and the provider the package registers (both only called, never implemented). */
interface CachePlugin {
  beforeCacheAccess(context: CacheAccess): Promise<void>;
  afterCacheAccess(context: CacheAccess): Promise<void>;
}
interface CacheAccess {
  readonly cacheHasChanged: boolean;
  readonly tokenCache: { serialize(): string; deserialize(cache: string): void };
}
type PersistenceProvider = (options: { readonly enabled: boolean; readonly name: string }) => Promise<CachePlugin>;

let enabled: Promise<ProtectedTokenCache> | null = null;
let provider: PersistenceProvider | null = null;

const STORE_REFUSED = 'the protected token store refused';
/** The detail in parentheses, as far as its own parentheses balance one level deep. */
const REFUSAL = /the protected token store refused \(((?:[^()]|\([^()]*\))*)\)/;

/**
 * The operating system's store refused to be read or written (a locked keyring, no D-Bus session).
 * `@azure/identity` passes on only the message of an error it does not know, so the message says it.
 */
export class ProtectedStoreRefusedError extends Error {
  override name = 'ProtectedStoreRefusedError';
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`${STORE_REFUSED} (${detail})`, options);
  }
}

/** The store's refusal, in its own words, when `error` (or one it was caused by) is one; else null. */
export function protectedStoreRefusal(error: unknown): string | null {
  for (let current = error, depth = 0; current instanceof Error && depth < 8; current = current.cause, depth += 1) {
    const detail = REFUSAL.exec(current.message)?.[1];
    if (detail !== undefined) return `${STORE_REFUSED} (${detail})`;
  }
  return null;
}

/** The store's failures as ProtectedStoreRefusedError, so that login tells them from Entra's refusals. */
function namingRefusals(given: PersistenceProvider): PersistenceProvider {
  const named = (error: unknown) =>
    Promise.reject(new ProtectedStoreRefusedError(errorMessage(error).split('\n')[0] ?? '', { cause: error }));
  return async (options) => {
    const plugin = await given(options).catch(named);
    return {
      beforeCacheAccess: (context) => plugin.beforeCacheAccess(context).catch(named),
      afterCacheAccess: (context) => plugin.afterCacheAccess(context).catch(named),
    };
  };
}

/** The plugin as given, keeping the persistence provider it registers so that logout can empty the cache. */
function keepingProvider(plugin: IdentityPlugin): IdentityPlugin {
  return (context: unknown) => {
    const control = (context as { cachePluginControl?: { setPersistence(provider: unknown): void } }).cachePluginControl;
    if (control === undefined) return plugin(context);
    const setPersistence = (given: unknown) => {
      provider = namingRefusals(given as PersistenceProvider);
      control.setPersistence(provider);
    };
    plugin({ ...(context as object), cachePluginControl: { setPersistence } });
  };
}

/** Registers the plugin with `@azure/identity` once per process; says why not when it cannot. */
export function enableProtectedTokenCache(load: PluginLoader = loadInstalledPlugin): Promise<ProtectedTokenCache> {
  enabled ??= load().then(
    (module): ProtectedTokenCache => {
      const plugin = pluginOf(module);
      if (plugin === null) return { available: false, reason: `${CACHE_PERSISTENCE_PACKAGE} does not export cachePersistencePlugin` };
      useIdentityPlugin(keepingProvider(plugin));
      return { available: true };
    },
    (error: unknown): ProtectedTokenCache => ({ available: false, reason: whyNotLoaded(error) }),
  );
  return enabled;
}

const EMPTY_CACHE = JSON.stringify({ Account: {}, IdToken: {}, AccessToken: {}, RefreshToken: {}, AppMetadata: {} });

/**
 * Empties image-sync's token cache in the protected store, the way MSAL writes it (read under the
 * store's lock, then save): `emptied`, or `no-store` when this machine has none.
 */
export async function emptyProtectedTokenCache(): Promise<'emptied' | 'no-store'> {
  const cache = await enableProtectedTokenCache();
  if (!cache.available || provider === null) return 'no-store';
  const plugin = await provider({ enabled: true, name: TOKEN_CACHE_NAME });
  const access: CacheAccess = { cacheHasChanged: true, tokenCache: { serialize: () => EMPTY_CACHE, deserialize: () => undefined } };
  await plugin.beforeCacheAccess(access);
  await plugin.afterCacheAccess(access);
  return 'emptied';
}
