// Every setting the app reads, validated once into a frozen Config, one concern at a time.
// Nothing else reads process.env.
import type { Environment } from './configError';
import { type EndpointsPart, loadEndpoints } from './endpoints';
import { type GalleryPart, loadGallery } from './gallery';
import { type LifecyclePart, loadLifecycle } from './lifecycle';
import { type PollingPart, loadPolling } from './polling';
import { type QueuesPart, loadQueues } from './queues';
import { type ScopePart, loadScope } from './scope';
import { type StoragePart, loadStorage } from './storage';

/** The whole config, flat: each concern's part (src/settings/<concern>.ts) side by side. */
export interface Config extends StoragePart, ScopePart, QueuesPart, EndpointsPart, PollingPart, LifecyclePart, GalleryPart {}

/** Reads and validates every setting; throws ConfigError on the first wrong or missing one. */
export function loadConfig(env: Environment): Config {
  return Object.freeze({
    ...loadStorage(env),
    ...loadScope(env),
    ...loadPolling(env),
    ...loadQueues(env),
    ...loadEndpoints(env),
    ...loadLifecycle(env),
    ...loadGallery(env),
  });
}

/**
 * What each adapter needs of the config, and no more (storage takes StorageConfig, the status check
 * PollingPart): an adapter's options name its slice, never the whole Config (test/unit/settings/slices.test.ts).
 */
export type ArmSettings = Pick<Config, 'armEndpoint'>;
/** ARM's listing of gallery versions: which subscriptions and groups, and how many subscriptions at once. */
export type ArmDiscoverySettings = Pick<Config, 'armEndpoint' | 'subscriptionIds' | 'resourceGroups' | 'subscriptionConcurrency'>;
/** ARM's listing of managed images: the same, and the opt-in tag it keeps images by. */
export type ArmImageDiscoverySettings = ArmDiscoverySettings & Pick<Config, 'scope'>;
export type ResourceGraphDiscoverySettings = Pick<
  Config,
  'armEndpoint' | 'subscriptionIds' | 'allSubscriptions' | 'resourceGroups' | 'scope'
>;
export type GraphSettings = Pick<Config, 'graphEndpoint' | 'graphApiVersion'>;
export type CredentialSettings = Pick<Config, 'staticToken' | 'azureClientId'>;
/** The alerter takes the two URLs as its own options (webhookUrl, rebuildWebhookUrl). */
export type AlertSettings = Pick<Config, 'alertWebhookUrl' | 'rebuildWebhookUrl'>;
/** The gallery copy adapter (IMAGE_SYNC_GALLERY_SOURCES=copy, DESIGN §17). */
export type GallerySourceSettings = Pick<Config, 'armEndpoint' | 'gallery'>;
