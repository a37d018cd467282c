// After `ready` (DESIGN §13, §16, §18): the tenant's limit, retention, rollout and rings, expiry and
// patch-lag warnings, and the two webhooks that tell people about them.
import { z } from 'zod';
import type { Environment } from './configError';
import { numberDefault } from './list';
import { flag, httpsUrl, orNull, raw, wholeNumber } from './read';
import { parseSettings, refusal } from './schema';

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

const SOAK_FALLBACK = numberDefault('IMAGE_SYNC_RING_SOAK_HOURS');
/** A soak of hours, decimals allowed (`0.01` is 36 s): tests soak for seconds. At most 30 days. */
const soakHours = z
  .string()
  .refine(
    (value) => /^\d+(\.\d+)?$/.test(value) && Number(value) <= 720,
    refusal(
      (value) => `"${value}" is not a number of hours from 0 to 720`,
      `set hours as a decimal number such as 24 or 0.5, or remove it for the default ${SOAK_FALLBACK}`,
    ),
  )
  .transform(Number);

const PATCH_LAG_FALLBACK = numberDefault('IMAGE_SYNC_MAX_PATCH_LAG');
/** IMAGE_SYNC_MAX_PATCH_LAG: a whole number of Patch Tuesdays, or `off` (null). */
const maxPatchLag = z
  .string()
  .refine(
    (value) => value.toLowerCase() === 'off' || (/^\d+$/.test(value) && Number(value) <= MAX_PATCH_LAG),
    refusal(
      (value) => `"${value}" is neither a whole number from 0 to ${MAX_PATCH_LAG} nor off`,
      `set how many Patch Tuesdays a ready image may be behind (e.g. ${PATCH_LAG_FALLBACK}), off to never read the Windows release catalogue, or remove it for the default ${PATCH_LAG_FALLBACK}`,
    ),
  )
  .transform((value) => (value.toLowerCase() === 'off' ? null : Number(value)));

const lifecycleSchema = z
  .object({
    IMAGE_SYNC_TENANT_IMAGE_LIMIT: wholeNumber('IMAGE_SYNC_TENANT_IMAGE_LIMIT', 1, MAX_TENANT_IMAGE_LIMIT),
    IMAGE_SYNC_KEEP_VERSIONS: wholeNumber('IMAGE_SYNC_KEEP_VERSIONS', 0, MAX_KEEP_VERSIONS),
    IMAGE_SYNC_EXPIRY_WARNING_DAYS: wholeNumber('IMAGE_SYNC_EXPIRY_WARNING_DAYS', 0, 3650),
    IMAGE_SYNC_ROLLOUT: flag('IMAGE_SYNC_ROLLOUT'),
    IMAGE_SYNC_RING_SOAK_HOURS: raw.pipe(soakHours.default(SOAK_FALLBACK)),
    // 0 would halt every rollout before its first Cloud PC: at least one failure halts.
    IMAGE_SYNC_RING_MAX_FAILED: wholeNumber('IMAGE_SYNC_RING_MAX_FAILED', 1, 10_000),
    IMAGE_SYNC_RING_MIN_PROVISIONED: wholeNumber('IMAGE_SYNC_RING_MIN_PROVISIONED', 0, 10_000),
    IMAGE_SYNC_MAX_PATCH_LAG: raw.pipe(maxPatchLag.default(PATCH_LAG_FALLBACK)),
    IMAGE_SYNC_ALERT_WEBHOOK_URL: orNull(httpsUrl('https://example.org/hooks/image-sync', false)),
    IMAGE_SYNC_REBUILD_WEBHOOK_URL: orNull(httpsUrl('https://api.github.com/repos/contoso/images/dispatches', false)),
  })
  .transform((settings): LifecyclePart => ({
    tenantImageLimit: settings.IMAGE_SYNC_TENANT_IMAGE_LIMIT,
    keepVersions: settings.IMAGE_SYNC_KEEP_VERSIONS,
    expiryWarningDays: settings.IMAGE_SYNC_EXPIRY_WARNING_DAYS,
    rollout: settings.IMAGE_SYNC_ROLLOUT,
    ringSoakHours: settings.IMAGE_SYNC_RING_SOAK_HOURS,
    ringMaxFailed: settings.IMAGE_SYNC_RING_MAX_FAILED,
    ringMinProvisioned: settings.IMAGE_SYNC_RING_MIN_PROVISIONED,
    maxPatchLag: settings.IMAGE_SYNC_MAX_PATCH_LAG,
    alertWebhookUrl: settings.IMAGE_SYNC_ALERT_WEBHOOK_URL,
    rebuildWebhookUrl: settings.IMAGE_SYNC_REBUILD_WEBHOOK_URL,
  }));

export function loadLifecycle(env: Environment): LifecyclePart {
  return parseSettings(lifecycleSchema, env);
}
