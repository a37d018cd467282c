// Messages the host gave up on (maxDequeueCount failures) land on <queue>-poison. Nothing is dropped
// silently: each becomes a recorded problem, and the image it was about is marked failed.
import { createHash } from 'node:crypto';
import { remediationFor } from '../rules/remediation';
import { parseRegisterJob, parseStatusCheck } from '../parse/parseMessage';
import type { RegistrationRef, SyncDeps } from '../ports';
import type { MessageMeta } from '../steps/parseQueueMessage';
import { failImage, reportProblem } from '../steps/reportFailure';
import { releaseSlot } from '../steps/releaseSlot';

/** The registration a message was about; a status check of the previous release names no version. */
function registrationOf(message: unknown): RegistrationRef | null {
  for (const parse of [parseRegisterJob, parseStatusCheck]) {
    try {
      const { sourceImageResourceId, version } = parse(message);
      return version === undefined ? null : { sourceImageResourceId, version };
    } catch {
      // not this kind of message
    }
  }
  return null;
}

function summary(message: unknown): string {
  const text = typeof message === 'string' ? message : (JSON.stringify(message) ?? String(message));
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

export async function handlePoisonMessage(deps: SyncDeps, queue: string, message: unknown, meta: MessageMeta): Promise<void> {
  const subject = `${queue}/${meta.messageId ?? createHash('sha256').update(summary(message)).digest('hex').slice(0, 16)}`;
  const registration = registrationOf(message);
  await reportProblem(deps, {
    kind: 'poison-message',
    subject,
    detail: `a message on ${queue.replace(/-poison$/, '')} failed every attempt and was moved to ${queue}: ${summary(message)}`,
  });
  if (registration === null) return;
  const row = await deps.ledger.get(registration);
  if (row === null || row.state === 'ready' || row.state === 'failed' || row.state === 'skipped' || row.state === 'retired') return;
  await failImage(deps, row, row, { errorCode: 'poisonMessage', reason: remediationFor('poisonMessage') });
  // A create that ends here made no device image: its slot is free at once (one that did is counted by Graph's list).
  if (row.deviceImageId === null) await releaseSlot(deps, registration);
}
