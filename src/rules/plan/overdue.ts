/**
 * A queued/creating row's `updatedAt` or a pending row's `nextCheckAt` at least `staleAfterMs` old
 * (exactly staleAfterMs counts): its message counts as lost. An unreadable or missing timestamp
 * counts as overdue, so the row heals.
 */
export function isOverdue(timestamp: string | null, now: Date, staleAfterMs: number): boolean {
  if (timestamp === null) return true;
  const at = Date.parse(timestamp);
  return Number.isNaN(at) || now.getTime() - at >= staleAfterMs;
}
