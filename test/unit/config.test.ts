import { describe, expect, it } from 'vitest';
import { ConfigError, environmentIdentityVariables, loadConfig, loadSignInSettings } from '../../src/config';
import { SETTINGS } from '../../src/settings/list';

const SUB_A = '11111111-1111-4111-8111-111111111111';
const SUB_B = '22222222-2222-4222-8222-222222222222';
const minimal = { AzureWebJobsStorage: 'UseDevelopmentStorage=true', IMAGE_SYNC_SUBSCRIPTION_IDS: SUB_A };

function failure(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies every documented default when only the required settings are given', () => {
    const config = loadConfig(minimal);
    expect(config).toMatchObject({
      storage: { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' },
      subscriptionIds: [SUB_A],
      resourceGroups: null,
      scope: { kind: 'tag', name: 'cloudpc-sync', value: 'true' },
      schedule: '0 */15 * * * *',
      pollIntervalSeconds: 300,
      pollMaxIntervalSeconds: 1800,
      uploadTimeoutHours: 24,
      maxRetryUploads: 2,
      registerQueue: 'image-register',
      statusQueue: 'image-status',
      table: 'imagesync',
      graphEndpoint: 'https://graph.microsoft.com',
      graphApiVersion: 'v1.0',
      subscriptionConcurrency: 8,
      armEndpoint: 'https://management.azure.com',
      alertWebhookUrl: null,
      staticToken: null,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads lists, trims them and drops duplicate subscriptions', () => {
    const config = loadConfig({
      ...minimal,
      IMAGE_SYNC_SUBSCRIPTION_IDS: ` ${SUB_A}, ${SUB_B},${SUB_A.toUpperCase()} `,
      IMAGE_SYNC_RESOURCE_GROUPS: 'rg-images, RG-Build',
    });
    expect(config.subscriptionIds).toEqual([SUB_A.toUpperCase(), SUB_B]);
    expect(config.resourceGroups).toEqual(['rg-images', 'RG-Build']);
  });

  it('takes every image in scope for the tag *', () => {
    expect(loadConfig({ ...minimal, IMAGE_SYNC_TAG: '*' }).scope).toEqual({ kind: 'all' });
  });

  it('accepts identity-based storage with the account name only', () => {
    const config = loadConfig({
      IMAGE_SYNC_SUBSCRIPTION_IDS: SUB_A,
      AzureWebJobsStorage__accountName: 'stimagesync',
      AzureWebJobsStorage__credential: 'managedidentity',
      AzureWebJobsStorage__clientId: SUB_B,
    });
    expect(config.storage).toEqual({
      kind: 'identity',
      accountName: 'stimagesync',
      clientId: SUB_B,
      queueServiceUri: 'https://stimagesync.queue.core.windows.net',
      tableServiceUri: 'https://stimagesync.table.core.windows.net',
    });
  });

  it('accepts national-cloud endpoints and strips a trailing slash', () => {
    const config = loadConfig({
      ...minimal,
      GRAPH_ENDPOINT: 'https://graph.microsoft.us/',
      ARM_ENDPOINT: 'https://management.usgovcloudapi.net',
    });
    expect(config.graphEndpoint).toBe('https://graph.microsoft.us');
    expect(config.armEndpoint).toBe('https://management.usgovcloudapi.net');
  });

  it('accepts a static token when both endpoints are loopback', () => {
    const config = loadConfig({
      ...minimal,
      GRAPH_ENDPOINT: 'https://127.0.0.1:8443',
      ARM_ENDPOINT: 'https://localhost:8443',
      IMAGE_SYNC_STATIC_TOKEN: 'emulator-token',
    });
    expect(config.staticToken).toBe('emulator-token');
  });

  const invalid: [string, Record<string, string>, RegExp][] = [
    ['missing storage', { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB_A }, /^AzureWebJobsStorage: is not set\. Fix: /],
    [
      'storage that is not a connection string',
      { ...minimal, AzureWebJobsStorage: 'hello' },
      /^AzureWebJobsStorage: is not a storage connection string/,
    ],
    [
      'a storage account given as a URL',
      { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB_A, AzureWebJobsStorage__accountName: 'https://x.blob.core.windows.net' },
      /^AzureWebJobsStorage__accountName: /,
    ],
    [
      'an unknown storage credential',
      { IMAGE_SYNC_SUBSCRIPTION_IDS: SUB_A, AzureWebJobsStorage__accountName: 'stx', AzureWebJobsStorage__credential: 'connectionstring' },
      /^AzureWebJobsStorage__credential: /,
    ],
    ['missing subscriptions', { AzureWebJobsStorage: 'UseDevelopmentStorage=true' }, /^IMAGE_SYNC_SUBSCRIPTION_IDS: is not set/],
    [
      'an empty subscription list',
      { ...minimal, IMAGE_SYNC_SUBSCRIPTION_IDS: ' , ' },
      /^IMAGE_SYNC_SUBSCRIPTION_IDS: lists no subscription/,
    ],
    [
      'a subscription that is not a GUID',
      { ...minimal, IMAGE_SYNC_SUBSCRIPTION_IDS: `${SUB_A},prod` },
      /^IMAGE_SYNC_SUBSCRIPTION_IDS: "prod" is not a subscription ID/,
    ],
    ['a bad resource group', { ...minimal, IMAGE_SYNC_RESOURCE_GROUPS: 'rg/x' }, /^IMAGE_SYNC_RESOURCE_GROUPS: "rg\/x"/],
    ['a tag without a value', { ...minimal, IMAGE_SYNC_TAG: 'cloudpc-sync' }, /^IMAGE_SYNC_TAG: "cloudpc-sync" is not key=value/],
    ['a five-field schedule', { ...minimal, IMAGE_SYNC_SCHEDULE: '*/15 * * * *' }, /^IMAGE_SYNC_SCHEDULE: /],
    [
      'a poll interval that is not a number',
      { ...minimal, IMAGE_SYNC_POLL_INTERVAL_SECONDS: 'five' },
      /^IMAGE_SYNC_POLL_INTERVAL_SECONDS: "five" is not a whole number/,
    ],
    ['a poll interval of zero', { ...minimal, IMAGE_SYNC_POLL_INTERVAL_SECONDS: '0' }, /^IMAGE_SYNC_POLL_INTERVAL_SECONDS: /],
    [
      'a max interval below the interval',
      { ...minimal, IMAGE_SYNC_POLL_INTERVAL_SECONDS: '600', IMAGE_SYNC_POLL_MAX_INTERVAL_SECONDS: '60' },
      /^IMAGE_SYNC_POLL_MAX_INTERVAL_SECONDS: 60 is below/,
    ],
    ['an upload timeout of zero', { ...minimal, IMAGE_SYNC_UPLOAD_TIMEOUT_HOURS: '0' }, /^IMAGE_SYNC_UPLOAD_TIMEOUT_HOURS: /],
    ['negative retry uploads', { ...minimal, IMAGE_SYNC_MAX_RETRY_UPLOADS: '-1' }, /^IMAGE_SYNC_MAX_RETRY_UPLOADS: /],
    [
      'an upper-case queue name',
      { ...minimal, IMAGE_SYNC_REGISTER_QUEUE: 'Image-Register' },
      /^IMAGE_SYNC_REGISTER_QUEUE: "Image-Register" is not a valid queue name/,
    ],
    ['the same queue twice', { ...minimal, IMAGE_SYNC_STATUS_QUEUE: 'image-register' }, /^IMAGE_SYNC_STATUS_QUEUE: is the same queue/],
    ['a table name with a hyphen', { ...minimal, IMAGE_SYNC_TABLE: 'image-sync' }, /^IMAGE_SYNC_TABLE: /],
    [
      'an http Graph endpoint',
      { ...minimal, GRAPH_ENDPOINT: 'http://graph.microsoft.com' },
      /^GRAPH_ENDPOINT: "http:\/\/graph.microsoft.com" is not https/,
    ],
    ['a Graph endpoint with a path', { ...minimal, GRAPH_ENDPOINT: 'https://graph.microsoft.com/v1.0' }, /^GRAPH_ENDPOINT: .* has a path/],
    ['an unknown Graph version', { ...minimal, GRAPH_API_VERSION: 'v2' }, /^GRAPH_API_VERSION: "v2"/],
    ['a concurrency of zero', { ...minimal, IMAGE_SYNC_SUBSCRIPTION_CONCURRENCY: '0' }, /^IMAGE_SYNC_SUBSCRIPTION_CONCURRENCY: /],
    ['a concurrency over 256', { ...minimal, IMAGE_SYNC_SUBSCRIPTION_CONCURRENCY: '257' }, /^IMAGE_SYNC_SUBSCRIPTION_CONCURRENCY: .*256/],
    ['an ARM endpoint that is not a URL', { ...minimal, ARM_ENDPOINT: 'management' }, /^ARM_ENDPOINT: "management" is not a URL/],
    [
      'an http webhook',
      { ...minimal, IMAGE_SYNC_ALERT_WEBHOOK_URL: 'http://hooks.example.org/x' },
      /^IMAGE_SYNC_ALERT_WEBHOOK_URL: .* is not https/,
    ],
    [
      'a static token with a real endpoint',
      { ...minimal, IMAGE_SYNC_STATIC_TOKEN: 't', ARM_ENDPOINT: 'https://127.0.0.1:9' },
      /^IMAGE_SYNC_STATIC_TOKEN: is only for local emulators/,
    ],
    ['a client id that is not a GUID', { ...minimal, AZURE_CLIENT_ID: 'my-identity' }, /^AZURE_CLIENT_ID: /],
  ];

  it.each(invalid)('refuses %s with one line naming the setting and the fix', (_name, env, message) => {
    const error = failure(env);
    expect(error.message).toMatch(message);
    expect(error.message).toContain('Fix: ');
    expect(error.message).not.toContain('\n');
  });

  it('names only the origin of a refused webhook URL, whose path may be its secret', () => {
    const error = failure({
      ...minimal,
      IMAGE_SYNC_ALERT_WEBHOOK_URL: 'http://hooks.example.org/services/T000/B000/very-secret-path?sig=abc',
    });
    expect(error.message).toMatch(/^IMAGE_SYNC_ALERT_WEBHOOK_URL: "http:\/\/hooks\.example\.org\/…" is not https/);
    expect(error.message).not.toMatch(/very-secret-path|sig=abc/);
  });

  it.each([
    ['US Government L5 (DoD)', 'https://dod-graph.microsoft.us'],
    ['China (operated by 21Vianet)', 'https://microsoftgraph.chinacloudapi.cn/'],
    ['Microsoft Cloud Germany (closed in 2021)', 'https://GRAPH.microsoft.de'],
  ])('refuses Microsoft Graph for %s, where the device image API does not exist, naming GRAPH_ENDPOINT', (cloud, endpoint) => {
    const error = failure({ ...minimal, GRAPH_ENDPOINT: endpoint });
    expect(error.setting).toBe('GRAPH_ENDPOINT');
    expect(error.message).toMatch(/^GRAPH_ENDPOINT: "https:\/\/[^"]+" is Microsoft Graph for /);
    expect(error.message).toContain(`for ${cloud}, where the Cloud PC device image API does not exist. Fix: `);
    expect(error.message).toMatch(/https:\/\/graph\.microsoft\.com.*https:\/\/graph\.microsoft\.us/);
    expect(error.message).not.toContain('\n');
  });

  it('refuses an unsupported cloud even written with a port or a trailing dot', () => {
    expect(failure({ ...minimal, GRAPH_ENDPOINT: 'https://dod-graph.microsoft.us:443' }).setting).toBe('GRAPH_ENDPOINT');
    expect(failure({ ...minimal, GRAPH_ENDPOINT: 'https://dod-graph.microsoft.us.' }).setting).toBe('GRAPH_ENDPOINT');
  });

  it.each([
    ['the global service', 'https://graph.microsoft.com', 'https://graph.microsoft.com'],
    ['US Government L4', 'https://graph.microsoft.us', 'https://graph.microsoft.us'],
    ['the local emulator', 'https://127.0.0.1:44101', 'https://127.0.0.1:44101'],
    [
      'another host, taken as a gateway in front of Graph',
      'https://graph-gateway.contoso.example/',
      'https://graph-gateway.contoso.example',
    ],
  ])('accepts %s as GRAPH_ENDPOINT', (_name, endpoint, expected) => {
    expect(loadConfig({ ...minimal, GRAPH_ENDPOINT: endpoint }).graphEndpoint).toBe(expected);
  });

  it('never echoes the static token in its error', () => {
    const error = failure({ ...minimal, IMAGE_SYNC_STATIC_TOKEN: 'very-secret-value' });
    expect(error.message).not.toContain('very-secret-value');
  });
});

describe('lifecycle settings', () => {
  it('default to a limit of 20, retention off and a 30-day expiry warning', () => {
    expect(loadConfig(minimal)).toMatchObject({ tenantImageLimit: 20, keepVersions: 0, expiryWarningDays: 30, transientRetryHours: 24 });
    expect(loadConfig({ ...minimal, IMAGE_SYNC_KEEP_VERSIONS: '3', IMAGE_SYNC_TENANT_IMAGE_LIMIT: '12' })).toMatchObject({
      keepVersions: 3,
      tenantImageLimit: 12,
    });
  });

  it.each([
    ['IMAGE_SYNC_KEEP_VERSIONS', 'two', /IMAGE_SYNC_KEEP_VERSIONS: "two" is not a whole number from 0 to 20/],
    ['IMAGE_SYNC_KEEP_VERSIONS', '1.5', /IMAGE_SYNC_KEEP_VERSIONS: "1.5" is not a whole number/],
    ['IMAGE_SYNC_KEEP_VERSIONS', '21', /IMAGE_SYNC_KEEP_VERSIONS: "21" is not a whole number from 0 to 20/],
    ['IMAGE_SYNC_TENANT_IMAGE_LIMIT', 'twenty', /IMAGE_SYNC_TENANT_IMAGE_LIMIT: "twenty" is not a whole number from 1 to 10000/],
    ['IMAGE_SYNC_TENANT_IMAGE_LIMIT', '0', /IMAGE_SYNC_TENANT_IMAGE_LIMIT: "0" is not a whole number from 1 to 10000/],
    ['IMAGE_SYNC_EXPIRY_WARNING_DAYS', '-1', /IMAGE_SYNC_EXPIRY_WARNING_DAYS: "-1" is not a whole number/],
    ['IMAGE_SYNC_TRANSIENT_RETRY_HOURS', '200', /IMAGE_SYNC_TRANSIENT_RETRY_HOURS: "200" is not a whole number from 1 to 168/],
  ])('refuses %s=%s naming the setting and the fix', (setting, value, message) => {
    const error = failure({ ...minimal, [setting]: value });
    expect(error.message).toMatch(message);
    expect(error.message).toMatch(/Fix: set a whole number/);
  });
});

describe('local.settings.sample.json', () => {
  it('lists every setting the list marks for the sample, and its values pass validation once a subscription is filled in', async () => {
    const fs = await import('node:fs');
    const path = await import('node:path');
    const sample = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../local.settings.sample.json'), 'utf8')) as {
      Values: Record<string, string>;
    };
    const documented = SETTINGS.filter((entry) => entry.sample).map((entry) => entry.name);
    expect(documented.length).toBeGreaterThan(30);
    expect(Object.keys(sample.Values)).toEqual(expect.arrayContaining(documented));
    expect(() => loadConfig({ ...sample.Values, IMAGE_SYNC_SUBSCRIPTION_IDS: SUB_A })).not.toThrow();
  });
});

describe('rollout and discovery settings', () => {
  it('default to no rollout and discovery through ARM', () => {
    expect(loadConfig(minimal)).toMatchObject({ rollout: false, discovery: 'arm' });
    expect(loadConfig({ ...minimal, IMAGE_SYNC_ROLLOUT: 'TRUE', IMAGE_SYNC_DISCOVERY: 'resource-graph' })).toMatchObject({
      rollout: true,
      discovery: 'resource-graph',
    });
    expect(loadConfig({ ...minimal, IMAGE_SYNC_ROLLOUT: 'false' }).rollout).toBe(false);
  });

  it.each([
    ['IMAGE_SYNC_ROLLOUT', 'yes', /IMAGE_SYNC_ROLLOUT: "yes" is not true or false\. Fix: set true or false/],
    ['IMAGE_SYNC_DISCOVERY', 'graph', /IMAGE_SYNC_DISCOVERY: "graph" is not a discovery mode\. Fix: set arm .* or resource-graph/],
  ])('refuses %s=%s naming the setting and the fix', (setting, value, message) => {
    expect(failure({ ...minimal, [setting]: value }).message).toMatch(message);
  });
});

describe('image currency settings (DESIGN §16)', () => {
  it('default to a lag of 1 and no rebuild webhook; off disables the catalogue read', () => {
    expect(loadConfig(minimal)).toMatchObject({ maxPatchLag: 1, rebuildWebhookUrl: null });
    expect(loadConfig({ ...minimal, IMAGE_SYNC_MAX_PATCH_LAG: '0' }).maxPatchLag).toBe(0);
    expect(loadConfig({ ...minimal, IMAGE_SYNC_MAX_PATCH_LAG: ' OFF ' }).maxPatchLag).toBeNull();
    expect(
      loadConfig({ ...minimal, IMAGE_SYNC_REBUILD_WEBHOOK_URL: 'https://api.github.com/repos/contoso/images/dispatches' })
        .rebuildWebhookUrl,
    ).toBe('https://api.github.com/repos/contoso/images/dispatches');
  });

  it.each([
    [
      'IMAGE_SYNC_MAX_PATCH_LAG',
      'two',
      /^IMAGE_SYNC_MAX_PATCH_LAG: "two" is neither a whole number from 0 to 12 nor off\. Fix: set how many Patch Tuesdays/,
    ],
    [
      'IMAGE_SYNC_MAX_PATCH_LAG',
      '13',
      /^IMAGE_SYNC_MAX_PATCH_LAG: "13" is neither .* Fix: .* off to never read the Windows release catalogue/,
    ],
    ['IMAGE_SYNC_MAX_PATCH_LAG', '-1', /^IMAGE_SYNC_MAX_PATCH_LAG: "-1" is neither/],
    [
      'IMAGE_SYNC_REBUILD_WEBHOOK_URL',
      'http://hooks.example.org/rebuild?sig=secret',
      /^IMAGE_SYNC_REBUILD_WEBHOOK_URL: "http:\/\/hooks\.example\.org\/…" is not https\. Fix: use an https URL/,
    ],
    ['IMAGE_SYNC_REBUILD_WEBHOOK_URL', 'not a url', /^IMAGE_SYNC_REBUILD_WEBHOOK_URL: is not a URL\. Fix: set an https URL/],
  ])('refuses %s=%s naming the setting and the fix (never the secret part of a URL)', (setting, value, message) => {
    const error = failure({ ...minimal, [setting]: value });
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('secret');
  });
});

describe('rollout ring settings', () => {
  it('default to a day of soak, one failure halts, no minimum; the soak takes decimal hours', () => {
    expect(loadConfig(minimal)).toMatchObject({ ringSoakHours: 24, ringMaxFailed: 1, ringMinProvisioned: 0 });
    expect(
      loadConfig({ ...minimal, IMAGE_SYNC_RING_SOAK_HOURS: '0.01', IMAGE_SYNC_RING_MAX_FAILED: '3', IMAGE_SYNC_RING_MIN_PROVISIONED: '5' }),
    ).toMatchObject({ ringSoakHours: 0.01, ringMaxFailed: 3, ringMinProvisioned: 5 });
  });

  it.each([
    [
      'IMAGE_SYNC_RING_SOAK_HOURS',
      '1,5',
      /IMAGE_SYNC_RING_SOAK_HOURS: "1,5" is not a number of hours from 0 to 720\. Fix: set hours as a decimal number/,
    ],
    ['IMAGE_SYNC_RING_SOAK_HOURS', '-1', /IMAGE_SYNC_RING_SOAK_HOURS: "-1" is not a number of hours/],
    [
      'IMAGE_SYNC_RING_MAX_FAILED',
      '0',
      /IMAGE_SYNC_RING_MAX_FAILED: "0" is not a whole number from 1 to 10000\. Fix: set a whole number such as 1/,
    ],
    ['IMAGE_SYNC_RING_MIN_PROVISIONED', 'some', /IMAGE_SYNC_RING_MIN_PROVISIONED: "some" is not a whole number from 0/],
  ])('refuses %s=%s naming the setting and the fix', (setting, value, message) => {
    expect(failure({ ...minimal, [setting]: value }).message).toMatch(message);
  });
});

describe('IMAGE_SYNC_SUBSCRIPTION_IDS=* (every readable subscription)', () => {
  it('is every subscription the identity can read, with Resource Graph discovery', () => {
    const config = loadConfig({ ...minimal, IMAGE_SYNC_SUBSCRIPTION_IDS: ' * ', IMAGE_SYNC_DISCOVERY: 'resource-graph' });
    expect(config).toMatchObject({ allSubscriptions: true, subscriptionIds: [], discovery: 'resource-graph' });
    expect(loadConfig(minimal).allSubscriptions).toBe(false);
  });

  it('is refused in arm mode, naming the setting and the fix', () => {
    expect(failure({ ...minimal, IMAGE_SYNC_SUBSCRIPTION_IDS: '*' }).message).toMatch(
      /^IMAGE_SYNC_SUBSCRIPTION_IDS: \* \(every subscription the identity can read\) needs IMAGE_SYNC_DISCOVERY=resource-graph.*\. Fix: set IMAGE_SYNC_DISCOVERY=resource-graph, or list the subscription IDs/,
    );
  });

  it('is refused mixed with subscription IDs', () => {
    expect(failure({ ...minimal, IMAGE_SYNC_SUBSCRIPTION_IDS: `*,${SUB_A}`, IMAGE_SYNC_DISCOVERY: 'resource-graph' }).message).toMatch(
      /^IMAGE_SYNC_SUBSCRIPTION_IDS: ".*" mixes \* with subscription IDs\. Fix: set \* alone/,
    );
  });
});

describe('IMAGE_SYNC_CLIENT_ID and the settings of image-sync login', () => {
  const CLIENT = '5c0ffee0-0000-4000-8000-00000000c11e';
  const TENANT = '72f988bf-0000-4000-8000-00000000d001';

  it('is optional for the app, and a GUID when set', () => {
    expect(loadConfig(minimal).signInClientId).toBeNull();
    expect(loadConfig({ ...minimal, IMAGE_SYNC_CLIENT_ID: CLIENT }).signInClientId).toBe(CLIENT);
    expect(failure({ ...minimal, IMAGE_SYNC_CLIENT_ID: 'image-sync-cli' }).message).toMatch(
      /^IMAGE_SYNC_CLIENT_ID: "image-sync-cli" is not a GUID\. Fix: set the application \(client\) ID of the public client registration/,
    );
  });

  it('login needs only the client, the tenant and, for a national cloud, the authority host', () => {
    expect(loadSignInSettings({ IMAGE_SYNC_CLIENT_ID: CLIENT, AZURE_TENANT_ID: TENANT })).toEqual({
      clientId: CLIENT,
      tenantId: TENANT,
      authorityHost: 'https://login.microsoftonline.com',
      graphEndpoint: 'https://graph.microsoft.com',
    });
    expect(
      loadSignInSettings({
        IMAGE_SYNC_CLIENT_ID: CLIENT,
        AZURE_TENANT_ID: 'contoso.onmicrosoft.us',
        AZURE_AUTHORITY_HOST: 'https://login.microsoftonline.us/',
        GRAPH_ENDPOINT: 'https://graph.microsoft.us',
      }),
    ).toMatchObject({
      tenantId: 'contoso.onmicrosoft.us',
      authorityHost: 'https://login.microsoftonline.us',
      graphEndpoint: 'https://graph.microsoft.us',
    });
  });

  it('a missing client or tenant is a setting error naming the fix', () => {
    const missing = (env: Record<string, string>) => {
      try {
        loadSignInSettings(env);
      } catch (error) {
        if (error instanceof ConfigError) return error;
        throw error;
      }
      throw new Error('expected a ConfigError');
    };
    expect(missing({ AZURE_TENANT_ID: TENANT })).toMatchObject({ setting: 'IMAGE_SYNC_CLIENT_ID' });
    expect(missing({ AZURE_TENANT_ID: TENANT }).message).toMatch(
      /^IMAGE_SYNC_CLIENT_ID: is not set, and image-sync login needs it\. Fix: /,
    );
    expect(missing({ IMAGE_SYNC_CLIENT_ID: CLIENT }).message).toMatch(
      /^AZURE_TENANT_ID: is not set, and image-sync login needs it\. Fix: set your directory \(tenant\) ID/,
    );
    expect(missing({ IMAGE_SYNC_CLIENT_ID: CLIENT, AZURE_TENANT_ID: 'not a tenant' }).setting).toBe('AZURE_TENANT_ID');
    expect(missing({ IMAGE_SYNC_CLIENT_ID: CLIENT, AZURE_TENANT_ID: TENANT, AZURE_AUTHORITY_HOST: 'http://login.example' }).setting).toBe(
      'AZURE_AUTHORITY_HOST',
    );
  });

  it('reads which standard identity variables are set, never their values', () => {
    expect(
      environmentIdentityVariables({
        AZURE_CLIENT_ID: CLIENT,
        AZURE_TENANT_ID: TENANT,
        AZURE_CLIENT_SECRET: 's3cret',
        IDENTITY_ENDPOINT: 'http://x',
      }),
    ).toEqual({
      clientId: true,
      tenantId: true,
      clientSecret: true,
      clientCertificate: false,
      federatedTokenFile: false,
      managedIdentityEndpoint: true,
    });
  });
});
