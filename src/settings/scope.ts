// Which images are looked at: subscriptions, resource groups, the opt-in tag, and how they are found.
import { ConfigError, type Environment } from './configError';
import { textDefault } from './list';
import { GUID, integer, list, oneOf, text } from './read';

export type ImageScope = { readonly kind: 'all' } | { readonly kind: 'tag'; readonly name: string; readonly value: string };

export type Discovery = 'arm' | 'resource-graph';

export interface ScopePart {
  /** The listed subscriptions; empty when allSubscriptions (`IMAGE_SYNC_SUBSCRIPTION_IDS=*`). */
  readonly subscriptionIds: readonly string[];
  /**
   * `IMAGE_SYNC_SUBSCRIPTION_IDS=*`: every subscription the identity can read, as Azure Resource
   * Graph sees them (allowed only with `IMAGE_SYNC_DISCOVERY=resource-graph`).
   */
  readonly allSubscriptions: boolean;
  /** null: every resource group. */
  readonly resourceGroups: readonly string[] | null;
  readonly scope: ImageScope;
  /** How tagged images are found: ARM per subscription (default), or one Azure Resource Graph query. */
  readonly discovery: Discovery;
  readonly subscriptionConcurrency: number;
}

/**
 * ARM throttles reads per subscription, so listing many subscriptions at once stays within its
 * limits; 256 covers an estate's every subscription in one round (docs/performance.md).
 */
export const MAX_SUBSCRIPTION_CONCURRENCY = 256;

const RESOURCE_GROUP = /^[-\w._()]{1,90}$/;
const DISCOVERY_MODES = ['arm', 'resource-graph'] as const;

export function loadScope(env: Environment): ScopePart {
  const discoveryMode = discovery(env);
  const subscriptions = subscriptionIds(env, discoveryMode);
  const groups = resourceGroups(env);
  return {
    subscriptionIds: Object.freeze(subscriptions.ids),
    allSubscriptions: subscriptions.all,
    resourceGroups: groups === null ? null : Object.freeze(groups),
    scope: Object.freeze(scope(env)),
    discovery: discoveryMode,
    subscriptionConcurrency: integer(env, 'IMAGE_SYNC_SUBSCRIPTION_CONCURRENCY', 1, MAX_SUBSCRIPTION_CONCURRENCY),
  };
}

function discovery(env: Environment): Discovery {
  const raw = text(env, 'IMAGE_SYNC_DISCOVERY') ?? textDefault('IMAGE_SYNC_DISCOVERY');
  return oneOf(
    raw,
    DISCOVERY_MODES,
    () =>
      new ConfigError(
        'IMAGE_SYNC_DISCOVERY',
        `"${raw}" is not a discovery mode`,
        'set arm (the default: list images per subscription) or resource-graph (one Azure Resource Graph query)',
      ),
  );
}

/** The subscriptions to scan: listed ones, or `*` (every readable one; Resource Graph discovery only). */
function subscriptionIds(env: Environment, mode: Discovery): { readonly ids: string[]; readonly all: boolean } {
  const raw = text(env, 'IMAGE_SYNC_SUBSCRIPTION_IDS');
  const fix =
    'set a comma-separated list of subscription IDs (GUIDs), e.g. 11111111-1111-4111-8111-111111111111,22222222-2222-4222-8222-222222222222';
  if (raw === undefined)
    throw new ConfigError(
      'IMAGE_SYNC_SUBSCRIPTION_IDS',
      'is not set',
      `${fix}, or * with IMAGE_SYNC_DISCOVERY=resource-graph for every subscription the identity can read`,
    );
  const ids = list(raw);
  if (ids.length === 0) throw new ConfigError('IMAGE_SYNC_SUBSCRIPTION_IDS', 'lists no subscription', fix);
  if (ids.includes('*')) {
    if (ids.length > 1)
      throw new ConfigError(
        'IMAGE_SYNC_SUBSCRIPTION_IDS',
        `"${raw}" mixes * with subscription IDs`,
        'set * alone (every subscription the identity can read) or list subscription IDs only',
      );
    if (mode !== 'resource-graph') {
      throw new ConfigError(
        'IMAGE_SYNC_SUBSCRIPTION_IDS',
        '* (every subscription the identity can read) needs IMAGE_SYNC_DISCOVERY=resource-graph: listing through ARM goes subscription by subscription and needs them named',
        'set IMAGE_SYNC_DISCOVERY=resource-graph, or list the subscription IDs (comma-separated GUIDs)',
      );
    }
    return { ids: [], all: true };
  }
  for (const id of ids) {
    if (!GUID.test(id)) throw new ConfigError('IMAGE_SYNC_SUBSCRIPTION_IDS', `"${id}" is not a subscription ID`, fix);
  }
  const unique = new Map(ids.map((id) => [id.toLowerCase(), id]));
  return { ids: [...unique.values()], all: false };
}

function resourceGroups(env: Environment): string[] | null {
  const raw = text(env, 'IMAGE_SYNC_RESOURCE_GROUPS');
  if (raw === undefined) return null;
  const groups = list(raw);
  if (groups.length === 0) return null;
  for (const group of groups) {
    if (!RESOURCE_GROUP.test(group)) {
      throw new ConfigError(
        'IMAGE_SYNC_RESOURCE_GROUPS',
        `"${group}" is not a resource group name`,
        'list resource group names separated by commas (letters, digits, - _ . ( ), up to 90 characters), or remove it to scan every group',
      );
    }
  }
  return groups;
}

function scope(env: Environment): ImageScope {
  const raw = text(env, 'IMAGE_SYNC_TAG') ?? textDefault('IMAGE_SYNC_TAG');
  if (raw === '*') return { kind: 'all' };
  const at = raw.indexOf('=');
  const name = at > 0 ? raw.slice(0, at).trim() : '';
  const value = at > 0 ? raw.slice(at + 1).trim() : '';
  if (name === '' || value === '' || /[<>%&\\?/]/.test(name)) {
    throw new ConfigError(
      'IMAGE_SYNC_TAG',
      `"${raw}" is not key=value`,
      'set the opt-in tag as key=value (e.g. cloudpc-sync=true), or * to take every image in scope',
    );
  }
  return { kind: 'tag', name, value };
}
