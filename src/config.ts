// The app's settings: src/settings/ holds the list (settings.json) and one module per concern; this
// module is where the rest of the code imports them from.
export { ConfigError, type Environment } from './settings/configError';
export { DEFAULTS } from './settings/defaults';
export { type EndpointsPart } from './settings/endpoints';
export { type GalleryPart, type GallerySettings, type GallerySourceMode, type StagingResourceGroup } from './settings/gallery';
export { type LifecyclePart, MAX_KEEP_VERSIONS, MAX_PATCH_LAG, MAX_TENANT_IMAGE_LIMIT } from './settings/lifecycle';
export * from './settings/loadConfig';
export { type PollingPart } from './settings/polling';
export { type QueuesPart, bindingSetting } from './settings/queues';
export { isLoopbackUrl } from './settings/read';
export { type Discovery, type ImageScope, MAX_SUBSCRIPTION_CONCURRENCY, type ScopePart } from './settings/scope';
export {
  type EnvironmentIdentityVariables,
  type SignInSettings,
  environmentIdentityVariables,
  loadSignInSettings,
} from './settings/signIn';
export { type StorageConfig, type StoragePart } from './settings/storage';
