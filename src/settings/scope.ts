// Which images are looked at: subscriptions, resource groups, the opt-in tag, and how they are found.
import { z } from 'zod';
import type { Environment } from './configError';
import { GUID, list, oneOf, orListDefault, raw, required, wholeNumber } from './read';
import { parseSettings, refusal, refuse } from './schema';

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
const SUBSCRIPTIONS_FIX =
  'set a comma-separated list of subscription IDs (GUIDs), e.g. 11111111-1111-4111-8111-111111111111,22222222-2222-4222-8222-222222222222';
/** `IMAGE_SYNC_SUBSCRIPTION_IDS=*`: every readable subscription. */
const EVERY_SUBSCRIPTION = '*';

const discovery = oneOf(
  DISCOVERY_MODES,
  (value) => `"${value}" is not a discovery mode`,
  'set arm (the default: list images per subscription) or resource-graph (one Azure Resource Graph query)',
);

/** The subscriptions to scan: listed ones (duplicates dropped), or `*` (every readable one). */
const subscriptionIds = z.string().transform((value, context): string[] | typeof EVERY_SUBSCRIPTION => {
  const ids = list(value);
  if (ids.length === 0) return refuse(context, 'lists no subscription', SUBSCRIPTIONS_FIX);
  if (ids.includes(EVERY_SUBSCRIPTION)) {
    if (ids.length > 1) {
      return refuse(
        context,
        `"${value}" mixes * with subscription IDs`,
        'set * alone (every subscription the identity can read) or list subscription IDs only',
      );
    }
    return EVERY_SUBSCRIPTION;
  }
  const wrong = ids.find((id) => !GUID.test(id));
  if (wrong !== undefined) return refuse(context, `"${wrong}" is not a subscription ID`, SUBSCRIPTIONS_FIX);
  return [...new Map(ids.map((id) => [id.toLowerCase(), id])).values()];
});

const resourceGroup = z.string().refine(
  (value) => RESOURCE_GROUP.test(value),
  refusal(
    (value) => `"${value}" is not a resource group name`,
    'list resource group names separated by commas (letters, digits, - _ . ( ), up to 90 characters), or remove it to scan every group',
  ),
);

/** Unset or an empty list: every resource group (null). */
const resourceGroups = raw
  .pipe(z.string().transform(list).pipe(z.array(resourceGroup)).optional())
  .transform((groups) => (groups === undefined || groups.length === 0 ? null : groups));

const tag = z.string().transform((value, context): ImageScope => {
  if (value === '*') return { kind: 'all' };
  const at = value.indexOf('=');
  const name = at > 0 ? value.slice(0, at).trim() : '';
  const tagValue = at > 0 ? value.slice(at + 1).trim() : '';
  if (name === '' || tagValue === '' || /[<>%&\\?/]/.test(name)) {
    return refuse(
      context,
      `"${value}" is not key=value`,
      'set the opt-in tag as key=value (e.g. cloudpc-sync=true), or * to take every image in scope',
    );
  }
  return { kind: 'tag', name, value: tagValue };
});

const scopeSchema = z
  .object({
    IMAGE_SYNC_DISCOVERY: orListDefault('IMAGE_SYNC_DISCOVERY', discovery),
    IMAGE_SYNC_SUBSCRIPTION_IDS: required(
      subscriptionIds,
      `${SUBSCRIPTIONS_FIX}, or * with IMAGE_SYNC_DISCOVERY=resource-graph for every subscription the identity can read`,
    ),
    IMAGE_SYNC_RESOURCE_GROUPS: resourceGroups,
    IMAGE_SYNC_TAG: orListDefault('IMAGE_SYNC_TAG', tag),
    IMAGE_SYNC_SUBSCRIPTION_CONCURRENCY: wholeNumber('IMAGE_SYNC_SUBSCRIPTION_CONCURRENCY', 1, MAX_SUBSCRIPTION_CONCURRENCY),
  })
  .transform((settings, context): ScopePart => {
    const subscriptions = settings.IMAGE_SYNC_SUBSCRIPTION_IDS;
    const all = subscriptions === EVERY_SUBSCRIPTION;
    if (all && settings.IMAGE_SYNC_DISCOVERY !== 'resource-graph') {
      return refuse(
        context,
        '* (every subscription the identity can read) needs IMAGE_SYNC_DISCOVERY=resource-graph: listing through ARM goes subscription by subscription and needs them named',
        'set IMAGE_SYNC_DISCOVERY=resource-graph, or list the subscription IDs (comma-separated GUIDs)',
        'IMAGE_SYNC_SUBSCRIPTION_IDS',
      );
    }
    const groups = settings.IMAGE_SYNC_RESOURCE_GROUPS;
    return {
      subscriptionIds: Object.freeze(all ? [] : subscriptions),
      allSubscriptions: all,
      resourceGroups: groups === null ? null : Object.freeze(groups),
      scope: Object.freeze(settings.IMAGE_SYNC_TAG),
      discovery: settings.IMAGE_SYNC_DISCOVERY,
      subscriptionConcurrency: settings.IMAGE_SYNC_SUBSCRIPTION_CONCURRENCY,
    };
  });

export function loadScope(env: Environment): ScopePart {
  return parseSettings(scopeSchema, env);
}
