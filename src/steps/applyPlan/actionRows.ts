// The ledger rows a plan's actions write: whose registration each is, and the first rows written
// together (insertMany) for images the ledger does not hold yet.
import { ATTENTION_SKIP_REASONS, type LedgerRow, isUsable, registrationKey } from '../../domain';
import type { NewLedgerEntry } from '../../ports';
import type { PlanAction, SkipAction } from '../../rules/plan';
import { rolloutTargets } from '../../rules/planRollout';
import { type ImageIdentity, newLedgerEntry, readyEntry, skippedEntry } from '../ledgerTransitions';

export function identityOf(action: Extract<PlanAction, { kind: 'skip' | 'adopt' | 'register' }>): ImageIdentity {
  if (action.kind === 'register') {
    const { job, contentFingerprint } = action;
    return {
      sourceImageResourceId: job.sourceImageResourceId,
      displayName: job.displayName,
      version: job.version,
      contentFingerprint,
      rolloutPolicies: rolloutTargets(action.sourceImage),
    };
  }
  const contentFingerprint = action.kind === 'adopt' ? action.contentFingerprint : null;
  return {
    sourceImageResourceId: action.sourceImage.id,
    displayName: action.displayName,
    version: action.version,
    contentFingerprint,
    rolloutPolicies: rolloutTargets(action.sourceImage),
  };
}

export function keyOf(action: PlanAction): string {
  switch (action.kind) {
    case 'register':
      return registrationKey(action.job.sourceImageResourceId, action.job.version);
    case 'skip':
    case 'adopt':
      return registrationKey(action.sourceImage.id, action.version);
    case 'resumeStatusCheck':
    case 'dropRow':
    case 'retire':
    case 'observe':
      return registrationKey(action.row.sourceImageResourceId, action.row.version);
  }
}

/** A skip an administrator must act on: alerted once, after its row is written. */
export function needsAttention(action: SkipAction): boolean {
  return ATTENTION_SKIP_REASONS.includes(action.reason);
}

/**
 * The first row of an action's image when the ledger has none and the action's whole ledger write
 * is that row; null otherwise. These rows are written together (insertMany), a hundred a request.
 */
export function firstRowOf(action: PlanAction, rows: ReadonlyMap<string, LedgerRow>): NewLedgerEntry | null {
  if (rows.has(keyOf(action))) return null;
  switch (action.kind) {
    case 'register':
      return newLedgerEntry(identityOf(action));
    case 'skip':
      // An attention skip is alerted after its row is written, one by one.
      return needsAttention(action) ? null : skippedEntry(identityOf(action), action);
    case 'adopt':
      return isUsable(action.deviceImage.status) ? readyEntry(identityOf(action), action.deviceImage) : null;
    case 'resumeStatusCheck':
    case 'dropRow':
    case 'retire':
    case 'observe':
      return null;
  }
}
