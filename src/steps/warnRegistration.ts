// One ImageSyncWarning (log line and webhook) per warning of a registration, once the ledger has
// recorded them as alerted: the poller at ready, the planner's observations and image currency.
import type { ImageWarning, LedgerRow } from '../domain';
import type { SyncDeps } from '../ports';
import { describeWarning } from '../rules/warnings';

export async function warnRegistration(
  deps: Pick<SyncDeps, 'alerts'>,
  row: Pick<LedgerRow, 'sourceImageResourceId' | 'displayName' | 'version'>,
  warnings: readonly ImageWarning[],
): Promise<void> {
  for (const warning of warnings) {
    await deps.alerts.warn({
      sourceImageResourceId: row.sourceImageResourceId,
      displayName: row.displayName,
      version: row.version,
      warning: warning.code,
      detail: describeWarning(warning),
    });
  }
}
