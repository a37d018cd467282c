// Stands in for the operating system's protected token store, which cannot run on this machine
// (@azure/identity-cache-persistence's keytar needs libsecret): an `@azure/identity` plugin of the
// same shape as the package's `cachePersistencePlugin`, keeping MSAL's serialized cache in memory,
// one entry per cache name, shared by every credential of the process. MSAL itself reads and writes it.
interface CacheContext {
  readonly cacheHasChanged: boolean;
  readonly tokenCache: { serialize(): string; deserialize(cache: string): void };
}

interface PersistenceContext {
  readonly cachePluginControl: {
    setPersistence(provider: (options: { name?: string }) => Promise<unknown>): void;
  };
}

export interface MemoryTokenStore {
  /** The module `enableProtectedTokenCache` loads in place of the package. */
  readonly module: { readonly cachePersistencePlugin: (context: unknown) => void };
  /** Cache name → MSAL's serialized cache. */
  readonly entries: Map<string, string>;
  /** While true, every access fails as a locked keyring or a missing D-Bus session does. */
  refuse: boolean;
}

export function memoryTokenStore(): MemoryTokenStore {
  const entries = new Map<string, string>();
  const store: MemoryTokenStore = { module: { cachePersistencePlugin: (context) => plugin(context) }, entries, refuse: false };
  const refusal = () => Promise.reject(new Error('Cannot create an item in a locked collection'));
  const plugin = (context: unknown) => {
    (context as PersistenceContext).cachePluginControl.setPersistence((options) => {
      const name = options.name ?? 'msal.cache';
      return Promise.resolve({
        beforeCacheAccess(cacheContext: CacheContext) {
          if (store.refuse) return refusal();
          const stored = entries.get(name);
          if (stored !== undefined) cacheContext.tokenCache.deserialize(stored);
          return Promise.resolve();
        },
        afterCacheAccess(cacheContext: CacheContext) {
          if (store.refuse) return refusal();
          if (cacheContext.cacheHasChanged) entries.set(name, cacheContext.tokenCache.serialize());
          return Promise.resolve();
        },
      });
    });
  };
  return store;
}
