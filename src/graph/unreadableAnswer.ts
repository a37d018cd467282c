import type { z } from 'zod';
import { UnexpectedResponseError } from '../errors';

/**
 * A Graph answer that arrived whole (2xx) but whose body is not what the call returns, such as a 200
 * that is not a device image: permanent, never a network failure to send again. The message names
 * the first field at fault.
 */
export function unreadableAnswer(what: string, error: z.ZodError): UnexpectedResponseError {
  const issue = error.issues[0];
  return new UnexpectedResponseError({
    message: `Graph returned ${what} that cannot be read: ${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`,
  });
}
