// Alerts: failures, warnings and rebuild requests, logged and posted to the webhooks.
import type { WarningCode } from '../domain';

export interface FailureAlert {
  readonly sourceImageResourceId: string | null;
  readonly displayName: string | null;
  readonly version: string | null;
  readonly errorCode: string;
  readonly detail: string;
}

export interface WarningAlert {
  readonly sourceImageResourceId: string;
  readonly displayName: string | null;
  readonly version: string | null;
  readonly warning: WarningCode;
  readonly detail: string;
}

/** The JSON an image pipeline receives on IMAGE_SYNC_REBUILD_WEBHOOK_URL, besides `event` and `at` (DESIGN §16). */
export interface RebuildNeeded {
  readonly displayName: string | null;
  readonly version: string | null;
  readonly sourceImageResourceId: string;
  readonly osVersionNumber: string;
  readonly latestBuild: string;
  readonly patchLag: number;
}

export interface Alerter {
  /** Logs `ImageSyncFailure` at error level and POSTs the webhook when configured. Never throws. */
  raise(alert: FailureAlert): Promise<void>;
  /** Logs `ImageSyncWarning` at warning level and POSTs the webhook (`"severity": "warning"`). Never throws. */
  warn(alert: WarningAlert): Promise<void>;
  /** Logs `ImageSyncRebuildNeeded` and POSTs IMAGE_SYNC_REBUILD_WEBHOOK_URL when set. Never throws. */
  rebuildNeeded(request: RebuildNeeded): Promise<void>;
}
