// What Graph's retry middleware can be trusted to wait out. It reads `Retry-After` as seconds (an HTTP
// date rounded to whole seconds, which can be early), ignores Azure's `retry-after-ms` and
// `x-ms-retry-after-ms`, and waits at most its maximum delay (180 s) whatever the header says. Any
// other answer it must not retry: the call fails with the Retry-After in its TransientError, and the
// device image API holds every later call back until it has passed.
import { RetryHandlerOptions } from '@microsoft/microsoft-graph-client';

const SECONDS = /^\d+(\.\d+)?$/;

export function middlewareHonoursRetryAfter(response: Response | undefined): boolean {
  const headers = response?.headers;
  if (headers === undefined) return true;
  const retryAfter = headers.get('retry-after');
  if (retryAfter === null) return headers.get('retry-after-ms') === null && headers.get('x-ms-retry-after-ms') === null;
  const value = retryAfter.trim();
  return SECONDS.test(value) && Number(value) <= new RetryHandlerOptions().getMaxDelay();
}
