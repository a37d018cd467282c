// Alerts (DESIGN §9): a failure is one error-level `ImageSyncFailure` log line, a warning one
// warning-level `ImageSyncWarning` line, which an Application Insights alert rule can match; and,
// when configured, one JSON POST to the webhook, whose `severity` tells the two apart. A rebuild
// request (DESIGN §16) is one `ImageSyncRebuildNeeded` line and a POST to its own webhook.
// Delivery is best effort: a refused URL, a timeout, a non-2xx answer or a network error is logged
// as `ImageSyncAlertUndelivered` and never thrown. The webhook URL may carry a secret (in its query,
// often in its path too), so logs name its origin only.
import { type Clock, systemClock, type WarningCode } from '../domain';
import { errorMessage } from '../errors';
import { type Logger, redactText } from '../log';
import type { Alerter, FailureAlert, RebuildNeeded, WarningAlert } from '../ports';
import { remediationFor } from '../rules/remediation';

export const FAILURE_EVENT = 'ImageSyncFailure';
export const WARNING_EVENT = 'ImageSyncWarning';
export const UNDELIVERED_EVENT = 'ImageSyncAlertUndelivered';
export const REBUILD_EVENT = 'ImageSyncRebuildNeeded';
export const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

export interface AlerterOptions {
  readonly log: Logger;
  /** https only; anything else is refused (logged, never requested). */
  readonly webhookUrl: string | null;
  /** IMAGE_SYNC_REBUILD_WEBHOOK_URL: https only, like webhookUrl. */
  readonly rebuildWebhookUrl?: string | null;
  readonly timeoutMs?: number;
  readonly fetch?: typeof globalThis.fetch;
  readonly clock?: Clock;
}

/** The webhook's JSON body for a failure. */
export interface FailureAlertPayload {
  readonly event: typeof FAILURE_EVENT;
  readonly severity: 'error';
  readonly at: string;
  readonly sourceImageResourceId: string | null;
  readonly displayName: string | null;
  readonly version: string | null;
  readonly errorCode: string;
  readonly remediation: string;
  readonly detail: string;
}

/** The webhook's JSON body for a warning: `remediation` is the warning's text (what was found, what to do). */
export interface WarningAlertPayload {
  readonly event: typeof WARNING_EVENT;
  readonly severity: 'warning';
  readonly at: string;
  readonly sourceImageResourceId: string;
  readonly displayName: string | null;
  readonly version: string | null;
  readonly warning: WarningCode;
  readonly remediation: string;
}

/** The rebuild webhook's JSON body (DESIGN §16). */
export interface RebuildNeededPayload extends RebuildNeeded {
  readonly event: typeof REBUILD_EVENT;
  readonly at: string;
}

type Webhook =
  { readonly kind: 'none' } | { readonly kind: 'refused'; readonly why: string } | { readonly kind: 'https'; readonly url: URL };

function parseWebhook(webhookUrl: string | null, setting = 'IMAGE_SYNC_ALERT_WEBHOOK_URL'): Webhook {
  if (webhookUrl === null || webhookUrl.trim() === '') return { kind: 'none' };
  let url: URL;
  try {
    url = new URL(webhookUrl.trim());
  } catch {
    return { kind: 'refused', why: `the webhook URL is not a URL; set ${setting} to an https URL` };
  }
  if (url.protocol !== 'https:') {
    return {
      kind: 'refused',
      why: `the webhook URL is ${url.protocol.replace(/:$/, '')}, not https; set ${setting} to an https URL`,
    };
  }
  return { kind: 'https', url };
}

/** Removes every spelling of the URL (and its query) from a message: fetch errors may quote it. */
function scrub(message: string, url: URL): string {
  let out = message;
  for (const secret of [url.href, url.toString(), url.search, url.pathname.length > 1 ? url.pathname : '']) {
    if (secret !== '') out = out.split(secret).join('[webhook]');
  }
  return redactText(out);
}

function describeFailure(error: unknown, url: URL, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return scrub(`${errorMessage(error)}${cause}`, url);
}

export function createAlerter(options: AlerterOptions): Alerter {
  const { log } = options;
  const webhook = parseWebhook(options.webhookUrl);
  const rebuildWebhook = parseWebhook(options.rebuildWebhookUrl ?? null, 'IMAGE_SYNC_REBUILD_WEBHOOK_URL');
  const timeoutMs = options.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const send = options.fetch ?? globalThis.fetch;
  const clock = options.clock ?? systemClock;

  /** `about` names the alert in an ImageSyncAlertUndelivered line (its errorCode or warning). */
  async function post(
    url: URL,
    payload: FailureAlertPayload | WarningAlertPayload | RebuildNeededPayload,
    about: Readonly<Record<string, string>>,
  ): Promise<void> {
    const target = url.origin;
    try {
      const response = await send(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        // A redirect could carry the payload elsewhere, even to plain http: treat it as an answer.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel().catch(() => undefined);
      if (!response.ok) {
        log.warn(UNDELIVERED_EVENT, {
          webhook: target,
          status: response.status,
          ...about,
          detail: `the webhook answered ${response.status}`,
        });
      }
    } catch (error) {
      log.warn(UNDELIVERED_EVENT, { webhook: target, status: null, ...about, detail: describeFailure(error, url, timeoutMs) });
    }
  }

  async function deliver(
    payload: FailureAlertPayload | WarningAlertPayload | RebuildNeededPayload,
    about: Readonly<Record<string, string>>,
    to: Webhook = webhook,
  ): Promise<void> {
    if (to.kind === 'none') return;
    if (to.kind === 'refused') {
      log.warn(UNDELIVERED_EVENT, { webhook: null, status: null, ...about, detail: to.why });
      return;
    }
    await post(to.url, payload, about);
  }

  return {
    async raise(alert: FailureAlert): Promise<void> {
      const remediation = remediationFor(alert.errorCode);
      const detail = redactText(alert.detail);
      const fields = {
        sourceImageResourceId: alert.sourceImageResourceId,
        displayName: alert.displayName,
        version: alert.version,
        errorCode: alert.errorCode,
        remediation,
        detail,
      };
      log.error(FAILURE_EVENT, fields);
      await deliver({ event: FAILURE_EVENT, severity: 'error', at: clock.now().toISOString(), ...fields }, { errorCode: alert.errorCode });
    },

    async warn(alert: WarningAlert): Promise<void> {
      const fields = {
        sourceImageResourceId: alert.sourceImageResourceId,
        displayName: alert.displayName,
        version: alert.version,
        warning: alert.warning,
        remediation: redactText(alert.detail),
      };
      log.warn(WARNING_EVENT, fields);
      await deliver({ event: WARNING_EVENT, severity: 'warning', at: clock.now().toISOString(), ...fields }, { warning: alert.warning });
    },

    async rebuildNeeded(request: RebuildNeeded): Promise<void> {
      const fields = {
        displayName: request.displayName,
        version: request.version,
        sourceImageResourceId: request.sourceImageResourceId,
        osVersionNumber: request.osVersionNumber,
        latestBuild: request.latestBuild,
        patchLag: request.patchLag,
      };
      log.info(REBUILD_EVENT, { ...fields, webhook: rebuildWebhook.kind === 'https' ? rebuildWebhook.url.origin : null });
      await deliver({ event: REBUILD_EVENT, at: clock.now().toISOString(), ...fields }, { rebuild: request.latestBuild }, rebuildWebhook);
    },
  };
}
