import { createHash } from 'node:crypto';

/**
 * How a registration key is named among the tenant's image slots: its SHA-256, shortened, so the
 * slots of thousands of registrations fit one table row (collisions are out of reach at this size).
 */
export function slotName(registrationKey: string): string {
  return createHash('sha256').update(registrationKey).digest('hex').slice(0, 32);
}
