// After `ready` (DESIGN §13, §16, §18): the tenant's limit, retention, rollout and rings, expiry and
// patch-lag warnings, and the two webhooks that tell people about them.
import { ConfigError, type Environment } from './configError';
import { numberDefault } from './list';
import { flag, httpsUrl, integer, text } from './read';

export interface LifecyclePart {
  /** The most custom images the tenant holds, every status counted (DESIGN §13). */
  readonly tenantImageLimit: number;
  /** Retention: newest ready versions kept per display name; 0 = off. */
  readonly keepVersions: number;
  /** Warn this many days before a device image's expirationDate. */
  readonly expiryWarningDays: number;
  /** Whether the cloudpc-provisioning-policies tag points policies at a version once it is ready (DESIGN §13). */
  readonly rollout: boolean;
  /** Rollout rings (DESIGN §18): how long a ring runs a version before the next ring gets it, in hours (decimal). */
  readonly ringSoakHours: number;
  /** Rollout rings: this many Cloud PCs failing on the new version halt the rollout (at least 1). */
  readonly ringMaxFailed: number;
  /** Rollout rings: Cloud PCs that must have provisioned on the new version before the next ring gets it. */
  readonly ringMinProvisioned: number;
  /** Image currency (DESIGN §16): warn above this many Patch Tuesdays behind; null (`off`): the catalogue is never read. */
  readonly maxPatchLag: number | null;
  readonly alertWebhookUrl: string | null;
  /** One `ImageSyncRebuildNeeded` POST per registration and newer build (DESIGN §16). */
  readonly rebuildWebhookUrl: string | null;
}

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

export function loadLifecycle(env: Environment): LifecyclePart {
  return {
    tenantImageLimit: integer(env, 'IMAGE_SYNC_TENANT_IMAGE_LIMIT', 1, MAX_TENANT_IMAGE_LIMIT),
    keepVersions: integer(env, 'IMAGE_SYNC_KEEP_VERSIONS', 0, MAX_KEEP_VERSIONS),
    expiryWarningDays: integer(env, 'IMAGE_SYNC_EXPIRY_WARNING_DAYS', 0, 3650),
    rollout: flag(env, 'IMAGE_SYNC_ROLLOUT'),
    ringSoakHours: soakHours(env),
    // 0 would halt every rollout before its first Cloud PC: at least one failure halts.
    ringMaxFailed: integer(env, 'IMAGE_SYNC_RING_MAX_FAILED', 1, 10_000),
    ringMinProvisioned: integer(env, 'IMAGE_SYNC_RING_MIN_PROVISIONED', 0, 10_000),
    maxPatchLag: maxPatchLag(env),
    alertWebhookUrl: httpsUrl(env, 'IMAGE_SYNC_ALERT_WEBHOOK_URL', null, 'https://example.org/hooks/image-sync', false),
    rebuildWebhookUrl: httpsUrl(
      env,
      'IMAGE_SYNC_REBUILD_WEBHOOK_URL',
      null,
      'https://api.github.com/repos/contoso/images/dispatches',
      false,
    ),
  };
}

/** A soak of hours, decimals allowed (`0.01` is 36 s): tests soak for seconds. At most 30 days. */
function soakHours(env: Environment): number {
  const name = 'IMAGE_SYNC_RING_SOAK_HOURS';
  const fallback = numberDefault(name);
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) > 720) {
    throw new ConfigError(
      name,
      `"${raw}" is not a number of hours from 0 to 720`,
      `set hours as a decimal number such as 24 or 0.5, or remove it for the default ${fallback}`,
    );
  }
  return Number(raw);
}

/** IMAGE_SYNC_MAX_PATCH_LAG: a whole number of Patch Tuesdays, or `off` (null). */
function maxPatchLag(env: Environment): number | null {
  const fallback = numberDefault('IMAGE_SYNC_MAX_PATCH_LAG');
  const raw = text(env, 'IMAGE_SYNC_MAX_PATCH_LAG');
  if (raw !== undefined && raw.toLowerCase() === 'off') return null;
  if (raw !== undefined && !(/^\d+$/.test(raw) && Number(raw) <= MAX_PATCH_LAG)) {
    throw new ConfigError(
      'IMAGE_SYNC_MAX_PATCH_LAG',
      `"${raw}" is neither a whole number from 0 to ${MAX_PATCH_LAG} nor off`,
      `set how many Patch Tuesdays a ready image may be behind (e.g. ${fallback}), off to never read the Windows release catalogue, or remove it for the default ${fallback}`,
    );
  }
  return raw === undefined ? fallback : Number(raw);
}
