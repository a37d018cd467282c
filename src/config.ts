// Every setting the app reads, validated once into a frozen Config. Nothing else reads process.env.

export type StorageConfig =
  | { readonly kind: 'connectionString'; readonly connectionString: string }
  | {
      readonly kind: 'identity';
      readonly accountName: string;
      readonly clientId: string | null;
      readonly queueServiceUri: string;
      readonly tableServiceUri: string;
    };

export type ImageScope = { readonly kind: 'all' } | { readonly kind: 'tag'; readonly name: string; readonly value: string };

export interface Config {
  readonly storage: StorageConfig;
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
  readonly schedule: string;
  readonly pollIntervalSeconds: number;
  readonly pollMaxIntervalSeconds: number;
  readonly uploadTimeoutHours: number;
  readonly maxRetryUploads: number;
  readonly registerQueue: string;
  readonly statusQueue: string;
  readonly table: string;
  /** No trailing slash. */
  readonly graphEndpoint: string;
  readonly graphApiVersion: 'v1.0' | 'beta';
  readonly subscriptionConcurrency: number;
  /** No trailing slash. */
  readonly armEndpoint: string;
  readonly alertWebhookUrl: string | null;
  readonly staticToken: string | null;
  /** The standard `AZURE_CLIENT_ID` (user-assigned managed identity), passed to the credential. */
  readonly azureClientId: string | null;
  /** `IMAGE_SYNC_CLIENT_ID`: the public client application a person signs in to with `image-sync login` (DESIGN §19). */
  readonly signInClientId: string | null;
  /** The most custom images the tenant holds, every status counted (DESIGN §13). */
  readonly tenantImageLimit: number;
  /** Retention: newest ready versions kept per display name; 0 = off. */
  readonly keepVersions: number;
  /** Warn this many days before a device image's expirationDate. */
  readonly expiryWarningDays: number;
  /** How long transient failures are retried before an image is recorded failed (transientFailure). */
  readonly transientRetryHours: number;
  /** Whether the cloudpc-provisioning-policies tag points policies at a version once it is ready (DESIGN §13). */
  readonly rollout: boolean;
  /** Rollout rings (DESIGN §18): how long a ring runs a version before the next ring gets it, in hours (decimal). */
  readonly ringSoakHours: number;
  /** Rollout rings: this many Cloud PCs failing on the new version halt the rollout (at least 1). */
  readonly ringMaxFailed: number;
  /** Rollout rings: Cloud PCs that must have provisioned on the new version before the next ring gets it. */
  readonly ringMinProvisioned: number;
  /** How tagged images are found: ARM per subscription (default), or one Azure Resource Graph query. */
  readonly discovery: Discovery;
  /** Image currency (DESIGN §16): warn above this many Patch Tuesdays behind; null (`off`): the catalogue is never read. */
  readonly maxPatchLag: number | null;
  /** One `ImageSyncRebuildNeeded` POST per registration and newer build (DESIGN §16). */
  readonly rebuildWebhookUrl: string | null;
  /** Azure Compute Gallery image versions as sources (DESIGN §17). */
  readonly gallery: GallerySettings;
}

/** `off`: gallery versions are not sources. `copy`: a managed-image copy is registered. `direct`: the version's id is posted (preview). */
export type GallerySourceMode = 'off' | 'copy' | 'direct';

export interface StagingResourceGroup {
  /** `/subscriptions/{id}/resourceGroups/{name}` as configured. */
  readonly id: string;
  readonly subscriptionId: string;
  readonly name: string;
}

export interface GallerySettings {
  readonly mode: GallerySourceMode;
  /** Where `copy` makes its disks and managed images; set exactly when mode is `copy`. */
  readonly stagingResourceGroup: StagingResourceGroup | null;
}

export type Discovery = 'arm' | 'resource-graph';

export type Environment = Readonly<Record<string, string | undefined>>;

/** A setting that is missing or wrong; the message is one line naming the setting and the fix. */
export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    problem: string,
    fix: string,
  ) {
    super(`${setting}: ${problem}. Fix: ${fix}`);
    this.name = 'ConfigError';
  }
}

/**
 * ARM throttles reads per subscription, so listing many subscriptions at once stays within its
 * limits; 256 covers an estate's every subscription in one round (docs/performance.md).
 */
export const MAX_SUBSCRIPTION_CONCURRENCY = 256;

export const DEFAULTS = Object.freeze({
  IMAGE_SYNC_TAG: 'cloudpc-sync=true',
  IMAGE_SYNC_SCHEDULE: '0 */15 * * * *',
  IMAGE_SYNC_POLL_INTERVAL_SECONDS: 300,
  IMAGE_SYNC_POLL_MAX_INTERVAL_SECONDS: 1800,
  IMAGE_SYNC_UPLOAD_TIMEOUT_HOURS: 24,
  IMAGE_SYNC_MAX_RETRY_UPLOADS: 2,
  IMAGE_SYNC_REGISTER_QUEUE: 'image-register',
  IMAGE_SYNC_STATUS_QUEUE: 'image-status',
  IMAGE_SYNC_TABLE: 'imagesync',
  GRAPH_ENDPOINT: 'https://graph.microsoft.com',
  GRAPH_API_VERSION: 'v1.0',
  IMAGE_SYNC_SUBSCRIPTION_CONCURRENCY: 8,
  ARM_ENDPOINT: 'https://management.azure.com',
  IMAGE_SYNC_TENANT_IMAGE_LIMIT: 20,
  IMAGE_SYNC_KEEP_VERSIONS: 0,
  IMAGE_SYNC_EXPIRY_WARNING_DAYS: 30,
  IMAGE_SYNC_TRANSIENT_RETRY_HOURS: 24,
  IMAGE_SYNC_ROLLOUT: false,
  IMAGE_SYNC_RING_SOAK_HOURS: 24,
  IMAGE_SYNC_RING_MAX_FAILED: 1,
  IMAGE_SYNC_RING_MIN_PROVISIONED: 0,
  IMAGE_SYNC_DISCOVERY: 'arm',
  IMAGE_SYNC_MAX_PATCH_LAG: 1,
  IMAGE_SYNC_GALLERY_SOURCES: 'off',
});

/** The catalogue lists the last three Patch Tuesdays; a year is the most a setting can mean. */
export const MAX_PATCH_LAG = 12;

/**
 * Windows 365 holds 20 custom images per tenant today (the default). A larger setting is accepted for
 * a tenant whose limit Microsoft raised, and for the local emulator's large benchmark estates; past
 * the service's own limit Graph refuses the create, which is recorded as tenant-image-limit too.
 */
export const MAX_TENANT_IMAGE_LIMIT = 10_000;
/** More versions than the tenant can hold would keep everything; the default limit bounds the setting. */
export const MAX_KEEP_VERSIONS = 20;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RESOURCE_GROUP = /^[-\w._()]{1,90}$/;
const QUEUE_NAME = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;
const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;
const STORAGE_ACCOUNT = /^[a-z0-9]{3,24}$/;
const NCRONTAB_FIELD = /^[0-9A-Za-z*,/\-?]+$/;
const TIMESPAN = /^\d{1,2}:\d{2}:\d{2}$/;

function text(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

function integer(env: Environment, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(
      name,
      `"${raw}" is not a whole number from ${min} to ${max}`,
      `set a whole number such as ${fallback}, or remove it for the default ${fallback}`,
    );
  }
  return Number(raw);
}

function httpsUrl(env: Environment, name: string, fallback: string | null, example: string, secretFree = true): string | null {
  const raw = text(env, name) ?? fallback;
  if (raw === null) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, secretFree ? `"${raw}" is not a URL` : 'is not a URL', `set an https URL such as ${example}`);
  }
  if (url.protocol !== 'https:') {
    // A webhook's path and query often are its secret: name the origin only.
    throw new ConfigError(
      name,
      `"${secretFree ? raw : `${url.protocol}//${url.host}/…`}" is not https`,
      `use an https URL such as ${example}`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError(name, 'the URL carries credentials', 'remove the user and password from the URL');
  }
  return url.toString().replace(/\/+$/, '');
}

/** Endpoints (not the webhook) must be bare origins: a path would be silently combined with API paths. */
function endpoint(env: Environment, name: string, fallback: string, example: string): string {
  const value = httpsUrl(env, name, fallback, example) ?? fallback;
  const url = new URL(value);
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    throw new ConfigError(name, `"${value}" has a path or query`, `give only the scheme and host, such as ${example}`);
  }
  return url.origin;
}

export function isLoopbackUrl(value: string): boolean {
  const host = new URL(value).hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function storage(env: Environment): StorageConfig {
  const connectionString = text(env, 'AzureWebJobsStorage');
  if (connectionString !== undefined) {
    const usesDevelopmentStorage = /^UseDevelopmentStorage=true/i.test(connectionString);
    if (!usesDevelopmentStorage && !/AccountName=|QueueEndpoint=|TableEndpoint=/i.test(connectionString)) {
      throw new ConfigError(
        'AzureWebJobsStorage',
        'is not a storage connection string',
        'set "UseDevelopmentStorage=true" for Azurite, a connection string from the storage account\'s Access keys, or use AzureWebJobsStorage__accountName with a managed identity',
      );
    }
    return { kind: 'connectionString', connectionString };
  }
  const accountName = text(env, 'AzureWebJobsStorage__accountName');
  if (accountName === undefined) {
    throw new ConfigError(
      'AzureWebJobsStorage',
      'is not set',
      'set AzureWebJobsStorage to a connection string ("UseDevelopmentStorage=true" for Azurite), or AzureWebJobsStorage__accountName to the storage account name for identity-based access',
    );
  }
  if (!STORAGE_ACCOUNT.test(accountName)) {
    throw new ConfigError(
      'AzureWebJobsStorage__accountName',
      `"${accountName}" is not a storage account name`,
      'use the account name only (3-24 lower-case letters and digits), not a URL',
    );
  }
  const credential = text(env, 'AzureWebJobsStorage__credential');
  if (credential !== undefined && credential.toLowerCase() !== 'managedidentity') {
    throw new ConfigError('AzureWebJobsStorage__credential', `"${credential}" is not supported`, 'set "managedidentity" or remove it');
  }
  const clientId = text(env, 'AzureWebJobsStorage__clientId') ?? null;
  if (clientId !== null && !GUID.test(clientId)) {
    throw new ConfigError(
      'AzureWebJobsStorage__clientId',
      `"${clientId}" is not a GUID`,
      'set the client ID of the user-assigned managed identity (a GUID)',
    );
  }
  return {
    kind: 'identity',
    accountName,
    clientId,
    queueServiceUri:
      httpsUrl(
        env,
        'AzureWebJobsStorage__queueServiceUri',
        `https://${accountName}.queue.core.windows.net`,
        `https://${accountName}.queue.core.windows.net`,
      ) ?? '',
    tableServiceUri:
      httpsUrl(
        env,
        'AzureWebJobsStorage__tableServiceUri',
        `https://${accountName}.table.core.windows.net`,
        `https://${accountName}.table.core.windows.net`,
      ) ?? '',
  };
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
  const raw = text(env, 'IMAGE_SYNC_TAG') ?? DEFAULTS.IMAGE_SYNC_TAG;
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

function schedule(env: Environment): string {
  const raw = text(env, 'IMAGE_SYNC_SCHEDULE') ?? DEFAULTS.IMAGE_SYNC_SCHEDULE;
  const fields = raw.split(/\s+/);
  const isNcrontab = fields.length === 6 && fields.every((field) => NCRONTAB_FIELD.test(field));
  if (!isNcrontab && !TIMESPAN.test(raw)) {
    throw new ConfigError(
      'IMAGE_SYNC_SCHEDULE',
      `"${raw}" is not an NCRONTAB expression`,
      'use six fields {second} {minute} {hour} {day} {month} {day-of-week}, e.g. "0 */15 * * * *" for every 15 minutes',
    );
  }
  return raw;
}

function queueName(env: Environment, name: string, fallback: string): string {
  const value = text(env, name) ?? fallback;
  if (!QUEUE_NAME.test(value)) {
    throw new ConfigError(
      name,
      `"${value}" is not a valid queue name`,
      `use 3-63 lower-case letters, digits and single hyphens, e.g. ${fallback}`,
    );
  }
  return value;
}

/**
 * Graph's national clouds without Windows 365's device image API (the Cloud PC API reference lists
 * only the global service and US Government L4). Any other host is taken as given: the global
 * service, US Government L4 (`graph.microsoft.us`), the local emulator, or a gateway in front of one.
 */
const GRAPH_CLOUDS_WITHOUT_DEVICE_IMAGES: ReadonlyMap<string, string> = new Map([
  ['dod-graph.microsoft.us', 'US Government L5 (DoD)'],
  ['microsoftgraph.chinacloudapi.cn', 'China (operated by 21Vianet)'],
  ['graph.microsoft.de', 'Microsoft Cloud Germany (closed in 2021)'],
]);

function supportedGraphEndpoint(env: Environment): string {
  const value = endpoint(env, 'GRAPH_ENDPOINT', DEFAULTS.GRAPH_ENDPOINT, 'https://graph.microsoft.us');
  const cloud = GRAPH_CLOUDS_WITHOUT_DEVICE_IMAGES.get(new URL(value).hostname.replace(/\.$/, ''));
  if (cloud !== undefined) {
    throw new ConfigError(
      'GRAPH_ENDPOINT',
      `"${value}" is Microsoft Graph for ${cloud}, where the Cloud PC device image API does not exist`,
      'image-sync runs only where Windows 365 has it: remove GRAPH_ENDPOINT for the global service (https://graph.microsoft.com), or set https://graph.microsoft.us for US Government L4',
    );
  }
  return value;
}

function graphApiVersion(env: Environment): 'v1.0' | 'beta' {
  const raw = text(env, 'GRAPH_API_VERSION') ?? DEFAULTS.GRAPH_API_VERSION;
  if (raw !== 'v1.0' && raw !== 'beta') {
    throw new ConfigError('GRAPH_API_VERSION', `"${raw}" is not a Graph version`, 'set v1.0 (the default) or beta');
  }
  return raw;
}

function flag(env: Environment, name: string, fallback: boolean): boolean {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (/^true$/i.test(raw)) return true;
  if (/^false$/i.test(raw)) return false;
  throw new ConfigError(name, `"${raw}" is not true or false`, `set true or false, or remove it for the default ${fallback}`);
}

/** A soak of hours, decimals allowed (`0.01` is 36 s): tests soak for seconds. At most 30 days. */
function soakHours(env: Environment): number {
  const name = 'IMAGE_SYNC_RING_SOAK_HOURS';
  const raw = text(env, name);
  if (raw === undefined) return DEFAULTS.IMAGE_SYNC_RING_SOAK_HOURS;
  if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) > 720) {
    throw new ConfigError(
      name,
      `"${raw}" is not a number of hours from 0 to 720`,
      `set hours as a decimal number such as 24 or 0.5, or remove it for the default ${DEFAULTS.IMAGE_SYNC_RING_SOAK_HOURS}`,
    );
  }
  return Number(raw);
}

function discovery(env: Environment): Discovery {
  const raw = text(env, 'IMAGE_SYNC_DISCOVERY') ?? DEFAULTS.IMAGE_SYNC_DISCOVERY;
  if (raw !== 'arm' && raw !== 'resource-graph') {
    throw new ConfigError(
      'IMAGE_SYNC_DISCOVERY',
      `"${raw}" is not a discovery mode`,
      'set arm (the default: list images per subscription) or resource-graph (one Azure Resource Graph query)',
    );
  }
  return raw;
}

/** IMAGE_SYNC_MAX_PATCH_LAG: a whole number of Patch Tuesdays, or `off` (null). */
function maxPatchLag(env: Environment): number | null {
  const raw = text(env, 'IMAGE_SYNC_MAX_PATCH_LAG');
  if (raw !== undefined && raw.toLowerCase() === 'off') return null;
  if (raw !== undefined && !(/^\d+$/.test(raw) && Number(raw) <= MAX_PATCH_LAG)) {
    throw new ConfigError(
      'IMAGE_SYNC_MAX_PATCH_LAG',
      `"${raw}" is neither a whole number from 0 to ${MAX_PATCH_LAG} nor off`,
      `set how many Patch Tuesdays a ready image may be behind (e.g. ${DEFAULTS.IMAGE_SYNC_MAX_PATCH_LAG}), off to never read the Windows release catalogue, or remove it for the default ${DEFAULTS.IMAGE_SYNC_MAX_PATCH_LAG}`,
    );
  }
  return raw === undefined ? DEFAULTS.IMAGE_SYNC_MAX_PATCH_LAG : Number(raw);
}

const SIGN_IN_CLIENT_FIX =
  'set the application (client) ID of the public client registration people sign in to (docs/permissions.md, "People at the command line")';

function signInClient(env: Environment): string | null {
  const clientId = text(env, 'IMAGE_SYNC_CLIENT_ID') ?? null;
  if (clientId !== null && !GUID.test(clientId))
    throw new ConfigError('IMAGE_SYNC_CLIENT_ID', `"${clientId}" is not a GUID`, SIGN_IN_CLIENT_FIX);
  return clientId;
}

/** What `image-sync login` needs, and nothing else: a person may sign in before the app's other settings are known. */
export interface SignInSettings {
  readonly clientId: string;
  /** A directory (tenant) ID or a verified domain such as contoso.onmicrosoft.com. */
  readonly tenantId: string;
  /** The standard `AZURE_AUTHORITY_HOST`, no trailing slash: Microsoft Entra ID for the cloud Graph is in. */
  readonly authorityHost: string;
  readonly graphEndpoint: string;
}

const TENANT = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,})$/i;

export function loadSignInSettings(env: Environment): SignInSettings {
  const clientId = signInClient(env);
  if (clientId === null) throw new ConfigError('IMAGE_SYNC_CLIENT_ID', 'is not set, and image-sync login needs it', SIGN_IN_CLIENT_FIX);
  const tenantId = text(env, 'AZURE_TENANT_ID');
  const tenantFix = 'set your directory (tenant) ID, e.g. from `az account show --query tenantId -o tsv`';
  if (tenantId === undefined) throw new ConfigError('AZURE_TENANT_ID', 'is not set, and image-sync login needs it', tenantFix);
  if (!TENANT.test(tenantId)) throw new ConfigError('AZURE_TENANT_ID', `"${tenantId}" is not a tenant ID or domain`, tenantFix);
  return Object.freeze({
    clientId,
    tenantId,
    authorityHost: endpoint(env, 'AZURE_AUTHORITY_HOST', 'https://login.microsoftonline.com', 'https://login.microsoftonline.us'),
    graphEndpoint: supportedGraphEndpoint(env),
  });
}

/** Which of the standard `@azure/identity` variables are set (their values are secrets or paths: only presence). */
export interface EnvironmentIdentityVariables {
  readonly clientId: boolean;
  readonly tenantId: boolean;
  readonly clientSecret: boolean;
  readonly clientCertificate: boolean;
  readonly federatedTokenFile: boolean;
  /** `IDENTITY_ENDPOINT` or `MSI_ENDPOINT`: App Service and Functions publish their managed identity so. */
  readonly managedIdentityEndpoint: boolean;
}

export function environmentIdentityVariables(env: Environment): EnvironmentIdentityVariables {
  const present = (name: string) => text(env, name) !== undefined;
  return Object.freeze({
    clientId: present('AZURE_CLIENT_ID'),
    tenantId: present('AZURE_TENANT_ID'),
    clientSecret: present('AZURE_CLIENT_SECRET'),
    clientCertificate: present('AZURE_CLIENT_CERTIFICATE_PATH'),
    federatedTokenFile: present('AZURE_FEDERATED_TOKEN_FILE'),
    managedIdentityEndpoint: present('IDENTITY_ENDPOINT') || present('MSI_ENDPOINT'),
  });
}

/** Reads and validates every setting; throws ConfigError on the first wrong or missing one. */
const GALLERY_SOURCE_MODES: readonly GallerySourceMode[] = ['off', 'copy', 'direct'];
const STAGING_GROUP =
  /^\/subscriptions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/resourceGroups\/([-\w._()]{1,90})$/i;

function gallerySettings(env: Environment): GallerySettings {
  const raw = (text(env, 'IMAGE_SYNC_GALLERY_SOURCES') ?? DEFAULTS.IMAGE_SYNC_GALLERY_SOURCES).toLowerCase();
  const mode = GALLERY_SOURCE_MODES.find((candidate) => candidate === raw);
  if (mode === undefined) {
    throw new ConfigError(
      'IMAGE_SYNC_GALLERY_SOURCES',
      `"${raw}" is not one of off, copy, direct`,
      'set copy (a managed-image copy of each gallery version, documented APIs only), direct (Windows 365 preview) or off',
    );
  }
  const staging = text(env, 'IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP');
  if (mode !== 'copy') return { mode, stagingResourceGroup: null };
  const example = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-cloudpc-staging';
  if (staging === undefined) {
    throw new ConfigError(
      'IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP',
      'is required with IMAGE_SYNC_GALLERY_SOURCES=copy',
      `set the resource group copies are made in, e.g. ${example}`,
    );
  }
  const match = STAGING_GROUP.exec(staging.replace(/\/+$/, ''));
  if (match === null) {
    throw new ConfigError(
      'IMAGE_SYNC_GALLERY_STAGING_RESOURCE_GROUP',
      `"${staging}" is not a resource group id`,
      `write it as /subscriptions/{subscription GUID}/resourceGroups/{name}, e.g. ${example}`,
    );
  }
  return {
    mode,
    stagingResourceGroup: { id: staging.replace(/\/+$/, ''), subscriptionId: match[1]!.toLowerCase(), name: match[2]! },
  };
}

export function loadConfig(env: Environment): Config {
  const storageConfig = storage(env);
  const discoveryMode = discovery(env);
  const subscriptions = subscriptionIds(env, discoveryMode);
  const pollIntervalSeconds = integer(env, 'IMAGE_SYNC_POLL_INTERVAL_SECONDS', DEFAULTS.IMAGE_SYNC_POLL_INTERVAL_SECONDS, 1, 7 * 24 * 3600);
  const pollMaxIntervalSeconds = integer(
    env,
    'IMAGE_SYNC_POLL_MAX_INTERVAL_SECONDS',
    DEFAULTS.IMAGE_SYNC_POLL_MAX_INTERVAL_SECONDS,
    1,
    7 * 24 * 3600,
  );
  if (pollMaxIntervalSeconds < pollIntervalSeconds) {
    throw new ConfigError(
      'IMAGE_SYNC_POLL_MAX_INTERVAL_SECONDS',
      `${pollMaxIntervalSeconds} is below IMAGE_SYNC_POLL_INTERVAL_SECONDS (${pollIntervalSeconds})`,
      'set it at least as large as the poll interval',
    );
  }
  const registerQueue = queueName(env, 'IMAGE_SYNC_REGISTER_QUEUE', DEFAULTS.IMAGE_SYNC_REGISTER_QUEUE);
  const statusQueue = queueName(env, 'IMAGE_SYNC_STATUS_QUEUE', DEFAULTS.IMAGE_SYNC_STATUS_QUEUE);
  if (registerQueue === statusQueue) {
    throw new ConfigError(
      'IMAGE_SYNC_STATUS_QUEUE',
      `is the same queue as IMAGE_SYNC_REGISTER_QUEUE ("${statusQueue}")`,
      'give the two queues different names',
    );
  }
  const table = text(env, 'IMAGE_SYNC_TABLE') ?? DEFAULTS.IMAGE_SYNC_TABLE;
  if (!TABLE_NAME.test(table)) {
    throw new ConfigError(
      'IMAGE_SYNC_TABLE',
      `"${table}" is not a valid table name`,
      'use 3-63 letters and digits, starting with a letter, e.g. imagesync',
    );
  }
  const graphEndpoint = supportedGraphEndpoint(env);
  const armEndpoint = endpoint(env, 'ARM_ENDPOINT', DEFAULTS.ARM_ENDPOINT, 'https://management.usgovcloudapi.net');
  const staticToken = text(env, 'IMAGE_SYNC_STATIC_TOKEN') ?? null;
  if (staticToken !== null && !(isLoopbackUrl(graphEndpoint) && isLoopbackUrl(armEndpoint))) {
    throw new ConfigError(
      'IMAGE_SYNC_STATIC_TOKEN',
      'is only for local emulators, and GRAPH_ENDPOINT and ARM_ENDPOINT are not both loopback',
      'remove IMAGE_SYNC_STATIC_TOKEN to sign in with Azure identity (managed identity in Azure)',
    );
  }
  const azureClientId = text(env, 'AZURE_CLIENT_ID') ?? null;
  if (azureClientId !== null && !GUID.test(azureClientId)) {
    throw new ConfigError(
      'AZURE_CLIENT_ID',
      `"${azureClientId}" is not a GUID`,
      'set the client ID of the user-assigned managed identity or app registration',
    );
  }

  const signInClientId = signInClient(env);

  return Object.freeze({
    storage: Object.freeze(storageConfig),
    subscriptionIds: Object.freeze(subscriptions.ids),
    allSubscriptions: subscriptions.all,
    resourceGroups: ((groups) => (groups === null ? null : Object.freeze(groups)))(resourceGroups(env)),
    scope: Object.freeze(scope(env)),
    schedule: schedule(env),
    pollIntervalSeconds,
    pollMaxIntervalSeconds,
    uploadTimeoutHours: integer(env, 'IMAGE_SYNC_UPLOAD_TIMEOUT_HOURS', DEFAULTS.IMAGE_SYNC_UPLOAD_TIMEOUT_HOURS, 1, 24 * 30),
    maxRetryUploads: integer(env, 'IMAGE_SYNC_MAX_RETRY_UPLOADS', DEFAULTS.IMAGE_SYNC_MAX_RETRY_UPLOADS, 0, 10),
    registerQueue,
    statusQueue,
    table,
    graphEndpoint,
    graphApiVersion: graphApiVersion(env),
    subscriptionConcurrency: integer(
      env,
      'IMAGE_SYNC_SUBSCRIPTION_CONCURRENCY',
      DEFAULTS.IMAGE_SYNC_SUBSCRIPTION_CONCURRENCY,
      1,
      MAX_SUBSCRIPTION_CONCURRENCY,
    ),
    armEndpoint,
    alertWebhookUrl: httpsUrl(env, 'IMAGE_SYNC_ALERT_WEBHOOK_URL', null, 'https://example.org/hooks/image-sync', false),
    staticToken,
    azureClientId,
    signInClientId,
    tenantImageLimit: integer(env, 'IMAGE_SYNC_TENANT_IMAGE_LIMIT', DEFAULTS.IMAGE_SYNC_TENANT_IMAGE_LIMIT, 1, MAX_TENANT_IMAGE_LIMIT),
    keepVersions: integer(env, 'IMAGE_SYNC_KEEP_VERSIONS', DEFAULTS.IMAGE_SYNC_KEEP_VERSIONS, 0, MAX_KEEP_VERSIONS),
    expiryWarningDays: integer(env, 'IMAGE_SYNC_EXPIRY_WARNING_DAYS', DEFAULTS.IMAGE_SYNC_EXPIRY_WARNING_DAYS, 0, 3650),
    // A queue message lives at most 7 days per send, but each retry is a new send: a week is a bound people understand.
    transientRetryHours: integer(env, 'IMAGE_SYNC_TRANSIENT_RETRY_HOURS', DEFAULTS.IMAGE_SYNC_TRANSIENT_RETRY_HOURS, 1, 168),
    rollout: flag(env, 'IMAGE_SYNC_ROLLOUT', DEFAULTS.IMAGE_SYNC_ROLLOUT),
    ringSoakHours: soakHours(env),
    // 0 would halt every rollout before its first Cloud PC: at least one failure halts.
    ringMaxFailed: integer(env, 'IMAGE_SYNC_RING_MAX_FAILED', DEFAULTS.IMAGE_SYNC_RING_MAX_FAILED, 1, 10_000),
    ringMinProvisioned: integer(env, 'IMAGE_SYNC_RING_MIN_PROVISIONED', DEFAULTS.IMAGE_SYNC_RING_MIN_PROVISIONED, 0, 10_000),
    discovery: discoveryMode,
    maxPatchLag: maxPatchLag(env),
    rebuildWebhookUrl: httpsUrl(
      env,
      'IMAGE_SYNC_REBUILD_WEBHOOK_URL',
      null,
      'https://api.github.com/repos/contoso/images/dispatches',
      false,
    ),
    gallery: Object.freeze(gallerySettings(env)),
  });
}

/**
 * A trigger setting for the Functions host: `%NAME%` (resolved by the host from app settings) when
 * the setting is present, else the documented default, so an app without the setting still starts.
 */
export function bindingSetting(
  env: Environment,
  name: 'IMAGE_SYNC_SCHEDULE' | 'IMAGE_SYNC_REGISTER_QUEUE' | 'IMAGE_SYNC_STATUS_QUEUE',
): string {
  return text(env, name) === undefined ? String(DEFAULTS[name]) : `%${name}%`;
}
