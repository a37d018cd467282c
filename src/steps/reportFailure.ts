import type { LedgerRow, Problem } from '../domain';
import { LedgerConflictError, errorMessage } from '../errors';
import { redactText } from '../log';
import { type Failure, type ImageIdentity, markAlerted, markFailed } from './ledgerTransitions';
import type { SyncDeps } from '../ports';

type FailureDeps = Pick<SyncDeps, 'ledger' | 'alerts' | 'clock' | 'log'>;

/**
 * Records the image failed and alerts once for this attempt. The ETag-guarded transition decides
 * who alerts: of two workers failing the same image, only the one whose write lands goes on.
 */
export async function failImage(
  deps: FailureDeps,
  row: LedgerRow | null,
  identity: ImageIdentity,
  unredacted: Failure,
): Promise<LedgerRow> {
  // The ledger is shown by `status` and read by anyone with the table: it keeps no secrets either.
  const failure = { ...unredacted, reason: redactText(unredacted.reason) };
  const failed = await markFailed(deps.ledger, row, identity, failure, deps.clock.now());
  await deps.alerts.raise({
    sourceImageResourceId: identity.sourceImageResourceId,
    displayName: failed.displayName,
    version: failed.version,
    errorCode: failure.errorCode,
    detail: failure.reason,
  });
  try {
    return await markAlerted(deps.ledger, failed, deps.clock.now());
  } catch (error) {
    if (!(error instanceof LedgerConflictError)) throw error;
    deps.log.debug('AlertMarkSuperseded', { sourceImageResourceId: identity.sourceImageResourceId });
    return failed;
  }
}

/** Records a problem; a new one (not a repeat of an open one) is alerted. */
export async function reportProblem(deps: FailureDeps, unredacted: Omit<Problem, 'at'>): Promise<void> {
  // A problem's detail may quote what arrived (a poison message's text): credentials in it are not kept.
  const problem = { ...unredacted, detail: redactText(unredacted.detail) };
  const at = deps.clock.now().toISOString();
  const { isNew } = await deps.ledger.recordProblem({ ...problem, at });
  deps.log.warn('ImageSyncProblem', { kind: problem.kind, subject: problem.subject, detail: problem.detail, isNew });
  if (isNew) {
    await deps.alerts.raise({
      sourceImageResourceId: null,
      displayName: null,
      version: null,
      errorCode: problem.kind,
      detail: problem.detail,
    });
  }
}

export function describeError(error: unknown): string {
  return errorMessage(error).split('\n')[0] ?? '';
}
